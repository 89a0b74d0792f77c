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
  /** Shared spaces open here: their own root's entries and members (absent: every space is the identity's alone). */
  readonly shared?: SharedSpaces
  /**
   * Registered spaces whose root is not stored here (`Echo.lacksRoot`): one the personal root lists with the same
   * root counts as not here, so its room is joined and it is adopted again (absent: every registered root is here).
   */
  readonly rootless?: Observable<ReadonlySet<SpaceId>>
  /** Spaces this device was welcomed into by an invitation, in memory until their root is here. */
  readonly welcomed?: WelcomedSecrets
  /** How long to wait for the box of the device that signed an exclusion before drawing here; `DRAW_WAIT_MS`. */
  readonly drawWaitMs?: number
}

/** An invitation's welcome: where the space's root is and the secret of its room, as the host said. */
export interface Welcomed {
  readonly rootUrl: string
  readonly generation: number
  readonly secret: Uint8Array
}

/** The welcomes held in memory; `forget` once the secret is sealed in the personal root. */
export interface WelcomedSecrets extends Observable<ReadonlyMap<SpaceId, Welcomed>> {
  forget(spaceId: SpaceId, welcome: Welcomed): void
}

/**
 * How far a welcome's generation may be above what the adopted root shows (1 + its exclusions, the top generation
 * of its entries): a rotation for a revoked device of a member adds one and leaves no trace in the root. Above it
 * the welcome is not used, so a host can never plant a generation (up to 2^31 - 1) that outranks every later one.
 */
const WELCOME_SLACK = 8

/**
 * How long a device waits for the box of the device that signed an exclusion (which draws at once) before it draws
 * itself. The exclusion and that box travel in two documents, so the exclusion often comes first: each then drew,
 * and two rooms of one generation met only after one of them was left (e2e: the box came 0.2-0.6 s later).
 */
const DRAW_WAIT_MS = 10_000

/**
 * What a shared space tells about sealing its secret to other members (sharing-protocol §4.5 step 3), from its
 * fold and the devices met in its rooms. Undefined answers for a space not open here, or the personal space.
 */
export interface SharedSpaces {
  /** The space root's `spaceKeys` entries for the space. */
  boxes(spaceId: SpaceId): Observable<readonly SwarmBoxEntry[]> | undefined
  /** Writes an entry into the space root (as this identity, which must be a member who may write). */
  add(spaceId: SpaceId, entry: SwarmBoxEntry): void
  /** Whether this identity may draw and seal there: a current member who may write. */
  maySeal(spaceId: SpaceId): boolean
  /** Other members' live devices this device knows (each proved its chain in the space's handshake). */
  devices(spaceId: SpaceId): readonly PublicKey[]
  /** A known live device of a current member who may write: its entries in the space root count. */
  isSealer(spaceId: SpaceId, device: PublicKey): boolean
  /** A known device of a member the fold removed, or a device the space holds revoked. */
  isExcluded(spaceId: SpaceId, device: PublicKey): boolean
  /**
   * The lowest generation drawn after every exclusion the fold shows: 1 + its applied removals and device
   * revocations + the countersignatures it kept without effect (each host still welcomed its guest).
   */
  floor(spaceId: SpaceId): number
  /** The device that signed the last exclusion the fold applied (it draws the next generation at once). */
  excludedBy(spaceId: SpaceId): PublicKey | undefined
  /** Calls `listener` when any answer may have changed (membership, revocations, a device met). */
  onChange(listener: () => void): () => void
}

export interface SwarmSecrets {
  /** Per space whose secret this device holds: the rooms of its current generation and of those kept below it. */
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
 * A shared space adds its own root's entries, sealed by its members' devices to each other: there a removal (or any
 * exclusion the fold applied past the current generation) draws the next one, sealed to current members only.
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
  // Welcomes whose secret the personal root now holds, forgotten once a refresh is done (it refreshes again).
  const forgetting: (() => void)[] = []
  // Per space behind its floor: the wait for the box of the device that signed the exclusion, from the first one.
  const waits = new Map<SpaceId, { over: boolean; cancel: () => void }>()
  let stopped = false

  const { shared } = options
  const sharedBoxes = (spaceId: SpaceId): readonly SwarmBoxEntry[] => shared?.boxes(spaceId)?.get() ?? []
  const readKeys = (spaceId: SpaceId): SpaceKeys =>
    readSpaceKeys(
      spaceId,
      [...personal.swarmBoxes(spaceId).get(), ...sharedBoxes(spaceId)],
      {
        me,
        // Our devices, and in a shared space its members' devices who may write: both roots' entries are one set.
        isLive: (device) => options.devices.get().includes(device) || shared?.isSealer(spaceId, device) === true,
        isRevoked: (device) => options.isRevoked(device) || shared?.isExcluded(spaceId, device) === true,
        verify: (signature, bytes, key) => keys.verify(signature, bytes, key),
        open: (box, aad) => keys.open(box, aad),
        commitment: (secret, id, generation) => keys.commitment(secret, id, generation),
      },
      cache,
    )

