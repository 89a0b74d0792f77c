import { describe, expect, it, vi } from 'vitest'
import { Cell, fromBase64Url, ok, toBase64Url, toHex } from '../../base'
import type { SpaceId, SpaceRow, SwarmBoxEntry } from '../../echo'
import { generateKeyPair, newSwarmSecret, sealFor, swarmCommitment, swarmRoom, type PublicKey } from '../../halo'
import { openSealedBox, signWith } from '../../halo/testing'
import type { RoomEntry } from './mesh-service'
import { aadOf, roomsOf, signedBytesOf, type SpaceKeys } from './swarm-boxes'
import { createWelcomes } from '../invites/welcomes'
import { swarmKeysOf } from './testing/swarm-keys'
import { followSwarmSecrets, type SharedSpaces, type SwarmSecrets } from './swarm-secrets'

type Pair = ReturnType<typeof generateKeyPair>
const SPACE = 'a'.repeat(64) as SpaceId
const WAIT = { timeout: 5_000 }

/** The personal root's `spaceKeys` for one space, as a device's copy holds it (grow-only, one entry per key). */
class Store {
  readonly entries = new Cell<readonly SwarmBoxEntry[]>([])
  add(entry: SwarmBoxEntry): boolean {
    const key = (each: SwarmBoxEntry) => [each.generation, each.recipient, each.sealer, each.commitment].join(':')
    if (this.entries.get().some((each) => key(each) === key(entry))) return false
    this.entries.set([...this.entries.get(), entry])
    return true
  }
  /** What a sync brings: the other copy's entries. */
  merge(other: Store): void {
    for (const entry of other.entries.get()) this.add(entry)
  }
}

/** An identity's devices as every device's HALO sees them (live list, revoked set). */
class Devices {
  readonly live = new Cell<readonly PublicKey[]>([])
  readonly revoked = new Set<PublicKey>()
  constructor(pairs: readonly Pair[]) {
    this.live.set(pairs.map((pair) => pair.publicKey))
  }
  revoke(device: PublicKey): void {
    this.revoked.add(device)
    this.live.set(this.live.get().filter((each) => each !== device))
  }
}

const row: SpaceRow = {
  id: SPACE,
  rootUrl: 'automerge:x',
  identity: '',
  name: '',
  personal: 1,
  archived: 0,
  createdAt: 0,
}

