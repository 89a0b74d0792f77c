import { Cell, fromBase64Url, toBase64Url, type Observable, type Result } from '../../base'
import type { Actor, Space, SpaceId, SpaceRow } from '../../echo'
import type { PublicKey } from '../../halo'
import { GENERATION } from './space-room'
import type { RoomEntry } from './mesh-service'

/** HALO's swarm derivations and sealing, as the mesh uses them (see halo's CONTEXT). */
interface SwarmKeys {
  newSecret(): Uint8Array
  room(secret: Uint8Array, spaceId: string, generation: number): { roomId: string; password: string }
  /** Seals `secret` to `device` (X25519 from its Ed25519 key). */
  seal(device: PublicKey, secret: Uint8Array, aad: string): Uint8Array
  /** Opens a box sealed to this device. */
  open(box: Uint8Array, aad: string): Result<Uint8Array, unknown>
}

/** A box is bound to its space and generation, so it cannot be moved to another. */
export const aadOf = (spaceId: SpaceId): string => `commonplace/swarm-box/v1|${spaceId}|${String(GENERATION)}`

export interface SwarmSecretsOptions {
  readonly actor: Actor
  readonly deviceKey: PublicKey
  readonly personal: Space
  /** This device's spaces of the identity (ECHO's registry), live. */
  readonly spaces: Observable<readonly SpaceRow[] | undefined>
  /** The identity's devices that are not revoked, live. */
  readonly devices: Observable<readonly PublicKey[]>
  readonly keys: SwarmKeys
}

export interface SwarmSecrets {
  /** A room per space whose secret this device holds: its own spaces and those listed for it to adopt. */
  readonly rooms: Observable<readonly RoomEntry[]>
  /** Spaces listed in the personal root that are not on this device yet, with their root. */
  readonly toAdopt: Observable<readonly { spaceId: SpaceId; rootUrl: string }[]>
  /** The secret of `spaceId` if this device holds it (to hand the personal space to a device being linked). */
  secret(spaceId: SpaceId): Uint8Array | undefined
  stop(): void
}

/**
 * Swarm secrets live only sealed, one box per device, in the personal root's `spaceKeys` (never in plaintext
 * in a document). A space of ours with no box at all gets a new secret sealed to every device; a device that
 * holds a secret seals it for a sibling that lacks one (whenever the device list or the boxes change); our
 * spaces are listed in the personal root so the other devices learn them.
 */
export const followSwarmSecrets = (options: SwarmSecretsOptions): SwarmSecrets => {
  const { actor, deviceKey, personal, keys } = options
  const secrets = new Map<SpaceId, Uint8Array>()
  const rooms = new Cell<readonly RoomEntry[]>([])
  const toAdopt = new Cell<readonly { spaceId: SpaceId; rootUrl: string }[]>([])
  const boxStops = new Map<SpaceId, () => void>()

  const secretOf = (spaceId: SpaceId, own: boolean): Uint8Array | undefined => {
    const known = secrets.get(spaceId)
    if (known !== undefined) return known
    const boxes = personal.swarmBoxes(spaceId).get()
    const mine = boxes.get(deviceKey)
    if (mine !== undefined) {
      const bytes = fromBase64Url(mine)
      const opened = bytes === undefined ? undefined : keys.open(bytes, aadOf(spaceId))
      if (opened?.ok === true) {
        secrets.set(spaceId, opened.value)
        return opened.value
      }
      return undefined
    }
    // Only a space of this device with no box at all gets a new secret; a listed one waits for its box.
    if (!own || boxes.size > 0) return undefined
    const fresh = keys.newSecret()
    secrets.set(spaceId, fresh)
    return fresh
  }

  /** Seals a held secret for every device that has no box for it yet. */
  const sealMissing = (spaceId: SpaceId, secret: Uint8Array): void => {
    const boxes = personal.swarmBoxes(spaceId).get()
    for (const device of options.devices.get()) {
      if (boxes.has(device)) continue
      const box = toBase64Url(keys.seal(device, secret, aadOf(spaceId)))
      personal.addSwarmBox(actor, spaceId, device, box)
    }
  }

  const refresh = (): void => {
    const rows = options.spaces.get() ?? []
    const here = new Set(rows.map((row) => row.id as SpaceId))
    for (const row of rows) {
      const spaceId = row.id as SpaceId
      if (row.personal === 0) personal.listSpace(actor, spaceId, row.rootUrl as never)
    }
    const listed = personal.listedSpaces.get().filter((entry) => !here.has(entry.spaceId))
    const entries: RoomEntry[] = []
    const wanted = [...here]
      .map((id) => ({ spaceId: id, own: true }))
      .concat(listed.map((entry) => ({ spaceId: entry.spaceId, own: false })))
    for (const { spaceId, own } of wanted) {
      if (!boxStops.has(spaceId)) boxStops.set(spaceId, personal.swarmBoxes(spaceId).subscribe(refresh))
      const secret = secretOf(spaceId, own)
      if (secret === undefined) continue
      sealMissing(spaceId, secret)
      entries.push({ spaceId, room: keys.room(secret, spaceId, GENERATION) })
    }
    if (!sameEntries(rooms.get(), entries)) rooms.set(entries)
    const adoptable = listed.filter((entry) => secrets.has(entry.spaceId))
    if (JSON.stringify(adoptable) !== JSON.stringify(toAdopt.get())) toAdopt.set(adoptable)
  }

  const stops = [
    options.spaces.subscribe(refresh),
    options.devices.subscribe(refresh),
    personal.listedSpaces.subscribe(refresh),
  ]
  refresh()
  return {
    rooms,
    toAdopt,
    secret: (spaceId) => secrets.get(spaceId),
    stop: () => {
      for (const stop of stops) stop()
      for (const stop of boxStops.values()) stop()
      boxStops.clear()
    },
  }
}

const sameEntries = (a: readonly RoomEntry[], b: readonly RoomEntry[]): boolean =>
  JSON.stringify(a) === JSON.stringify(b)
