import { Cell, toBase64Url, type Observable, type Result } from '../../base'
import type { Actor, Space, SpaceId, SpaceRow, SwarmBoxEntry } from '../../echo'
import type { PublicKey } from '../../halo'
import type { RoomEntry } from './mesh-service'
import { boxCache, readSpaceKeys, roomsOf, signedBytesOf, aadOf, type Held, type SpaceKeys } from './swarm-boxes'

/** HALO's swarm derivations, sealing and signatures, as the mesh uses them (see halo's CONTEXT). */
interface SwarmKeys {
  newSecret(): Uint8Array
  room(secret: Uint8Array, spaceId: string, generation: number): { roomId: string; password: string }
  commitment(secret: Uint8Array, spaceId: string, generation: number): string
  /** Seals `secret` to `device` (X25519 from its Ed25519 key). */
  seal(device: PublicKey, secret: Uint8Array, aad: string): Uint8Array
  /** Opens a box sealed to this device. */
  open(box: Uint8Array, aad: string): Result<Uint8Array, unknown>
  /** Signs with this device's key (hex). */
  sign(bytes: Uint8Array): Promise<string>
  verify(signature: string, bytes: Uint8Array, key: PublicKey): boolean
}

export interface SwarmSecretsOptions {
  readonly actor: Actor
  readonly deviceKey: PublicKey
  /** The personal space: only its lists are used here. */
  readonly personal: Pick<Space, 'swarmBoxes' | 'addSwarmBox' | 'listSpace' | 'listedSpaces'>
  /** This device's spaces of the identity (ECHO's registry), live. */
  readonly spaces: Observable<readonly SpaceRow[] | undefined>
  /** The identity's devices that are not revoked, live. */
  readonly devices: Observable<readonly PublicKey[]>
  /** Whether HALO holds `device` revoked (asked again whenever `devices` changes). */
  readonly isRevoked: (device: PublicKey) => boolean
  readonly keys: SwarmKeys
}

export interface SwarmSecrets {
  /** Per space whose secret this device holds: the room of its current generation and of the one before. */
  readonly rooms: Observable<readonly RoomEntry[]>
  /** Spaces listed in the personal root that are not on this device yet, with their root. */
  readonly toAdopt: Observable<readonly { spaceId: SpaceId; rootUrl: string }[]>
  /** The current secret of `spaceId` if this device holds one (to hand the personal space to a device being linked). */
  secret(spaceId: SpaceId): Held | undefined
  stop(): void
}

/**
 * Swarm secrets live only sealed, in signed entries of the personal root's `spaceKeys` (sharing-protocol §4.2, §4.5):
 * - an entry counts if signed by a live device of the identity and its secret matches its commitment;
 * - a space's generation is the highest with a valid entry; there the secret is the smallest commitment, and a
 *   device holding a smaller one than a sibling's (or the sibling has none) seals it for that sibling;
 * - a space of ours with no entry at all gets a new secret at generation 1; when a revoked device sealed or was
 *   sealed the current secret, a new one is drawn at the next generation and sealed to the live devices only.
 */
export const followSwarmSecrets = (options: SwarmSecretsOptions): SwarmSecrets => {
  const { actor, deviceKey: me, personal, keys } = options
  const cache = boxCache()
  const rooms = new Cell<readonly RoomEntry[]>([])
  const toAdopt = new Cell<readonly { spaceId: SpaceId; rootUrl: string }[]>([])
  const current = new Map<SpaceId, Held>()
  const boxStops = new Map<SpaceId, () => void>()
  // A secret drawn here, used until its entries are written (signing is asynchronous).
  const drawn = new Map<SpaceId, Held>()
  const writing = new Set<string>()
  let stopped = false

  const readKeys = (spaceId: SpaceId): SpaceKeys =>
    readSpaceKeys(
      spaceId,
      personal.swarmBoxes(spaceId).get(),
      {
        me,
        isLive: (device) => options.devices.get().includes(device),
        isRevoked: options.isRevoked,
        verify: (signature, bytes, key) => keys.verify(signature, bytes, key),
        open: (box, aad) => keys.open(box, aad),
        commitment: (secret, id, generation) => keys.commitment(secret, id, generation),
      },
      cache,
    )

  /** Seals `held` for `recipient`, signs the entry and adds it (once per key, even while a write is pending). */
  const sealFor = (spaceId: SpaceId, held: Held, recipient: PublicKey): void => {
    const id = `${spaceId}:${String(held.generation)}:${recipient}:${held.commitment}`
    if (writing.has(id)) return
    writing.add(id)
    const unsigned = {
      generation: held.generation,
      recipient,
      sealer: me,
      box: toBase64Url(keys.seal(recipient, held.secret, aadOf(spaceId, held.generation, recipient))),
      commitment: held.commitment,
    }
    void keys.sign(signedBytesOf(spaceId, unsigned)).then((sig) => {
      if (stopped) return
      const entry: SwarmBoxEntry = { ...unsigned, sig }
      personal.addSwarmBox(actor, spaceId, entry)
    })
  }

  const draw = (spaceId: SpaceId, generation: number): Held => {
    const secret = keys.newSecret()
    const held = { generation, secret, commitment: keys.commitment(secret, spaceId, generation) }
    drawn.set(spaceId, held)
    for (const device of options.devices.get()) sealFor(spaceId, held, device)
    return held
  }

  /** The rooms of one space this device can be in now, after drawing, rotating or sealing what is due. */
  const settle = (spaceId: SpaceId, own: boolean): RoomEntry[] => {
    const read = readKeys(spaceId)
    const pending = drawn.get(spaceId)
    const held = new Map(read.held)
    if (pending !== undefined && (read.top ?? 0) <= pending.generation) {
      const known = held.get(pending.generation)
      if (known === undefined || pending.commitment < known.commitment) held.set(pending.generation, pending)
    }
    const pendingAhead = pending !== undefined && pending.generation >= read.next
    if (own && !read.anySigned && pending === undefined) held.set(1, draw(spaceId, 1))
    else if (read.compromised && !pendingAhead) held.set(read.next, draw(spaceId, read.next))
    const { current: now, previous } = roomsOf({ ...read, held })
    if (now === undefined) return []
    current.set(spaceId, now)
    // Seal on meet: a live sibling with no secret at this generation, or a larger one, gets ours. We also seal it
    // to ourselves, so what we hold outlives its sealer's revocation (our previous room stays the others' one).
    const sealedToSelf = personal
      .swarmBoxes(spaceId)
      .get()
      .some((entry) => entry.recipient === me && entry.sealer === me && entry.commitment === now.commitment)
    if (!sealedToSelf) sealFor(spaceId, now, me)
    if (read.top === undefined || now.generation >= read.top) {
      for (const device of options.devices.get()) {
        const theirs = read.claimed.get(device)
        if (read.top !== now.generation || theirs === undefined || theirs > now.commitment)
          sealFor(spaceId, now, device)
      }
    }
    return [now, previous].flatMap((each) =>
      each === undefined
        ? []
        : [{ spaceId, generation: each.generation, room: keys.room(each.secret, spaceId, each.generation) }],
    )
  }

  const refresh = (): void => {
    if (stopped) return
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
      entries.push(...settle(spaceId, own))
    }
    if (JSON.stringify(rooms.get()) !== JSON.stringify(entries)) rooms.set(entries)
    const adoptable = listed.filter((entry) => current.has(entry.spaceId))
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
    secret: (spaceId) => current.get(spaceId),
    stop: () => {
      stopped = true
      for (const stop of stops) stop()
      for (const stop of boxStops.values()) stop()
      boxStops.clear()
    },
  }
}