/** A shared space as the mesh sees it: its root's entries, and the other members' devices it met, judged by the fold. */
class Shared implements SharedSpaces {
  readonly store = new Store()
  /** Devices met in the room: whether their identity is a member now, and may write. */
  readonly met = new Map<PublicKey, { member: boolean; writer: boolean }>()
  exclusions = 0
  mayWrite = true
  readonly #listeners = new Set<() => void>()
  boxes = (spaceId: SpaceId) => (spaceId === SPACE ? this.store.entries : undefined)
  add = (_spaceId: SpaceId, entry: SwarmBoxEntry) => {
    this.store.add(entry)
  }
  maySeal = () => this.mayWrite
  devices = () => [...this.met].filter(([, each]) => each.member).map(([device]) => device)
  isSealer = (_spaceId: SpaceId, device: PublicKey) => {
    const each = this.met.get(device)
    return each?.member === true && each.writer
  }
  isExcluded = (_spaceId: SpaceId, device: PublicKey) => this.met.get(device)?.member === false
  floor = () => 1 + this.exclusions
  /** The device that signed the last exclusion (undefined: none, or unknown). */
  drawer: PublicKey | undefined = undefined
  excludedBy = () => this.drawer
  onChange = (listener: () => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
  /** The fold or the rooms changed. */
  changed(): void {
    for (const listener of [...this.#listeners]) listener()
  }
}

/** The personal space as swarm secrets use it: boxes kept in `store`, the spaces it lists. */
const personalOf = (store: Store, listed: unknown = []) => ({
  swarmBoxes: () => store.entries,
  addSwarmBox: (_actor: unknown, _spaceId: unknown, entry: SwarmBoxEntry) => ok(store.add(entry)),
  listSpace: () => ok(false),
  listedSpaces: new Cell(listed as never),
})

const follow = (pair: Pair, store: Store, devices: Devices, shared?: Shared, drawWaitMs?: number): SwarmSecrets =>
  followSwarmSecrets({
    ...(shared === undefined ? {} : { shared }),
    ...(drawWaitMs === undefined ? {} : { drawWaitMs }),
    actor: { identity: pair.publicKey } as never,
    deviceKey: pair.publicKey,
    personal: personalOf(store),
    spaces: new Cell<readonly SpaceRow[] | undefined>([row]),
    devices: devices.live,
    isRevoked: (device) => devices.revoked.has(device),
    keys: swarmKeysOf(pair),
  })

/** An entry `sealer` writes for `recipient`; `lie` changes what a forger would change. */
const entryOf = (
  sealer: Pair,
  recipient: PublicKey,
  secret: Uint8Array,
  lie: { generation?: number; commitment?: string; box?: string; signer?: Pair } = {},
): SwarmBoxEntry => {
  const generation = lie.generation ?? 1
  const unsigned = {
    generation,
    recipient,
    sealer: sealer.publicKey,
    box: lie.box ?? toBase64Url(sealFor(recipient, secret, aadOf(SPACE, generation, recipient))),
    commitment: lie.commitment ?? swarmCommitment(secret, SPACE, generation),
  }
  return { ...unsigned, sig: toHex(signWith(lie.signer ?? sealer, signedBytesOf(SPACE, unsigned))) }
}

const roomOf = (secret: Uint8Array, generation = 1): RoomEntry => ({
  spaceId: SPACE,
  generation,
  room: swarmRoom(secret, SPACE, generation),
})

const current = (secrets: SwarmSecrets) => secrets.rooms.get()[0]

describe('swarm secrets: signed, committed entries, generations and rotation', () => {
  it('ignores a forged entry (bad signature, a stranger, a secret not matching its commitment, junk) and it blocks nothing', async () => {
    const [laptop, phone, stranger] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const devices = new Devices([laptop, phone])
    const store = new Store()
    const good = newSwarmSecret()
    const forged = newSwarmSecret()
    const me = phone.publicKey
    // Each forgery would win if believed: every one claims a commitment below the good one's, or is the only one.
    store.add(entryOf(laptop, me, forged, { signer: stranger, commitment: '0'.repeat(64) }))
    store.add(entryOf(stranger, me, forged, { commitment: '1'.repeat(64) }))
    store.add(entryOf(laptop, me, forged, { commitment: '2'.repeat(64) }))
    store.add(entryOf(laptop, me, forged, { commitment: '3'.repeat(64), box: 'AAAA' }))
    store.add(entryOf(laptop, me, good))
    const secrets = follow(phone, store, devices)
    expect(secrets.rooms.get()).toEqual([roomOf(good)])
    expect(secrets.secret(SPACE)?.secret).toEqual(good)
    // Nothing was drawn or rotated: a forgery is not a revocation.
    await vi.waitFor(() => {
      expect(store.entries.get().filter((entry) => entry.generation > 1)).toEqual([])
    }, WAIT)
    secrets.stop()
  })

  it('an entry signed by a revoked device is not used, and its secret is replaced at the next generation', async () => {
    const [laptop, phone, old] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const devices = new Devices([laptop, phone, old])
    devices.revoke(old.publicKey)
    const store = new Store()
    const good = newSwarmSecret()
    const leaked = newSwarmSecret()
    store.add(entryOf(old, phone.publicKey, leaked, { commitment: swarmCommitment(leaked, SPACE, 1) }))
    store.add(entryOf(laptop, phone.publicKey, good))
    const secrets = follow(phone, store, devices)
    await vi.waitFor(() => {
      expect(current(secrets)?.generation).toBe(2)
    }, WAIT)
    // The previous generation's room is the good secret's, never the revoked sealer's.
    expect(secrets.rooms.get()[1]).toEqual(roomOf(good))
    expect(JSON.stringify(secrets.rooms.get())).not.toContain(swarmRoom(leaked, SPACE, 1).roomId)
    secrets.stop()
  })

  it('two devices drawing different secrets at once converge on one room', async () => {
    const [laptop, phone] = [generateKeyPair(), generateKeyPair()]
    const devices = new Devices([laptop, phone])
    const [onLaptop, onPhone] = [new Store(), new Store()]
    const a = follow(laptop, onLaptop, devices)
    const b = follow(phone, onPhone, devices)
    await vi.waitFor(() => {
      expect(onLaptop.entries.get()).toHaveLength(2)
      expect(onPhone.entries.get()).toHaveLength(2)
    }, WAIT)
    expect(current(a)?.room).not.toEqual(current(b)?.room)
    // They meet (the personal root syncs) and each copy takes the other's entries, and what they seal next.
    const stopSync = [
      onLaptop.entries.subscribe(() => onPhone.merge(onLaptop)),
      onPhone.entries.subscribe(() => onLaptop.merge(onPhone)),
    ]
    onLaptop.merge(onPhone)
    onPhone.merge(onLaptop)
    await vi.waitFor(() => {
      expect(current(a)).toEqual(current(b))
    }, WAIT)
    expect(a.rooms.get()).toHaveLength(1)
    const winner = [...onLaptop.entries.get()].sort((x, y) => (x.commitment < y.commitment ? -1 : 1))[0]
    expect(a.secret(SPACE)?.commitment).toBe(winner?.commitment)
    for (const stop of stopSync) stop()
    a.stop()
    b.stop()
  })

  it('a revocation draws a new generation sealed to the live devices only; a device that missed it meets in the previous room and catches up', async () => {
    const [laptop, phone, tablet] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const devices = new Devices([laptop, phone, tablet])
    const shared = new Store()
    const a = follow(laptop, shared, devices)
    const c = follow(tablet, shared, devices)
    // The phone was offline: its copy has what it had before (the first generation), nothing after.
    await vi.waitFor(() => {
      expect(current(c)).toEqual(current(a))
      const commitment = a.secret(SPACE)?.commitment
      expect(
        shared.entries.get().some((entry) => entry.recipient === phone.publicKey && entry.commitment === commitment),
      ).toBe(true)
    }, WAIT)
    const onPhone = new Store()
    onPhone.merge(shared)
    // Offline, its HALO has not heard of the revocation either.
    const b = follow(phone, onPhone, new Devices([laptop, phone, tablet]))
    const first = current(a)
    expect(current(b)).toEqual(first)
    expect(current(c)).toEqual(first)
    c.stop()

    devices.revoke(tablet.publicKey)
    await vi.waitFor(() => {
      expect(current(a)?.generation).toBe(2)
    }, WAIT)
    // The laptop is in the new room and still in the previous one; the tablet is sealed nothing new.
    expect(a.rooms.get()[1]).toEqual(first)
    const second = shared.entries.get().filter((entry) => entry.generation === 2)
    expect(second.map((entry) => entry.recipient).sort()).toEqual([laptop.publicKey, phone.publicKey].sort())
    // The phone, still at the first generation, meets the laptop in the previous room...
    expect(b.rooms.get()).toEqual([first])
    // ...syncs the personal root there, opens its new box and moves on.
    onPhone.merge(shared)
    await vi.waitFor(() => {
      expect(current(b)).toEqual(current(a))
    }, WAIT)
    expect(b.rooms.get()).toEqual(a.rooms.get())
    a.stop()
    b.stop()
  })

  it("in a shared space's root, forged entries (bad signature, a stranger, a removed member, a secret not matching its commitment, junk) are ignored and block nothing", async () => {
    const [ada, bo, gus, stranger] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const me = bo.publicKey
    const personal = new Store()
    const first = newSwarmSecret()
    personal.add(entryOf(bo, me, first))
    const shared = new Shared()
    shared.met.set(ada.publicKey, { member: true, writer: true })
    shared.met.set(gus.publicKey, { member: false, writer: true })
    shared.mayWrite = false
    const forged = newSwarmSecret()
    const at2 = { generation: 2 }
    // Each would win if believed: it claims a commitment below any real one, at a newer generation.
    shared.store.add(entryOf(ada, me, forged, { ...at2, signer: stranger, commitment: '0'.repeat(64) }))
    shared.store.add(entryOf(stranger, me, forged, { ...at2, commitment: '1'.repeat(64) }))
    shared.store.add(entryOf(gus, me, forged, { ...at2, commitment: swarmCommitment(forged, SPACE, 2) }))
    shared.store.add(entryOf(ada, me, forged, { ...at2, commitment: '2'.repeat(64) }))
    shared.store.add(entryOf(ada, me, forged, { ...at2, commitment: '3'.repeat(64), box: 'AAAA' }))
    const secrets = follow(bo, personal, new Devices([bo]), shared)
    expect(secrets.rooms.get()).toEqual([roomOf(first)])
    // A real entry from a member who may write still moves Bo on: nothing forged blocked it.
    const second = newSwarmSecret()
    shared.store.add(entryOf(ada, me, second, at2))
    await vi.waitFor(() => {
      expect(secrets.rooms.get()).toEqual([roomOf(second, 2), roomOf(first)])
    }, WAIT)
    // Bo keeps it in its personal root for its own devices (sealed to itself), never in the space's root.
    expect(personal.entries.get().some((entry) => entry.generation === 2 && entry.recipient === me)).toBe(true)
    expect(shared.store.entries.get().filter((entry) => entry.sealer === me)).toEqual([])
    secrets.stop()
  })

  it('a removal in the fold draws the next generation, sealed to current members and our devices only', async () => {
    const [ada, laptop, bo, gus] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const personal = new Store()
    const first = newSwarmSecret()
    personal.add(entryOf(ada, ada.publicKey, first))
    const shared = new Shared()
    shared.met.set(bo.publicKey, { member: true, writer: false })
    shared.met.set(gus.publicKey, { member: true, writer: true })
    const secrets = follow(ada, personal, new Devices([ada, laptop]), shared)
    await vi.waitFor(() => {
      expect(current(secrets)).toEqual(roomOf(first))
    }, WAIT)
    // Gus is removed: the fold applies one exclusion past the first generation.
    shared.met.set(gus.publicKey, { member: false, writer: true })
    shared.exclusions = 1
    shared.changed()
    await vi.waitFor(() => {
      expect(current(secrets)?.generation).toBe(2)
    }, WAIT)
    expect(secrets.rooms.get()[1]).toEqual(roomOf(first))
    const recipients = (store: Store) =>
      store.entries
        .get()
        .filter((entry) => entry.generation === 2)
        .map((entry) => entry.recipient)
        .sort()
    await vi.waitFor(() => {
      expect(recipients(shared.store)).toEqual([bo.publicKey])
      expect(recipients(personal)).toEqual([ada.publicKey, laptop.publicKey].sort())
    }, WAIT)
    // Bo opens its box and holds the same secret: it would move to the same room.
    const boxed = shared.store.entries.get().find((entry) => entry.generation === 2 && entry.recipient === bo.publicKey)
    const opened = openSealedBox(
      bo.secretKey,
      fromBase64Url(boxed?.box ?? '') ?? new Uint8Array(),
      aadOf(SPACE, 2, bo.publicKey),
    )
    expect(opened.ok && swarmCommitment(opened.value, SPACE, 2)).toBe(secrets.secret(SPACE)?.commitment)
    secrets.stop()
  })

  it("a sibling's box that comes before the removal it follows is sealed to no other member until the fold shows it", async () => {
    const [laptop, phone, bo, gus] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const personal = new Store()
    const first = newSwarmSecret()
    personal.add(entryOf(laptop, phone.publicKey, first))
    const shared = new Shared()
    shared.met.set(bo.publicKey, { member: true, writer: true })
    shared.met.set(gus.publicKey, { member: true, writer: true })
    const secrets = follow(phone, personal, new Devices([laptop, phone]), shared)
    await vi.waitFor(() => {
      expect(
        shared.store.entries
          .get()
          .map((entry) => entry.recipient)
          .sort(),
      ).toEqual([bo.publicKey, gus.publicKey].sort())
    }, WAIT)
    // The laptop removed Gus and drew the next generation; its box for the phone (the personal root) arrives first.
    const second = newSwarmSecret()
    personal.add(entryOf(laptop, phone.publicKey, second, { generation: 2 }))
    await vi.waitFor(() => {
      expect(current(secrets)).toEqual(roomOf(second, 2))
      // Sealed to itself: what it holds, it keeps.
      expect(personal.entries.get().some((entry) => entry.generation === 2 && entry.sealer === phone.publicKey)).toBe(
        true,
      )
    }, WAIT)
    const sealedAt2 = () =>
      shared.store.entries
        .get()
        .filter((entry) => entry.generation === 2)
        .map((entry) => entry.recipient)
    expect(sealedAt2()).toEqual([])
    // The removal arrives: Bo gets the second generation from the phone too, Gus never does, and nothing is drawn.
    shared.met.set(gus.publicKey, { member: false, writer: true })
    shared.exclusions = 1
    shared.changed()
    await vi.waitFor(() => {
      expect(sealedAt2()).toEqual([bo.publicKey])
    }, WAIT)
    expect(current(secrets)).toEqual(roomOf(second, 2))
    secrets.stop()
  })

  describe('a removal signed by another device that draws (one of ours, or a member who may write)', () => {
    /** The phone, sibling of the laptop, in a space shared with Bo and Gus; the laptop removes Gus. */
    const removedByTheLaptop = async (drawWaitMs?: number) => {
      const [laptop, phone, bo, gus] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
      const personal = new Store()
      personal.add(entryOf(laptop, phone.publicKey, newSwarmSecret()))
      const shared = new Shared()
      shared.met.set(bo.publicKey, { member: true, writer: true })
      shared.met.set(gus.publicKey, { member: true, writer: true })
      const secrets = follow(phone, personal, new Devices([laptop, phone]), shared, drawWaitMs)
      // The phone sealed the first generation to both on meeting them: once Gus is out, his box reads as exposed.
      await vi.waitFor(() => {
        expect(shared.store.entries.get()).toHaveLength(2)
      }, WAIT)
      shared.met.set(gus.publicKey, { member: false, writer: true })
      shared.exclusions = 1
      shared.drawer = laptop.publicKey
      shared.changed()
      return { laptop, phone, bo, gus, personal, shared, secrets }
    }
    const commitmentsAt2 = (store: Store) =>
      new Set(
        store.entries
          .get()
          .filter((entry) => entry.generation === 2)
          .map((entry) => entry.commitment),
      )

    it('is followed by its box: this device draws none of its own, so both are in one room', async () => {
      const { laptop, phone, personal, secrets } = await removedByTheLaptop()
      // The removal came first (the space's root); the laptop's box follows in the personal root.
      const second = newSwarmSecret()
      personal.add(entryOf(laptop, phone.publicKey, second, { generation: 2 }))
      await vi.waitFor(() => {
        expect(current(secrets)).toEqual(roomOf(second, 2))
      }, WAIT)
      expect(commitmentsAt2(personal)).toEqual(new Set([swarmCommitment(second, SPACE, 2)]))
      secrets.stop()
    })

    it('with no box in time, this device draws itself (the laptop may have gone offline)', async () => {
      const { phone, bo, gus, personal, shared, secrets } = await removedByTheLaptop(20)
      expect(current(secrets)?.generation).toBe(1)
      await vi.waitFor(() => {
        expect(current(secrets)?.generation).toBe(2)
      }, WAIT)
      expect(commitmentsAt2(personal)).toEqual(new Set([secrets.secret(SPACE)?.commitment]))
      // Sealed to Bo too (the phone knows why), never to Gus.
      await vi.waitFor(() => {
        expect(
          shared.store.entries
            .get()
            .filter((entry) => entry.generation === 2 && entry.sealer === phone.publicKey)
            .map((entry) => entry.recipient),
        ).toEqual([bo.publicKey])
      }, WAIT)
      expect(
        shared.store.entries.get().some((entry) => entry.generation === 2 && entry.recipient === gus.publicKey),
      ).toBe(false)
      secrets.stop()
    })

    it('a removal every 50 ms holds the draw back at most one wait from the first (review 15)', async () => {
      const { shared, secrets } = await removedByTheLaptop(150)
      // An admin keeps removing members, faster than the wait, and the laptop's box never comes.
      const REMOVALS = 40
      let removals = 0
      const removing = setInterval(() => {
        if (removals === REMOVALS) return
        removals++
        shared.exclusions++
        shared.changed()
      }, 50)
      try {
        await vi.waitFor(() => {
          expect(current(secrets)?.generation).toBeGreaterThan(1)
        }, WAIT)
        // Drawn while removals were still coming (before, each one started the wait again).
        expect(removals).toBeLessThan(REMOVALS)
      } finally {
        clearInterval(removing)
        secrets.stop()
      }
    })
  })

  describe("an invitation's welcome (review 13 G5)", () => {
    /** A device joining SPACE by invitation: its welcomes, and whether the space is here yet (its root arrived). */
    const joining = (listedSpaces: readonly { spaceId: SpaceId; rootUrl: string }[] = []) => {
      const me = generateKeyPair()
      const store = new Store()
      const shared = new Shared()
      const spaces = new Cell<readonly SpaceRow[] | undefined>([])
      const welcomes = createWelcomes()
      const secrets = followSwarmSecrets({
        shared,
        welcomed: welcomes,
        actor: { identity: me.publicKey } as never,
        deviceKey: me.publicKey,
        personal: personalOf(store, listedSpaces),
        spaces,
        devices: new Devices([me]).live,
        isRevoked: () => false,
        keys: swarmKeysOf(me),
      })
      const arrived = () => {
        spaces.set([{ ...row, personal: 0 }])
      }
      return { store, welcomes, secrets, arrived }
    }

    it('is held in memory: its room and root until the space is here, a later one replaces it, and its secret is sealed only then', async () => {
      const { store, welcomes, secrets, arrived } = joining()
      const junk = newSwarmSecret()
      const release = welcomes.hold(SPACE, { rootUrl: 'automerge:junk', generation: 2 ** 31 - 1, secret: junk })
      expect(secrets.rooms.get()).toEqual([roomOf(junk, 2 ** 31 - 1)])
      expect(secrets.toAdopt.get()).toEqual([{ spaceId: SPACE, rootUrl: 'automerge:junk' }])
      const real = newSwarmSecret()
      welcomes.hold(SPACE, { rootUrl: 'automerge:real', generation: 1, secret: real })
      expect(secrets.rooms.get()).toEqual([roomOf(real)])
      expect(secrets.toAdopt.get()).toEqual([{ spaceId: SPACE, rootUrl: 'automerge:real' }])
      // The replaced welcome's release lets go of nothing.
      release()
      expect(welcomes.get().has(SPACE)).toBe(true)
      expect(store.entries.get()).toEqual([])

      arrived()
      await vi.waitFor(() => {
        expect(welcomes.get().has(SPACE)).toBe(false)
      }, WAIT)
      expect(store.entries.get().map((entry) => entry.generation)).toEqual([1])
      expect(current(secrets)).toEqual(roomOf(real))
      expect(secrets.toAdopt.get()).toEqual([])
      secrets.stop()
    })

    it("never takes the place of a root the identity's personal root lists: its room is joined, the listed root adopted (review 14, H6)", () => {
      // Another device of the identity joined the space and listed its root; this device does not hold it yet, and a
      // host (one serving a fork, say) welcomes it with another root.
      const { secrets, welcomes } = joining([{ spaceId: SPACE, rootUrl: 'automerge:listed' }])
      const forked = newSwarmSecret()
      welcomes.hold(SPACE, { rootUrl: 'automerge:fork', generation: 1, secret: forked })
      expect(secrets.rooms.get()).toEqual([roomOf(forked)])
      expect(secrets.toAdopt.get()).toEqual([{ spaceId: SPACE, rootUrl: 'automerge:listed' }])
      secrets.stop()
    })

    it('is not used above a few generations past what the adopted root shows, and nothing of ours is drawn instead', async () => {
      const { store, welcomes, secrets, arrived } = joining()
      welcomes.hold(SPACE, { rootUrl: 'automerge:x', generation: 2 ** 31 - 1, secret: newSwarmSecret() })
      arrived()
      // The root shows no exclusion and no entry: generation 1 at most, so 9 at most (the slack is 8).
      expect(secrets.rooms.get()).toEqual([])
      welcomes.hold(SPACE, { rootUrl: 'automerge:x', generation: 10, secret: newSwarmSecret() })
      expect(secrets.rooms.get()).toEqual([])
      expect(store.entries.get()).toEqual([])
      const ninth = newSwarmSecret()
      welcomes.hold(SPACE, { rootUrl: 'automerge:x', generation: 9, secret: ninth })
      await vi.waitFor(() => {
        expect(store.entries.get().map((entry) => entry.generation)).toEqual([9])
      }, WAIT)
      expect(current(secrets)).toEqual(roomOf(ninth, 9))
      secrets.stop()
    })
  })

  describe('a registered space whose root is not stored here', () => {
    /** A device with SPACE registered (root `automerge:x`) and its secret sealed to itself; the personal root lists `listedRoot`. */
    const rootless = (listedRoot: string) => {
      const me = generateKeyPair()
      const store = new Store()
      const secret = newSwarmSecret()
      store.add(entryOf(me, me.publicKey, secret))
      const missing = new Cell<ReadonlySet<SpaceId>>(new Set())
      const secrets = followSwarmSecrets({
        rootless: missing,
        actor: { identity: me.publicKey } as never,
        deviceKey: me.publicKey,
        personal: personalOf(store, [{ spaceId: SPACE, rootUrl: listedRoot }]),
        spaces: new Cell<readonly SpaceRow[] | undefined>([{ ...row, personal: 0 }]),
        devices: new Devices([me]).live,
        isRevoked: () => false,
        keys: swarmKeysOf(me),
      })
      return { store, secret, missing, secrets }
    }

    it('is adopted again from its room, its secret as it was, nothing drawn', () => {
      const { store, secret, missing, secrets } = rootless('automerge:x')
      expect(secrets.rooms.get()).toEqual([roomOf(secret)])
      expect(secrets.toAdopt.get()).toEqual([])
      missing.set(new Set([SPACE]))
      expect(secrets.rooms.get()).toEqual([roomOf(secret)])
      expect(secrets.toAdopt.get()).toEqual([{ spaceId: SPACE, rootUrl: 'automerge:x' }])
      expect(store.entries.get()).toHaveLength(1)
      // Its root is here again: the space is here, nothing left to adopt.
      missing.set(new Set())
      expect(secrets.toAdopt.get()).toEqual([])
      secrets.stop()
    })

    it('is left alone when the personal root lists it with another root', () => {
      const { secret, missing, secrets } = rootless('automerge:other')
      missing.set(new Set([SPACE]))
      expect(secrets.rooms.get()).toEqual([roomOf(secret)])
      expect(secrets.toAdopt.get()).toEqual([])
      secrets.stop()
    })
  })
})

describe('the rooms a space is in', () => {
  it('are the current generation held and the three held below it, skipped numbers and all', () => {
    const held = new Map(
      [1, 2, 3, 5, 6, 7].map((generation) => [
        generation,
        { generation, secret: new Uint8Array([generation]), commitment: String(generation) },
      ]),
    )
    const keys: SpaceKeys = {
      top: 7,
      anySigned: true,
      held,
      claimed: new Map(),
      compromised: false,
      exposed: undefined,
      next: 8,
    }
    const { current, previous } = roomsOf(keys)
    expect([current?.generation, ...previous.map((each) => each.generation)]).toEqual([7, 6, 5, 3])
    expect(roomsOf({ ...keys, held: new Map() })).toEqual({ current: undefined, previous: [] })
  })
})
