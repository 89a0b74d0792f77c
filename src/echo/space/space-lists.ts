/**
 * The personal space lists the identity's spaces for its other devices: `spaces[spaceId] = { root }` (where a
 * device finds the space) and `spaceKeys["<spaceId>:<deviceKeyHex>"] = box` (the space's swarm secret sealed to that
 * device by HALO, generation 1). Both only grow: our code adds entries and never replaces one. Both maps exist from
 * the personal root's creation and boxes are flat, so two devices adding at once never write the same key (two
 * fresh `{}` under one key would keep only one device's). A peer writes the root too, so every read is validated
 * here and a junk entry is skipped, never thrown.
 */
import { isValidAutomergeUrl } from '@automerge/automerge-repo/slim'
import type { DocHandle } from '@automerge/automerge-repo/slim'
import * as v from 'valibot'
import type { Observable } from '../../base'
import type { PublicKey } from '../../halo'
import type { SpaceId } from '../ids'
import type { AutomergeUrl, SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'

/** A sealed 32-byte secret is 104 bytes (139 base64url characters); room for a later, larger format. */
export const MAX_SWARM_BOX_LENGTH = 1024

const HEX_KEY = /^[0-9a-f]{64}$/
const spaceIdSchema = v.pipe(v.string(), v.regex(HEX_KEY))
const deviceSchema = v.pipe(v.string(), v.regex(HEX_KEY))
const boxSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SWARM_BOX_LENGTH), v.regex(/^[A-Za-z0-9_-]+$/))
const listingSchema = v.object({
  root: v.pipe(
    v.string(),
    v.check((url: string) => isValidAutomergeUrl(url)),
  ),
})

export interface ListedSpace {
  readonly spaceId: SpaceId
  readonly rootUrl: AutomergeUrl
}

/** The device keys a box is sealed to, for one space. */
export type SwarmBoxes = ReadonlyMap<PublicKey, string>

interface Patches {
  readonly patches: readonly { readonly path: readonly unknown[] }[]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The valid listings of `root`, sorted by space id; junk entries are left out. */
export const listedSpacesIn = (root: SpaceDoc): readonly ListedSpace[] => {
  const spaces = toPlain(root.spaces)
  if (!isRecord(spaces)) return []
  return Object.entries(spaces)
    .flatMap(([spaceId, listing]) => {
      const parsed = v.safeParse(listingSchema, listing)
      if (!v.is(spaceIdSchema, spaceId) || !parsed.success) return []
      return [{ spaceId: spaceId as SpaceId, rootUrl: parsed.output.root as AutomergeUrl }]
    })
    .sort((a, b) => (a.spaceId < b.spaceId ? -1 : 1))
}

/** The `spaceKeys` key of a device's box for a space. */
export const swarmBoxKey = (spaceId: SpaceId, device: PublicKey): string => `${spaceId}:${device}`

/** The valid boxes sealed for the space `spaceId`, by device key. */
export const swarmBoxesIn = (root: SpaceDoc, spaceId: SpaceId): SwarmBoxes => {
  const keys = toPlain(root.spaceKeys)
  if (!isRecord(keys)) return new Map()
  const prefix = `${spaceId}:`
  const boxes = new Map<PublicKey, string>()
  for (const [key, box] of Object.entries(keys)) {
    const device = key.slice(prefix.length)
    if (key.startsWith(prefix) && v.is(deviceSchema, device) && v.is(boxSchema, box))
      boxes.set(device as PublicKey, box)
  }
  return boxes
}

/** What an add did: a listing or box already there is never replaced. */
export type Added = 'added' | 'present' | 'invalid'

/** Lists a space unless its id is already listed. */
export const listSpace = (root: DocHandle<SpaceDoc>, spaceId: SpaceId, rootUrl: AutomergeUrl): Added => {
  if (!v.is(spaceIdSchema, spaceId) || !isValidAutomergeUrl(rootUrl)) return 'invalid'
  const spaces = root.doc().spaces
  if (isRecord(spaces) && Object.hasOwn(spaces, spaceId)) return 'present'
  root.change((doc) => {
    if (!isRecord(doc.spaces)) doc.spaces = {}
    ;(doc.spaces as Record<string, unknown>)[spaceId] = toStored({ root: rootUrl })
  })
  return 'added'
}

/** Adds a device's box for a space unless one is there. */
export const addSwarmBox = (root: DocHandle<SpaceDoc>, spaceId: SpaceId, device: PublicKey, box: string): Added => {
  if (!v.is(spaceIdSchema, spaceId) || !v.is(deviceSchema, device) || !v.is(boxSchema, box)) return 'invalid'
  const key = swarmBoxKey(spaceId, device)
  const keys = root.doc().spaceKeys
  if (isRecord(keys) && Object.hasOwn(keys, key)) return 'present'
  root.change((doc) => {
    // Junk a peer wrote where the map belongs holds no valid box: it is replaced by one.
    if (!isRecord(doc.spaceKeys)) doc.spaceKeys = {}
    ;(doc.spaceKeys as Record<string, unknown>)[key] = toStored(box)
  })
  return 'added'
}

/** Creates the lists' maps in a personal root made before they were created with it; a no-op once there. */
export const createLists = (root: DocHandle<SpaceDoc>): void => {
  const { spaces, spaceKeys } = root.doc()
  if (isRecord(spaces) && isRecord(spaceKeys)) return
  root.change((doc) => {
    if (!isRecord(doc.spaces)) doc.spaces = {}
    if (!isRecord(doc.spaceKeys)) doc.spaceKeys = {}
  })
}

/** A value read from the root now and again whenever a change touches `field` (here, another tab, a peer). */
export const rootObservable = <T>(
  root: DocHandle<SpaceDoc>,
  field: 'spaces' | 'spaceKeys',
  read: (doc: SpaceDoc) => T,
): Observable<T> => ({
  get: () => read(root.doc()),
  subscribe: (listener) => {
    const changed = ({ patches }: Patches) => {
      if (patches.some((patch) => patch.path.length === 0 || patch.path[0] === field)) listener(read(root.doc()))
    }
    root.on('change', changed)
    return () => root.off('change', changed)
  },
})
