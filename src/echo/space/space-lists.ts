/**
 * The personal space lists the identity's spaces for its other devices: `spaces[spaceId] = { root }` (where a
 * device finds the space) and `spaceKeys["<spaceId>:<generation>:<recipient>:<sealer>:<commitment>"] = { box,
 * commitment, sig }` (the space's swarm secret sealed to a device by HALO, signed by the sealing device; the client
 * checks signature, sealer and commitment). Both only grow: our code adds entries and never replaces one (a
 * listing another device wrote names a root that admitted the identity there; a welcome's root never takes its
 * place: review 14, H6). Both maps exist from
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

/** A swarm secret sealed by `sealer` to `recipient` at `generation`, with its commitment and the sealer's signature. */
export interface SwarmBoxEntry {
  readonly generation: number
  readonly recipient: PublicKey
  readonly sealer: PublicKey
  readonly box: string
  /** Hex SHA-256 of the secret with its label, space and generation: which secret this is, without it. */
  readonly commitment: string
  /** The sealer device's Ed25519 signature (hex) over the entry; checked by the reader, not here. */
  readonly sig: string
}

/** Every well-formed entry for one space; whether one is signed, by whom, and opens is the reader's to check. */
export type SwarmBoxes = readonly SwarmBoxEntry[]

/** Generations are decimal integers from 1, without leading zeros, at most 2^31 - 1. */
const MAX_SWARM_GENERATION = 2 ** 31 - 1
const GENERATION_TEXT = /^[1-9][0-9]{0,9}$/
const boxValueSchema = v.strictObject({
  box: boxSchema,
  commitment: v.pipe(v.string(), v.regex(HEX_KEY)),
  sig: v.pipe(v.string(), v.regex(/^[0-9a-f]{128}$/)),
})

/**
 * The `spaceKeys` key of an entry: `<spaceId>:<generation>:<recipient>:<sealer>:<commitment>`. The commitment is
 * in the key so a sealer that learns a smaller secret at a generation can still seal it to a device it already
 * sealed another one to (entries are only added).
 */
const swarmBoxKey = (spaceId: SpaceId, entry: Omit<SwarmBoxEntry, 'box' | 'sig'>): string =>
  `${spaceId}:${String(entry.generation)}:${entry.recipient}:${entry.sealer}:${entry.commitment}`

const parseKey = (spaceId: SpaceId, key: string) => {
  const parts = key.split(':')
  if (parts.length !== 5 || parts[0] !== spaceId) return undefined
  const [, generation = '', recipient, sealer, commitment] = parts
  const number = GENERATION_TEXT.test(generation) ? Number(generation) : 0
  if (number < 1 || number > MAX_SWARM_GENERATION) return undefined
  if (!v.is(deviceSchema, recipient) || !v.is(deviceSchema, sealer) || !v.is(deviceSchema, commitment)) return undefined
  return { generation: number, recipient: recipient as PublicKey, sealer: sealer as PublicKey, commitment }
}

/** The well-formed entries for the space `spaceId`, in key order; junk keys and values are left out. */
export const swarmBoxesIn = (root: SpaceDoc, spaceId: SpaceId): SwarmBoxes => {
  const keys = toPlain(root.spaceKeys)
  if (!isRecord(keys)) return []
  const entries: SwarmBoxEntry[] = []
  for (const key of Object.keys(keys).sort()) {
    const parsed = parseKey(spaceId, key)
    const value = v.safeParse(boxValueSchema, keys[key])
    if (parsed === undefined || !value.success || value.output.commitment !== parsed.commitment) continue
    entries.push({ ...parsed, box: value.output.box, sig: value.output.sig })
  }
  return entries
}

const validEntry = (spaceId: SpaceId, entry: SwarmBoxEntry): boolean =>
  v.is(spaceIdSchema, spaceId) &&
  parseKey(spaceId, swarmBoxKey(spaceId, entry)) !== undefined &&
  v.is(boxValueSchema, { box: entry.box, commitment: entry.commitment, sig: entry.sig })

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

/** Adds an entry unless one is under its key. */
export const addSwarmBox = (root: DocHandle<SpaceDoc>, spaceId: SpaceId, entry: SwarmBoxEntry): Added => {
  if (!validEntry(spaceId, entry)) return 'invalid'
  const key = swarmBoxKey(spaceId, entry)
  const keys = root.doc().spaceKeys
  if (isRecord(keys) && Object.hasOwn(keys, key)) return 'present'
  root.change((doc) => {
    // Junk a peer wrote where the map belongs holds no valid entry: it is replaced by one.
    if (!isRecord(doc.spaceKeys)) doc.spaceKeys = {}
    ;(doc.spaceKeys as Record<string, unknown>)[key] = toStored({
      box: entry.box,
      commitment: entry.commitment,
      sig: entry.sig,
    })
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
  field: 'spaces' | 'spaceKeys' | 'inviteRooms',
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