  /**
   * Seals `held` for `recipient`, signs the entry and adds it (once per key while its write is pending): into the
   * personal root for our devices, into the space root for another member's.
   */
  const sealFor = (spaceId: SpaceId, held: Held, recipient: PublicKey, toSpace = false): void => {
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
      if (toSpace) shared?.add(spaceId, entry)
      else personal.addSwarmBox(actor, spaceId, entry)
      // Written (or refused): a later refresh reads the root, so an entry a concurrent first write lost is sealed again.
      writing.delete(id)
    })
  }

  /** Other members' devices that lack `held` from us in the space root: each sealer seals its own (blocks nothing). */
  const sealToMembers = (spaceId: SpaceId, held: Held): void => {
    if (shared?.maySeal(spaceId) !== true) return
    const ours = new Set(
      sharedBoxes(spaceId)
        .filter((entry) => entry.sealer === me && entry.commitment === held.commitment)
        .map((entry) => entry.recipient),
    )
    for (const device of shared.devices(spaceId)) if (!ours.has(device)) sealFor(spaceId, held, device, true)
  }

  const draw = (spaceId: SpaceId, generation: number): Held => {
    const secret = keys.newSecret()
    const held = { generation, secret, commitment: keys.commitment(secret, spaceId, generation) }
    drawn.set(spaceId, held)
    for (const device of options.devices.get()) sealFor(spaceId, held, device)
    sealToMembers(spaceId, held)
    return held
  }

  /**
   * A welcome into a space that is here now (its root arrived and admits us): its secret, unless its generation is
   * above what that root shows; then it is not used. Forgotten once sealed to us in the personal root.
   */
  const welcomeOf = (spaceId: SpaceId, read: SpaceKeys, floor: number): Held | undefined => {
    const welcome = options.welcomed?.get().get(spaceId)
    if (welcome === undefined || welcome.generation > Math.max(floor, read.top ?? 0) + WELCOME_SLACK) return undefined
    const { generation, secret } = welcome
    const commitment = keys.commitment(secret, spaceId, generation)
    if (read.held.get(generation)?.commitment === commitment)
      forgetting.push(() => options.welcomed?.forget(spaceId, welcome))
    return { generation, secret, commitment }
  }

  /**
   * Whether this device may draw past its floor now: at once unless the exclusion was signed by another device that
   * draws and seals to us (one of ours, or a member's who may write), then once its box had time to come. The wait
   * runs from the first exclusion the space fell behind at, and a later one does not start it again (review 15:
   * removals 9 s apart with the remover's box missing held every other writer back for as long as they came).
   */
  const mayDrawPast = (spaceId: SpaceId, sharedHere: SharedSpaces): boolean => {
    const drawer = sharedHere.excludedBy(spaceId)
    if (drawer === undefined || drawer === me) return true
    if (!options.devices.get().includes(drawer) && !sharedHere.isSealer(spaceId, drawer)) return true
    const known = waits.get(spaceId)
    if (known !== undefined) return known.over
    const wait: { over: boolean; cancel: () => void } = { over: false, cancel: () => undefined }
    const timer = setTimeout(() => {
      wait.over = true
      refresh()
    }, options.drawWaitMs ?? DRAW_WAIT_MS)
    wait.cancel = () => {
      clearTimeout(timer)
    }
    waits.set(spaceId, wait)
    return false
  }

  /** The rooms of one space this device can be in now, after drawing, rotating or sealing what is due. */
  const settle = (spaceId: SpaceId, own: boolean): RoomEntry[] => {
    const read = readKeys(spaceId)
    // A shared space: a member who may write draws past every exclusion the fold applied (a removal, a leave, a
    // device revocation) that the current generation does not follow yet; others wait for a writer's entries.
    const sharedHere = shared?.boxes(spaceId) === undefined ? undefined : shared
    const isShared = sharedHere !== undefined
    const mayDraw = sharedHere === undefined || sharedHere.maySeal(spaceId)
    const floor = sharedHere?.floor(spaceId) ?? 0
    const pending = drawn.get(spaceId) ?? (own ? welcomeOf(spaceId, read, floor) : undefined)
    const held = new Map(read.held)
    if (pending !== undefined && (read.top ?? 0) <= pending.generation) {
      const known = held.get(pending.generation)
      if (known === undefined || pending.commitment < known.commitment) held.set(pending.generation, pending)
    }
    const target = Math.max(read.next, floor)
    const pendingAhead = pending !== undefined && pending.generation >= target
    const behind = isShared && read.anySigned && (read.top ?? 0) < floor
    if (!behind) {
      // Caught up: the next exclusion waits for its own drawer again.
      waits.get(spaceId)?.cancel()
      waits.delete(spaceId)
    }
    // A space we were welcomed into is never given a first secret of our own: its root's writers hold one.
    const welcomed = options.welcomed?.get().has(spaceId) === true
    if (own && mayDraw && !read.anySigned && pending === undefined && !welcomed) held.set(1, draw(spaceId, 1))
    // Behind the floor, the excluded member's boxes at the top also read as compromised: the wait applies to both.
    else if (mayDraw && (behind ? mayDrawPast(spaceId, sharedHere) : read.compromised) && !pendingAhead)
      held.set(target, draw(spaceId, target))
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
      // Another member gets a generation from us only once we know why it was drawn: we drew it, the fold shows
      // the exclusions it follows, or a revoked device held the one before. A sibling's box can come before the
      // removal it follows (two documents): sealed then, it went to the removed member too.
      const why = Math.max(floor, (read.exposed ?? 0) + 1)
      if (drawn.get(spaceId)?.commitment === now.commitment || now.generation <= why) sealToMembers(spaceId, now)
    }
    return [now, ...previous].map((each) => ({
      spaceId,
      generation: each.generation,
      room: keys.room(each.secret, spaceId, each.generation),
    }))
  }

  /** A welcome's room while its space is not here: nothing of it is sealed or listed before its root arrives. */
  const welcomeRoom = (spaceId: SpaceId, welcome: Welcomed): RoomEntry => ({
    spaceId,
    generation: welcome.generation,
    room: keys.room(welcome.secret, spaceId, welcome.generation),
  })

  const refresh = (): void => {
    if (stopped) return
    const listedRoots = new Map(personal.listedSpaces.get().map((entry) => [entry.spaceId, entry.rootUrl]))
    const rootless = options.rootless?.get()
    // A row without its root (a page closed before an older adoption saved it) is fetched again, never dropped.
    const lost = (row: SpaceRow): boolean =>
      row.personal === 0 &&
      rootless?.has(row.id as SpaceId) === true &&
      listedRoots.get(row.id as SpaceId) === row.rootUrl
    const rows = options.spaces.get() ?? []
    const here = new Set(rows.filter((row) => !lost(row)).map((row) => row.id as SpaceId))
    for (const row of rows) {
      const spaceId = row.id as SpaceId
      if (row.personal === 0) personal.listSpace(actor, spaceId, row.rootUrl as never)
    }
    // A space being joined is fetched from its welcome's room. Its root is the welcome's only while the personal
    // root lists none: another device of ours wrote that listing from a root that admitted us, and a welcome (a
    // fork's host may give one) never takes its place (review 14, H6).
    const arriving = [...(options.welcomed?.get() ?? [])].filter(([spaceId]) => !here.has(spaceId))
    const joining = new Set(arriving.map(([spaceId]) => spaceId))
    const listed = personal.listedSpaces
      .get()
      .filter((entry) => !here.has(entry.spaceId) && !joining.has(entry.spaceId))
    const entries: RoomEntry[] = arriving.map(([spaceId, welcome]) => welcomeRoom(spaceId, welcome))
    const wanted = [...here]
      .map((id) => ({ spaceId: id, own: true }))
      .concat(listed.map((entry) => ({ spaceId: entry.spaceId, own: false })))
    for (const { spaceId, own } of wanted) {
      if (!boxStops.has(spaceId)) boxStops.set(spaceId, personal.swarmBoxes(spaceId).subscribe(refresh))
      entries.push(...settle(spaceId, own))
    }
    if (JSON.stringify(rooms.get()) !== JSON.stringify(entries)) rooms.set(entries)
    const adoptable: { spaceId: SpaceId; rootUrl: string }[] = [
      ...listed.filter((entry) => current.has(entry.spaceId)),
      ...arriving.map(([spaceId, welcome]) => ({ spaceId, rootUrl: listedRoots.get(spaceId) ?? welcome.rootUrl })),
    ]
    if (JSON.stringify(adoptable) !== JSON.stringify(toAdopt.get())) toAdopt.set(adoptable)
    for (const forget of forgetting.splice(0)) forget()
  }

  // A shared space's root entries are followed once it is open here (its `boxes` answers).
  const sharedStops = new Map<SpaceId, () => void>()
  const followShared = (): void => {
    for (const row of options.spaces.get() ?? []) {
      const spaceId = row.id as SpaceId
      const boxes = shared?.boxes(spaceId)
      if (boxes !== undefined && !sharedStops.has(spaceId)) sharedStops.set(spaceId, boxes.subscribe(refresh))
    }
  }
  const stops = [
    options.spaces.subscribe(refresh),
    options.devices.subscribe(refresh),
    personal.listedSpaces.subscribe(refresh),
    options.rootless?.subscribe(refresh) ?? (() => undefined),
    options.welcomed?.subscribe(refresh) ?? (() => undefined),
    shared?.onChange(() => {
      followShared()
      refresh()
    }) ?? (() => undefined),
  ]
  followShared()
  refresh()
  return {
    rooms,
    toAdopt,
    secret: (spaceId) => current.get(spaceId),
    stop: () => {
      stopped = true
      for (const { cancel } of waits.values()) cancel()
      for (const stop of stops) stop()
      for (const stop of [...boxStops.values(), ...sharedStops.values()]) stop()
      boxStops.clear()
      sharedStops.clear()
    },
  }
}
