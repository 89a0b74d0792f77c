import { describe, expect, it } from 'vitest'
import { Cell, err, fromBase64Url, ok, toBase64Url, toHex, type Clock } from '../../base'
import { generateKeyPair, type IdentityKey, type PublicKey } from '../../halo'
import { signWith } from '../../halo/testing'
import {
  newRepoId,
  runHandshake,
  type AuthenticatedPeer,
  type SwarmHandshake,
  LINK_CHANNEL,
  type WelcomeFrame,
  writeLinkFrame,
} from '../../mesh'
import type { LinkJoin, LinkOffer } from '../devices-api'
import { joinLink, UNREACHABLE_AFTER_MS, type LinkGuest } from './join'
import { LINK_TTL_MS, offerLink, type LinkHost } from './offer'
import { problem } from '../problem-words'
import type { LinkEdges, LinkRoom, LinkRoomKeys } from './ports'

/** A manual clock and timers: time moves only when a test says so. */
class ManualTime implements Clock {
  #now = 1_800_000_000_000
  readonly #timers = new Set<{ at: number; fire: () => void }>()
  now(): number {
    return this.#now
  }
  after = (ms: number, fire: () => void): (() => void) => {
    const timer = { at: this.#now + ms, fire }
    this.#timers.add(timer)
    return () => this.#timers.delete(timer)
  }
  advance(ms: number): void {
    this.#now += ms
    for (const timer of [...this.#timers]) {
      if (timer.at <= this.#now) {
        this.#timers.delete(timer)
        timer.fire()
      }
    }
  }
}

/** Link rooms that reach each other in memory: Trystero's password check, then both handshakes, then channels. */
class RoomNetwork {
  readonly rooms: FakeRoom[] = []
  /** Every frame on cp.link, with who sent it to whom. */
  readonly frames: { from: string; to: string; data: string }[] = []
  /** The cut the next connection suffers, if any. */
  nextCut: Cut | undefined
  #next = 0
  open = (room: { roomId: string; password: string }, handshake: SwarmHandshake): FakeRoom => {
    const joined = new FakeRoom(this, `peer${String(++this.#next)}`, room.roomId, room.password, handshake)
    // As Trystero: peers meet after joinRoom has returned.
    for (const other of this.rooms) {
      if (other.roomId === room.roomId) queueMicrotask(() => void this.connect(other, joined))
    }
    this.rooms.push(joined)
    return joined
  }
  async connect(a: FakeRoom, b: FakeRoom): Promise<void> {
    // Trystero refuses a wrong password before any handshake byte.
    if (a.password !== b.password || a.left || b.left) return
    const [toA, toB] = [new Queue(), new Queue()]
    const cut = this.nextCut
    this.nextCut = undefined
    cut?.onDrop(() => {
      toA.fail()
      toB.fail()
    })
    const sender = (queue: Queue, from: FakeRoom) => (data: string) => {
      if (cut?.loses(data, from) !== true) queue.push(data)
      return Promise.resolve()
    }
    const [outA, outB] = await Promise.all([
      a.handshake(b.selfId, sender(toB, a), () => toA.take(), true),
      b.handshake(a.selfId, sender(toA, b), () => toB.take(), false),
    ])
    if (!outA.ok || !outB.ok || a.isLeft() || b.isLeft()) return
    a.add(outA.value)
    b.add(outB.value)
  }
  deliver(from: FakeRoom, to: string, data: string): void {
    const room = this.rooms.find((r) => r.selfId === to && !r.left)
    if (!room?.authenticated.get().has(from.selfId)) return
    this.frames.push({ from: from.selfId, to, data })
    room.receive(data, from.selfId)
  }
  leave(room: FakeRoom): void {
    for (const other of this.rooms) other.drop(room.selfId)
  }
}

/** A connection that drops mid-handshake: the frames `lose` picks never arrive, and after `drop()` every read
 * rejects, as Trystero's do for a connection it closed or replaced. */
class Cut {
  readonly #lose: (data: string, from: FakeRoom) => boolean
  readonly #drops: (() => void)[] = []
  constructor(lose: (data: string, from: FakeRoom) => boolean) {
    this.#lose = lose
  }
  loses(data: string, from: FakeRoom): boolean {
    return this.#lose(data, from)
  }
  onDrop(fire: () => void): void {
    this.#drops.push(fire)
  }
  drop(): void {
    for (const fire of this.#drops.splice(0)) fire()
  }
}

class Queue {
  readonly #items: string[] = []
  readonly #waiting: { resolve: (value: { data: unknown }) => void; reject: (error: Error) => void }[] = []
  #failed = false
  push(data: string): void {
    const waiter = this.#waiting.shift()
    if (waiter) waiter.resolve({ data })
    else this.#items.push(data)
  }
  take(): Promise<{ data: unknown }> {
    if (this.#failed) return Promise.reject(new Error('peer disconnected during handshake'))
    const item = this.#items.shift()
    return item === undefined
      ? new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
      : Promise.resolve({ data: item })
  }
  fail(): void {
    this.#failed = true
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('peer disconnected during handshake'))
  }
}

class FakeRoom implements LinkRoom {
  readonly authenticated = new Cell<ReadonlyMap<string, AuthenticatedPeer>>(new Map())
  readonly #listeners = new Set<(data: string, peerId: string) => void>()
  left = false
  /** Sends fail as the swarm's do for a peer that left without a word (`PeerGone`). */
  peerGone = false
  isLeft(): boolean {
    return this.left
  }
  readonly network: RoomNetwork
  readonly selfId: string
  readonly roomId: string
  readonly password: string
  readonly handshake: SwarmHandshake
  constructor(network: RoomNetwork, selfId: string, roomId: string, password: string, handshake: SwarmHandshake) {
    this.network = network
    this.selfId = selfId
    this.roomId = roomId
    this.password = password
    this.handshake = handshake
  }
  add(peer: AuthenticatedPeer): void {
    this.authenticated.set(new Map(this.authenticated.get()).set(peer.peerId, peer))
  }
  drop(peerId: string): void {
    if (!this.authenticated.get().has(peerId)) return
    const next = new Map(this.authenticated.get())
    next.delete(peerId)
    this.authenticated.set(next)
  }
  receive(data: string, from: string): void {
    for (const listener of [...this.#listeners]) listener(data, from)
  }
  channel(name: string) {
    expect(name).toBe(LINK_CHANNEL)
    return {
      send: (data: string, target?: string) => {
        if (this.peerGone) return Promise.reject(Object.assign(new Error('peer gone'), { code: 'peer-gone' }))
        for (const peerId of this.authenticated.get().keys()) {
          if (target === undefined || target === peerId) this.network.deliver(this, peerId, data)
        }
        return Promise.resolve()
      },
      subscribe: (listener: (data: string, peerId: string) => void) => {
        this.#listeners.add(listener)
        return () => this.#listeners.delete(listener)
      },
    }
  }
  leave(): Promise<void> {
    this.left = true
    this.network.leave(this)
    return Promise.resolve()
  }
}

/** Lets the event loop turn until `done` holds (no timed wait; the test's own timeout bounds it). */
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setImmediate(resolve))
}

/** Lets every queued microtask and the handshakes' crypto run, with no timed wait. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
}

const signer = (pair: ReturnType<typeof generateKeyPair>) => (bytes: Uint8Array) =>
  Promise.resolve(toHex(signWith(pair, bytes)))

/** A stand-in for halo's link room: the invite key is a key pair from K, the room a hash-free tag of K. */
const fakeLinkRoom = (secret: Uint8Array): LinkRoomKeys => {
  const invite = generateKeyPairFromSecret(secret)
  return {
    roomId: `room-${toBase64Url(secret).slice(0, 12)}`,
    password: toBase64Url(secret),
    inviteKey: invite.publicKey,
    signInvite: signer(invite),
  }
}
const invites = new Map<string, ReturnType<typeof generateKeyPair>>()
const generateKeyPairFromSecret = (secret: Uint8Array) => {
  const id = toBase64Url(secret)
  const pair = invites.get(id) ?? generateKeyPair()
  invites.set(id, pair)
  return pair
}

/** The test's link payload is K itself. */
const secretOf = (offer: LinkOffer): Uint8Array => {
  const secret = fromBase64Url(offer.url.split('/#/join/')[1] ?? '')
  if (secret === undefined) throw new Error('no secret in the link')
  return secret
}

/** A chain in these tests is `{ identity, device }`; the real check is halo's and has its own tests. */
const edgesFor = (network: RoomNetwork, time: ManualTime): LinkEdges => ({
  clock: time,
  after: time.after,
  openRoom: network.open,
  linkRoom: fakeLinkRoom,
  invitationRoom: (spaceId, rendezvous) => ({
    roomId: `invitation-${spaceId}-${toHex(rendezvous)}`,
    password: toHex(rendezvous),
  }),
  verifyPeerDevice: (chain, device) => {
    const c = chain as { identity?: string; device?: string } | null
    return Promise.resolve(
      c?.device === device && typeof c.identity === 'string'
        ? ok({ identity: c.identity as IdentityKey })
        : err({ code: 'bad-chain' as const }),
    )
  },
  repoId: (device) => newRepoId(device),
})

const setup = (
  options: {
    /** What Allow hands the new device as the identity's credentials. */
    credentials?: readonly unknown[]
    /** The new device's store waits for this. */
    storing?: Promise<void>
  } = {},
) => {
  const network = new RoomNetwork()
  const time = new ManualTime()
  const edges = edgesFor(network, time)
  const identity = generateKeyPair<IdentityKey>()
  const deviceA = generateKeyPair()
  const authorized: { device: PublicKey; name: string }[] = []
  const revoked: PublicKey[] = []
  const host: LinkHost = {
    identityKey: identity.publicKey,
    deviceKey: deviceA.publicKey,
    chain: { identity: identity.publicKey, device: deviceA.publicKey },
    sign: signer(deviceA),
    profile: { name: 'Ada', signedBy: identity.publicKey },
    authorizeDevice: (device, name) => {
      authorized.push({ device, name })
      return Promise.resolve(
        ok({ chain: { identity: identity.publicKey, device }, credentials: options.credentials ?? [{ c: 1 }] }),
      )
    },
    revokeDevice: (device) => {
      revoked.push(device)
      return Promise.resolve(ok(undefined))
    },
    personal: () =>
      Promise.resolve(
        ok({
          spaceId: 'a'.repeat(64),
          rootUrl: 'automerge:xyz',
          generation: 1,
          secret: toBase64Url(new Uint8Array(32).fill(7)),
        }),
      ),
  }
  let payload: { identityKey: IdentityKey; secret: Uint8Array; expiresAt: number } | undefined
  const offer = (): LinkOffer => {
    const made = offerLink({
      edges,
      host,
      origin: 'https://commonplace.test',
      newSecret: () => crypto.getRandomValues(new Uint8Array(32)),
      encodeLink: (link) => {
        payload = { ...link, secret: link.secret.slice() }
        return toBase64Url(link.secret)
      },
    })
    if (!made.ok) throw new Error('offer refused')
    return made.value
  }
  const stored: WelcomeFrame[] = []
  const guestOf = (): LinkGuest => {
    const pair = generateKeyPair()
    return {
      deviceKey: pair.publicKey,
      sign: signer(pair),
      verifyProfile: (profile, id) => {
        const p = profile as { name?: string; signedBy?: string }
        return p.signedBy === id && typeof p.name === 'string'
          ? { name: p.name, avatar: { colour: '#123456' } }
          : undefined
      },
      store: async (welcome) => {
        await options.storing
        stored.push(welcome)
        // The personal space was the only one: everything is here once stored.
        return ok({ progress: new Cell({ done: 1, total: 1 }), stop: () => undefined })
      },
    }
  }
  const join = (offered: LinkOffer, secret?: Uint8Array): { join: LinkJoin; guest: LinkGuest } => {
    if (payload === undefined) throw new Error('no link')
    const guest = guestOf()
    const fromUrl = secretOf(offered)
    const invitation = {
      identityKey: payload.identityKey,
      secret: secret ?? fromUrl,
      expiresAt: payload.expiresAt,
      fingerprint: 'AB12',
    }
    return { join: joinLink({ edges, invitation, guest }), guest }
  }
  return { network, time, offer, join, authorized, revoked, stored, identity, host }
}

const kinds = (cell: { subscribe(listener: (value: { kind: string }) => void): () => void }) => {
  const seen: string[] = []
  cell.subscribe((value) => seen.push(value.kind))
  return seen
}
const stateOf = <T>(cell: { get(): T }): T => cell.get()

describe('device linking', () => {
  it('links B to A: same code on both, Allow, and B stores the identity, its chain and the personal space', async () => {
    const { offer, join, authorized, stored, identity } = setup()
    const a = offer()
    expect(a.url).toMatch(/^https:\/\/commonplace\.test\/#\/join\//)
    const aSteps = kinds(a.state)
    const { join: b, guest } = join(a)
    const bSteps = kinds(b.state)
    await until(() => b.state.get().kind === 'found')
    expect(stateOf(b.state)).toEqual({ kind: 'found', name: 'Ada', avatar: { colour: '#123456' }, fingerprint: 'AB12' })
    expect(await b.request('  Phone  ')).toEqual(ok(undefined))
    await until(() => a.state.get().kind === 'confirm')
    const aConfirm = stateOf(a.state)
    const bConfirm = stateOf(b.state)
    if (aConfirm.kind !== 'confirm' || bConfirm.kind !== 'confirm') throw new Error('not confirming')
    expect(aConfirm.code).toMatch(/^\d{6}$/)
    expect(aConfirm.code).toBe(bConfirm.code)
    expect(aConfirm.deviceName).toBe('Phone')
    a.allow()
    await until(() => b.state.get().kind === 'linked' && a.state.get().kind === 'linked')
    expect(authorized).toEqual([{ device: guest.deviceKey, name: 'Phone' }])
    expect(stored).toHaveLength(1)
    expect(stored[0]?.identityKey).toBe(identity.publicKey)
    expect(stored[0]?.chain).toEqual({ identity: identity.publicKey, device: guest.deviceKey })
    expect(stored[0]?.personal.rootUrl).toBe('automerge:xyz')
    expect(stateOf(b.state)).toEqual({ kind: 'linked' })
    expect(stateOf(a.state)).toEqual({ kind: 'linked', deviceName: 'Phone' })
    expect(aSteps).toEqual(['confirm', 'linking', 'linked'])
    expect(bSteps).toEqual(['found', 'confirm', 'receiving', 'receiving', 'linked'])
  })

  it('Deny: both read denied and nothing is authorized or stored', async () => {
    const { offer, join, authorized, stored } = setup()
    const a = offer()
    const { join: b } = join(a)
    await until(() => b.state.get().kind === 'found')
    await b.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    a.deny()
    await until(() => b.state.get().kind === 'denied')
    expect(stateOf(a.state)).toEqual({ kind: 'denied' })
    expect(stateOf(b.state)).toEqual({ kind: 'denied' })
    expect(authorized).toEqual([])
    expect(stored).toEqual([])
  })

  it('an expired link: A refuses the handshake with link-expired, B reads expired, nothing stored', async () => {
    const { offer, join, time, stored, network } = setup()
    const a = offer()
    // A's timer has not fired (its page slept), but its handshake still checks the time.
    time.advance(0)
    const clockSkew = LINK_TTL_MS + 1
    const { join: b } = join(a)
    ;(time as unknown as { now: () => number }).now = (
      (base) => () =>
        base + clockSkew
    )(time.now())
    await until(() => b.state.get().kind === 'expired')
    expect(stateOf(b.state)).toEqual({ kind: 'expired' })
    expect(stored).toEqual([])
    expect(network.frames).toEqual([])
  })

  it('B reads expired at once from the payload, and A ends its offer when the time runs out', () => {
    const { offer, join, time, network } = setup()
    const a = offer()
    time.advance(LINK_TTL_MS)
    expect(stateOf(a.state)).toEqual({ kind: 'expired' })
    const { join: b } = join(a)
    expect(stateOf(b.state)).toEqual({ kind: 'expired' })
    expect(network.rooms.filter((r) => !r.left)).toEqual([])
  })

  it('a used link: a second device is refused with link-used and gets no frame; A leaves the room at expiry', async () => {
    const { offer, join, stored, network, time } = setup()
    const a = offer()
    const { join: first } = join(a)
    await until(() => first.state.get().kind === 'found')
    await first.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    a.allow()
    await until(() => first.state.get().kind === 'linked')
    expect(stateOf(first.state)).toEqual({ kind: 'linked' })
    // A stays in the room until its panel closes or the time runs out: a second device is refused.
    const { join: second } = join(a)
    await until(() => second.state.get().kind === 'used')
    expect(stored).toHaveLength(1)
    const secondRoom = network.rooms.at(-1)
    expect(network.frames.filter((f) => f.to === secondRoom?.selfId)).toEqual([])
    time.advance(LINK_TTL_MS)
    expect(stateOf(a.state)).toEqual({ kind: 'linked', deviceName: 'Phone' })
    expect(network.rooms[0]?.left).toBe(true)
  })

  it('a second guest while the first is confirming is refused with link-used', async () => {
    const { offer, join, network } = setup()
    const a = offer()
    const { join: first } = join(a)
    await until(() => first.state.get().kind === 'found')
    await first.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    const { join: second } = join(a)
    await until(() => second.state.get().kind === 'used')
    expect(stateOf(second.state)).toEqual({ kind: 'used' })
    expect(stateOf(a.state).kind).toBe('confirm')
    const secondRoom = network.rooms.at(-1)
    expect(network.frames.filter((f) => f.to === secondRoom?.selfId)).toEqual([])
  })

  it('a guest with a wrong secret never meets A and gets zero bytes; after 8 s it says unreachable', async () => {
    const { offer, join, network, time } = setup()
    const a = offer()
    const { join: b } = join(a, crypto.getRandomValues(new Uint8Array(32)))
    await settle()
    expect(network.frames).toEqual([])
    expect(stateOf(b.state)).toEqual({ kind: 'looking' })
    time.advance(UNREACHABLE_AFTER_MS)
    expect(stateOf(b.state)).toEqual({ kind: 'unreachable' })
    expect(stateOf(a.state)).toEqual({ kind: 'waiting' })
  })

  it('a guest in the right room with the wrong invite key is refused not-invited with zero frames', async () => {
    const { offer, network, time, identity } = setup()
    const a = offer()
    const K = secretOf(a)
    const keys = fakeLinkRoom(K)
    const intruder = generateKeyPair()
    const other = generateKeyPair()
    const edges = edgesFor(network, time)
    const b = joinLink({
      edges: { ...edges, linkRoom: () => ({ ...keys, signInvite: signer(other) }) },
      invitation: {
        identityKey: identity.publicKey,
        secret: K,
        expiresAt: time.now() + 60_000,
        fingerprint: 'x',
      },
      guest: {
        deviceKey: intruder.publicKey,
        sign: signer(intruder),
        verifyProfile: () => undefined,
        store: () => Promise.reject(new Error('must not store')),
      },
    })
    await until(() => b.state.get().kind === 'failed')
    expect(network.frames).toEqual([])
    expect(stateOf(b.state).kind).toBe('failed')
    expect(stateOf(a.state)).toEqual({ kind: 'waiting' })
  })

  it('A says linked only once B says it stored the identity, not when the welcome was sent', async () => {
    let stored = (): void => undefined
    const { offer, join } = setup({ storing: new Promise((resolve) => (stored = resolve)) })
    const a = offer()
    const { join: b } = join(a)
    await until(() => b.state.get().kind === 'found')
    await b.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    a.allow()
    await until(() => b.state.get().kind === 'receiving')
    await settle()
    expect(stateOf(a.state).kind).toBe('linking')
    stored()
    await until(() => a.state.get().kind === 'linked')
    expect(stateOf(a.state)).toEqual({ kind: 'linked', deviceName: 'Phone' })
  })

  it('a welcome B cannot read (over the frame cap): B says so, and A takes the device back instead of saying linked', async () => {
    const { offer, join, authorized, revoked, stored } = setup({ credentials: [{ pad: 'x'.repeat(300_000) }] })
    const a = offer()
    const { join: b, guest } = join(a)
    await until(() => b.state.get().kind === 'found')
    await b.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    a.allow()
    await until(() => b.state.get().kind === 'failed' && a.state.get().kind === 'failed')
    expect(stateOf(b.state)).toEqual({ kind: 'failed', problem: problem('link-unreadable') })
    expect(stored).toEqual([])
    expect(authorized.map((each) => each.device)).toEqual([guest.deviceKey])
    await until(() => revoked.length === 1)
    expect(revoked).toEqual([guest.deviceKey])
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
  })

  const unreadable = [
    'not json',
    '{"v":1,"t":"request","deviceName":""}',
    `{"v":1,"t":"request","deviceName":"${'x'.repeat(65)}"}`,
    '{"v":1,"t":"welcome"}',
    '{"v":2,"t":"denied"}',
    `{"v":1,"t":"request","deviceName":"a","pad":"${'y'.repeat(300_000)}"}`,
  ]

  /** A and B in their room, B having found A. */
  const foundPair = async () => {
    const { offer, join, network, authorized } = setup()
    const a = offer()
    const { join: b } = join(a)
    await until(() => b.state.get().kind === 'found')
    const [roomA, roomB] = network.rooms
    if (!roomA || !roomB) throw new Error('rooms')
    return { a, b, roomA, roomB, authorized }
  }

  it('a frame from A that B cannot read ends the join with words, not a wait; A hears that B went', async () => {
    for (const data of unreadable) {
      const { a, b, roomA, roomB } = await foundPair()
      roomB.receive(data, roomA.selfId)
      expect(stateOf(b.state)).toEqual({ kind: 'failed', problem: problem('link-unreadable') })
      expect(roomB.left).toBe(true)
      expect(await b.request('Phone')).toEqual(err(expect.objectContaining({ code: 'link-not-ready' })))
      expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-peer-left') })
    }
  })

  it('a frame from B that A cannot read ends the offer with words; nothing is authorized', async () => {
    for (const data of unreadable) {
      const { a, b, roomA, roomB, authorized } = await foundPair()
      roomA.receive(data, roomB.selfId)
      expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-unreadable') })
      expect(roomA.left).toBe(true)
      expect(authorized).toEqual([])
      expect(stateOf(b.state)).toEqual({ kind: 'failed', problem: problem('link-peer-left') })
    }
  })

  it('frames from a peer of the room that is not the other device are ignored on both sides', async () => {
    const { a, b, roomA, roomB } = await foundPair()
    for (const data of [...unreadable, JSON.stringify({ v: 1, t: 'denied' })]) {
      roomA.receive(data, 'stranger')
      roomB.receive(data, 'stranger')
    }
    await settle()
    expect(stateOf(a.state)).toEqual({ kind: 'waiting' })
    expect(stateOf(b.state).kind).toBe('found')
    expect(await b.request('')).toEqual(
      err(expect.objectContaining({ code: 'device-name-required', field: 'deviceName' })),
    )
  })

  it('cancel leaves the room on both sides', async () => {
    const { offer, join, network } = setup()
    const a = offer()
    const { join: b } = join(a)
    await until(() => b.state.get().kind === 'found')
    a.cancel()
    b.cancel()
    expect(network.rooms.every((r) => r.left)).toBe(true)
  })
})

/** Holds A's authorizeDevice until the test lets it go on. */
const holdAuthorize = (host: LinkHost): (() => void) => {
  const original = host.authorizeDevice.bind(host)
  let release = (): void => undefined
  host.authorizeDevice = (device, name) =>
    new Promise((resolve) => {
      release = () => {
        original(device, name).then(resolve, () => undefined)
      }
    })
  return () => {
    release()
  }
}

/** B found A and asked; A shows the code. */
const confirming = async (ctx: ReturnType<typeof setup>) => {
  const a = ctx.offer()
  const { join: b, guest } = ctx.join(a)
  await until(() => b.state.get().kind === 'found')
  expect(await b.request('Phone')).toEqual(ok(undefined))
  await until(() => a.state.get().kind === 'confirm')
  return { a, b, guest }
}

/** A pressed Allow and is authorizing B's device, held until `release`. */
const allowing = async (ctx: ReturnType<typeof setup>) => {
  const release = holdAuthorize(ctx.host)
  const { a, guest } = await confirming(ctx)
  a.allow()
  await until(() => a.state.get().kind === 'linking')
  return { a, guest, release }
}

describe('device linking: Allow racing the end of the link', () => {
  it('the link expires while Allow authorizes: A says it failed, the device is revoked and B gets no welcome', async () => {
    const ctx = setup()
    const { a, guest, release } = await allowing(ctx)
    ctx.time.advance(LINK_TTL_MS)
    release()
    await until(() => ctx.revoked.length > 0)
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
    expect(ctx.authorized.map((each) => each.device)).toEqual([guest.deviceKey])
    expect(ctx.revoked).toEqual([guest.deviceKey])
    expect(ctx.stored).toEqual([])
  })

  it('B is gone when its welcome is sent: the send fails, A says it failed and the device is revoked', async () => {
    const ctx = setup()
    const { a, guest, release } = await allowing(ctx)
    const hostRoom = ctx.network.rooms[0]
    if (hostRoom === undefined) throw new Error('A has no room')
    hostRoom.peerGone = true
    release()
    await until(() => ctx.revoked.length > 0)
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
    expect(ctx.revoked).toEqual([guest.deviceKey])
    expect(ctx.stored).toEqual([])
  })

  it('Cancel while Allow authorizes, and revoking needs the phrase: A says to remove the device', async () => {
    const ctx = setup()
    ctx.host.revokeDevice = () => Promise.resolve(err(problem('identity-unlock-needed')))
    const { a, release } = await allowing(ctx)
    a.cancel()
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
    release()
    await until(() => stateOf(a.state).kind === 'failed' && ctx.authorized.length === 1)
    await settle()
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended-remove-device') })
    expect(ctx.stored).toEqual([])
  })

  it("Allow after the link's time, before its timer fired (a page asleep), authorizes nothing and says expired", async () => {
    const ctx = setup()
    const { a } = await confirming(ctx)
    const late = ctx.time.now() + LINK_TTL_MS
    ctx.time.now = () => late
    a.allow()
    await settle()
    expect(stateOf(a.state)).toEqual({ kind: 'expired' })
    expect(ctx.authorized).toEqual([])
    expect(ctx.stored).toEqual([])
  })

  /** A allowed, the welcome went, and B is still storing it: A waits for `stored`. */
  const welcomedNotStored = async () => {
    const ctx = setup({ storing: new Promise(() => undefined) })
    const { a, b, guest } = await confirming(ctx)
    a.allow()
    await until(() => b.state.get().kind === 'receiving')
    await settle()
    expect(stateOf(a.state).kind).toBe('linking')
    return { ctx, a, guest }
  }

  it('Cancel after the welcome went and before B said stored: the device is taken back, as A says', async () => {
    const { ctx, a, guest } = await welcomedNotStored()
    a.cancel()
    await until(() => ctx.revoked.length > 0)
    expect(ctx.revoked).toEqual([guest.deviceKey])
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
  })

  it("the link's time runs out after the welcome went and before B said stored: the device is taken back", async () => {
    const { ctx, a, guest } = await welcomedNotStored()
    ctx.time.advance(LINK_TTL_MS)
    await until(() => ctx.revoked.length > 0)
    expect(ctx.revoked).toEqual([guest.deviceKey])
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
  })

  it('B says stored while Allow still authorizes: A is not linked by it, and a welcome that fails is taken back', async () => {
    const ctx = setup()
    const { a, guest, release } = await allowing(ctx)
    const [roomA, roomB] = ctx.network.rooms
    if (!roomA || !roomB) throw new Error('rooms')
    roomA.receive(writeLinkFrame({ v: 1, t: 'stored' }), roomB.selfId)
    expect(stateOf(a.state).kind).toBe('linking')
    roomA.peerGone = true
    release()
    await until(() => ctx.revoked.length > 0)
    expect(ctx.revoked).toEqual([guest.deviceKey])
    expect(stateOf(a.state)).toEqual({ kind: 'failed', problem: problem('link-ended') })
  })

  it("the link's time runs out while A shows the code: A says expired", async () => {
    const ctx = setup()
    const { a } = await confirming(ctx)
    ctx.time.advance(LINK_TTL_MS)
    expect(stateOf(a.state)).toEqual({ kind: 'expired' })
  })
})

/**
 * A peer that saw the link (it holds K): it proves the invite key as a guest, then refuses A at its own last
 * check, so A's handshake passes A's check and still ends refused.
 */
const halfwayGuest = (ctx: ReturnType<typeof setup>, offer: LinkOffer): void => {
  const keys = fakeLinkRoom(secretOf(offer))
  const pair = generateKeyPair()
  const room: FakeRoom = ctx.network.open(
    { roomId: keys.roomId, password: keys.password },
    (peerId, send, receive, isInitiator) =>
      runHandshake({
        ctx: { kind: 'link', inviteKey: keys.inviteKey },
        roomPassword: keys.password,
        local: {
          peerId: room.selfId,
          repo: newRepoId(pair.publicKey),
          storage: null,
          identity: null,
          device: pair.publicKey,
          chain: null,
          sign: signer(pair),
          signInvite: (bytes) => keys.signInvite(bytes),
        },
        remotePeerId: peerId,
        send,
        receive,
        isInitiator,
        verifyChain: () => Promise.resolve(ok({ identity: ctx.identity.publicKey })),
        authorize: () => Promise.resolve(err({ code: 'bad-chain' })),
      }),
  )
}

describe('device linking over a connection that drops mid-handshake', () => {
  const done = (data: string): boolean => data.includes('"done"')
  /** A's offer, and B's join over a first connection that loses `lose`'s frames and then drops. */
  const dropped = async (lose: (data: string, from: FakeRoom, host: FakeRoom) => boolean) => {
    const ctx = setup()
    const a = ctx.offer()
    const host = ctx.network.rooms[0]
    if (host === undefined) throw new Error('no host room')
    const cut = new Cut((data, from) => lose(data, from, host))
    ctx.network.nextCut = cut
    const { join: b } = ctx.join(a)
    await settle()
    cut.drop()
    await settle()
    return { ctx, a, b, host, guest: ctx.network.rooms.at(-1) }
  }
  const linksOverTheNextConnection = async ({ ctx, a, b, host, guest }: Awaited<ReturnType<typeof dropped>>) => {
    expect(stateOf(b.state).kind).toBe('looking')
    if (guest === undefined) throw new Error('no guest room')
    await ctx.network.connect(host, guest)
    await until(() => b.state.get().kind === 'found')
    await b.request('Phone')
    await until(() => a.state.get().kind === 'confirm')
    a.allow()
    await until(() => b.state.get().kind === 'linked')
    expect(ctx.stored).toHaveLength(1)
  }

  it("A's check passed, B's done lost: the link is not held by the dead attempt", async () => {
    await linksOverTheNextConnection(await dropped((data, from, host) => from !== host && done(data)))
  })

  it("A let B in, A's done lost: B's device takes its link back over the next connection", async () => {
    await linksOverTheNextConnection(await dropped((data, from, host) => from === host && done(data)))
  })

  it('another device is still refused once B holds the link, and B still links', async () => {
    const made = await dropped((data, from, host) => from === host && done(data))
    const { join: other } = made.ctx.join(made.a)
    await until(() => other.state.get().kind === 'used')
    await linksOverTheNextConnection(made)
  })
})

describe('device linking: a peer who only saw the link cannot end it', () => {
  it('a reject sent by a peer that proved nothing leaves B confirming', async () => {
    const ctx = setup()
    const { a, b } = await confirming(ctx)
    const keys = fakeLinkRoom(secretOf(a))
    ctx.network.open({ roomId: keys.roomId, password: keys.password }, async (_peerId, send) => {
      await send(JSON.stringify({ v: 1, reject: 'link-expired' }))
      return err(new Error('refused') as never)
    })
    await settle()
    expect(stateOf(b.state).kind).toBe('confirm')
  })

  it('a reject from a peer that proved nothing, before B found A, does not end the join: B still finds A', async () => {
    const ctx = setup()
    const a = ctx.offer()
    const keys = fakeLinkRoom(secretOf(a))
    ctx.network.open({ roomId: keys.roomId, password: keys.password }, async (_peerId, send) => {
      await send(JSON.stringify({ v: 1, reject: 'link-used' }))
      return err(new Error('refused') as never)
    })
    await settle()
    const { join: b } = ctx.join(a)
    await until(() => b.state.get().kind !== 'looking')
    expect(stateOf(b.state).kind).toBe('found')
  })

  it("a guest that passes A's check but does not finish the handshake does not spend the link", async () => {
    const ctx = setup()
    const a = ctx.offer()
    halfwayGuest(ctx, a)
    await settle()
    expect(stateOf(a.state)).toEqual({ kind: 'waiting' })
    const { join: b } = ctx.join(a)
    await until(() => b.state.get().kind !== 'looking')
    expect(stateOf(b.state).kind).toBe('found')
  })
})

/**
 * One connection between A's room and a guest device's room, run by hand. `hold` keeps the guest's done back until
 * `release()`; `fail()` drops the connection as Trystero does. `hostDone` tells when A passed its own check.
 */
const connectByHand = (
  ctx: ReturnType<typeof setup>,
  guest: FakeRoom,
  pair: ReturnType<typeof generateKeyPair>,
  hold: boolean,
) => {
  const host = ctx.network.rooms[0]
  if (host === undefined) throw new Error('no host room')
  const keys = fakeLinkRoom(fromBase64Url(guest.password) ?? new Uint8Array())
  const [toHost, toGuest] = [new Queue(), new Queue()]
  const held: string[] = []
  let hostDone = false
  const hostOutcome = host.handshake(
    guest.selfId,
    (data) => {
      if (data.includes('"done"')) hostDone = true
      toGuest.push(data)
      return Promise.resolve()
    },
    () => toHost.take(),
    true,
  )
  const guestOutcome = runHandshake({
    ctx: { kind: 'link', inviteKey: keys.inviteKey },
    roomPassword: keys.password,
    local: {
      peerId: guest.selfId,
      repo: newRepoId(pair.publicKey),
      storage: null,
      identity: null,
      device: pair.publicKey,
      chain: null,
      sign: signer(pair),
      signInvite: (bytes) => keys.signInvite(bytes),
    },
    remotePeerId: host.selfId,
    send: (data) => {
      if (hold && data.includes('"done"')) held.push(data)
      else toHost.push(data)
      return Promise.resolve()
    },
    receive: () => toGuest.take(),
    isInitiator: false,
    verifyChain: () => Promise.resolve(ok({ identity: ctx.identity.publicKey })),
    authorize: () => Promise.resolve(ok(undefined)),
  })
  return {
    hostOutcome,
    guestOutcome,
    hostDone: () => hostDone,
    release: () => {
      for (const data of held.splice(0)) toHost.push(data)
    },
    fail: () => {
      toHost.fail()
      toGuest.fail()
    },
  }
}

describe('device linking: two handshakes of one device at once (review 13, G9)', () => {
  it('the first succeeds while the second is running, the second fails: the device still holds the link', async () => {
    const ctx = setup()
    const a = ctx.offer()
    const host = ctx.network.rooms[0]
    if (host === undefined) throw new Error('no host room')
    const keys = fakeLinkRoom(secretOf(a))
    const roomOf = (selfId: string): FakeRoom => {
      const room = new FakeRoom(ctx.network, selfId, keys.roomId, keys.password, () =>
        Promise.reject(new Error('unused')),
      )
      ctx.network.rooms.push(room)
      return room
    }
    const b = generateKeyPair()
    const [first, second] = [roomOf('b-first'), roomOf('b-second')]
    // A lets B in over its first connection, then over its second, before either has ended.
    const one = connectByHand(ctx, first, b, true)
    await until(one.hostDone)
    const two = connectByHand(ctx, second, b, true)
    await until(two.hostDone)
    one.release()
    const [hostOne, guestOne] = await Promise.all([one.hostOutcome, one.guestOutcome])
    if (!hostOne.ok || !guestOne.ok) throw new Error('the first connection did not pass')
    host.add(hostOne.value)
    first.add(guestOne.value)
    two.fail()
    expect((await two.hostOutcome).ok).toBe(false)

    // B speaks over the connection that passed, and A answers it.
    await first.channel(LINK_CHANNEL).send(writeLinkFrame({ v: 1, t: 'hello' }), host.selfId)
    await settle()
    const answers = ctx.network.frames.filter((frame) => frame.from === host.selfId && frame.to === 'b-first')
    expect(answers.map((frame) => JSON.parse(frame.data) as { t: string }).map((frame) => frame.t)).toEqual(['profile'])
    // And the link is still B's: another device is refused.
    const other = connectByHand(ctx, roomOf('c'), generateKeyPair(), false)
    const refused = await other.hostOutcome
    expect(refused.ok ? 'passed' : refused.error.code).toBe('link-used')
  })
})
