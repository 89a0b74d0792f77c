import { describe, expect, it, vi } from 'vitest'
import { concatBytes, err, ok, toHex, utf8 } from '../../base'
import { canonicalJson, type IdentityKey, type KeyPair } from '../../halo'
import { fixedKeyPair, signWith } from '../../halo/testing'
import { confirmationCode } from './confirmation-code'
import { newRepoId } from './messages'
import {
  contextString,
  roomKeyFrame,
  runHandshake,
  type HandshakeContext,
  type HandshakeOptions,
  type LocalParty,
} from './run-handshake'

/** One direction of a connection: frames wait in order until read. */
class Queue {
  readonly #items: unknown[] = []
  readonly #waiting: ((frame: { data: unknown }) => void)[] = []
  readonly sent: unknown[] = []

  push(data: unknown): void {
    this.sent.push(data)
    const waiter = this.#waiting.shift()
    if (waiter === undefined) this.#items.push(data)
    else waiter({ data })
  }

  receive = (): Promise<{ data: unknown }> =>
    this.#items.length > 0
      ? Promise.resolve({ data: this.#items.shift() })
      : new Promise((resolve) => this.#waiting.push(resolve))
}

const identity = fixedKeyPair(1)
const deviceA = fixedKeyPair(2)
const deviceB = fixedKeyPair(3)
const invite = fixedKeyPair(4)
const stranger = fixedKeyPair(5)
const PASSWORD = 'the room password'
const space: HandshakeContext = { kind: 'space', spaceId: 'space-1', generation: 1 }
const link: HandshakeContext = { kind: 'link', inviteKey: invite.publicKey }

/** Stands in for an AuthorizedDevice; real chains are halo's to verify (verifyPeerDevice). */
const chainFor = (device: KeyPair, issuer: KeyPair = identity) => ({
  issuer: issuer.publicKey,
  subject: device.publicKey,
})
const signer = (pair: KeyPair) => (bytes: Uint8Array) => Promise.resolve(toHex(signWith(pair, bytes)))

const party = (id: string, device: KeyPair, host: boolean, overrides: Partial<LocalParty> = {}): LocalParty => ({
  peerId: id,
  repo: newRepoId(device.publicKey),
  storage: toHex(utf8(id)).padStart(64, '0'),
  identity: host ? (identity.publicKey as IdentityKey) : null,
  device: device.publicKey,
  chain: host ? chainFor(device) : null,
  sign: signer(device),
  ...(host ? {} : { signInvite: signer(invite) }),
  ...overrides,
})

interface Checks {
  revoked?: ReadonlySet<string>
  members?: ReadonlySet<string>
}

const verifyChain =
  (checks: Checks): HandshakeOptions['verifyChain'] =>
  (chain, device) => {
    const c = chain as { issuer?: unknown; subject?: unknown }
    if (typeof c.issuer !== 'string' || c.subject !== device)
      return Promise.resolve(err({ code: 'bad-chain' as const }))
    if (checks.revoked?.has(device) === true) {
      return Promise.resolve(err({ code: 'revoked' as const, evidence: { revoked: device } }))
    }
    return Promise.resolve(ok({ identity: c.issuer as IdentityKey }))
  }

const authorize =
  (checks: Checks): HandshakeOptions['authorize'] =>
  (_ctx, peer) =>
    peer.identity === null || (checks.members ?? new Set([identity.publicKey])).has(peer.identity)
      ? Promise.resolve(ok(undefined))
      : Promise.resolve(err({ code: 'not-member' as const }))

/** Manual timers: nothing fires unless the test says so. */
const manualTimers = () => {
  const pending = new Set<{ ms: number; fire: () => void }>()
  return {
    after: (ms: number, fire: () => void) => {
      const timer = { ms, fire }
      pending.add(timer)
      return () => pending.delete(timer)
    },
    fireAll: () => {
      for (const { fire } of [...pending]) fire()
    },
    /** Fires the timers set for exactly `ms`. */
    fire: (ms: number) => {
      for (const timer of [...pending]) if (timer.ms === ms) timer.fire()
    },
    get delays() {
      return [...pending].map((timer) => timer.ms).sort((a, b) => a - b)
    },
    get count() {
      return pending.size
    },
  }
}

const side = (
  local: LocalParty,
  remotePeerId: string,
  inbox: Queue,
  outbox: Queue,
  isInitiator: boolean,
  ctx: HandshakeContext,
  checks: Checks = {},
  timers = manualTimers(),
  password = PASSWORD,
) =>
  runHandshake({
    ctx,
    local,
    remotePeerId,
    roomPassword: password,
    send: (data) => {
      outbox.push(data)
      return Promise.resolve()
    },
    receive: inbox.receive,
    isInitiator,
    verifyChain: verifyChain(checks),
    authorize: authorize(checks),
    after: timers.after,
  })

interface PairOptions {
  ctxA?: HandshakeContext
  ctxB?: HandshakeContext
  checksA?: Checks
  checksB?: Checks
  /** What B believes A's Trystero id is. */
  aSeenByB?: string
}

const pair = async (a: LocalParty, b: LocalParty, options: PairOptions = {}) => {
  const [toA, toB] = [new Queue(), new Queue()]
  const ctxA = options.ctxA ?? space
  const results = await Promise.all([
    side(a, b.peerId, toA, toB, true, ctxA, options.checksA),
    side(b, options.aSeenByB ?? a.peerId, toB, toA, false, options.ctxB ?? ctxA, options.checksB),
  ])
  return { results, toA, toB }
}

const codeOf = (result: Awaited<ReturnType<typeof runHandshake>>) => (result.ok ? 'ok' : result.error.code)
const remoteCodeOf = (result: Awaited<ReturnType<typeof runHandshake>>) =>
  result.ok ? undefined : result.error.remoteCode

/**
 * Drives one side by hand against B (the responder) running the real handshake, past the room key step: A's genuine
 * proof is sent and B's is read, so the script starts at the Hello.
 */
const scripted = (ctx: HandshakeContext, b: LocalParty, checks: Checks = {}) => {
  const [toA, toB] = [new Queue(), new Queue()]
  const timers = manualTimers()
  const result = side(b, 'peer-a', toB, toA, false, ctx, checks, timers)
  toB.push(roomKeyFrame(PASSWORD, contextString(ctx), 'peer-a', b.peerId))
  const theirKey = toA.receive()
  return {
    result,
    delays: () => timers.delays,
    send: (data: unknown) => {
      toB.push(data)
    },
    receive: async () => {
      await theirKey
      return (await toA.receive()).data
    },
  }
}

const helloOf = (local: LocalParty, ctx: HandshakeContext, nonce = 'A'.repeat(43)) => ({
  v: 1,
  ctx: contextString(ctx),
  peer: local.peerId,
  nonce,
  repo: local.repo,
  storage: local.storage,
  identity: local.identity,
  device: local.device,
})

const transcriptOf = (ctx: HandshakeContext, initiator: unknown, responder: unknown) =>
  utf8(canonicalJson({ format: 'commonplace/mesh-handshake/v1', ctx: contextString(ctx), initiator, responder }))

describe('runHandshake', () => {
  it('authenticates both devices of a space, each seeing the other, with one transcript', async () => {
    const a = party('peer-a', deviceA, true)
    const b = party('peer-b', deviceB, true)
    const { results } = await pair(a, b)
    const [ra, rb] = results
    expect(ra.ok && rb.ok).toBe(true)
    if (!ra.ok || !rb.ok) return
    expect(ra.value).toMatchObject({
      peerId: 'peer-b',
      device: deviceB.publicKey,
      repo: b.repo,
      identity: identity.publicKey,
    })
    expect(rb.value).toMatchObject({
      peerId: 'peer-a',
      device: deviceA.publicKey,
      repo: a.repo,
      storage: toHex(utf8('peer-a')).padStart(64, '0'),
    })
    expect(ra.value.transcript).toEqual(rb.value.transcript)
  })

  it('links a guest with the invite key to a host, and both get the same six-digit code', async () => {
    const host = party('peer-a', deviceA, true)
    const guest = party('peer-b', deviceB, false)
    const { results } = await pair(host, guest, { ctxA: link })
    const [ra, rb] = results
    if (!ra.ok || !rb.ok) throw new Error(`refused: ${codeOf(ra)} ${codeOf(rb)}`)
    expect(ra.value.identity).toBeNull()
    expect(rb.value.identity).toBe(identity.publicKey)
    const [codeA, codeB] = await Promise.all([
      confirmationCode(ra.value.transcript),
      confirmationCode(rb.value.transcript),
    ])
    expect(codeA).toMatch(/^\d{6}$/)
    expect(codeA).toBe(codeB)
  })

  it('refuses a Proof recorded in one session and replayed into a new one', async () => {
    const a = party('peer-a', deviceA, true)
    const b = party('peer-b', deviceB, true)
    const first = await pair(a, b)
    const [, recordedHello, recordedProof] = first.toB.sent
    const attack = scripted(space, b)
    attack.send(recordedHello)
    await attack.receive()
    await attack.receive()
    attack.send(recordedProof)
    expect(await attack.receive()).toBe(JSON.stringify({ v: 1, reject: 'bad-signature' }))
    expect(codeOf(await attack.result)).toBe('bad-signature')
  })

  it("refuses the peer's own Proof sent back to it", async () => {
    const b = party('peer-b', deviceB, true)
    // The attacker claims B's own device and repo so the reflected signature's key matches.
    const attack = scripted(space, b)
    attack.send(JSON.stringify(helloOf({ ...b, peerId: 'peer-a' }, space)))
    await attack.receive()
    attack.send(await attack.receive())
    expect(codeOf(await attack.result)).toBe('bad-signature')
  })

  it('refuses room key proofs made for another connection, on both sides', async () => {
    const { results } = await pair(party('peer-a', deviceA, true), party('peer-b', deviceB, true), {
      aSeenByB: 'peer-x',
    })
    expect(results.map(codeOf)).toEqual(['bad-room-key', 'bad-room-key'])
  })

  it('refuses a Hello whose peer id is not the connection’s, after a valid room key proof', async () => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    attack.send(JSON.stringify(helloOf(party('peer-x', deviceA, true), space)))
    await attack.receive()
    expect(await attack.receive()).toBe(JSON.stringify({ v: 1, reject: 'wrong-peer' }))
    expect(codeOf(await attack.result)).toBe('wrong-peer')
  })

  it.each([
    ['another space', { kind: 'space', spaceId: 'space-2', generation: 1 }],
    ['another generation', { kind: 'space', spaceId: 'space-1', generation: 2 }],
    ['a link room', link],
  ] as const)('refuses a peer in %s at its room key proof, and one whose Hello names it', async (_name, ctxB) => {
    const { results } = await pair(party('peer-a', deviceA, true), party('peer-b', deviceB, true), { ctxB })
    expect(results.map(codeOf)).toEqual(['bad-room-key', 'bad-room-key'])
    const attack = scripted(space, party('peer-b', deviceB, true))
    attack.send(JSON.stringify(helloOf(party('peer-a', deviceA, true), ctxB)))
    await attack.receive()
    expect(await attack.receive()).toBe(JSON.stringify({ v: 1, reject: 'wrong-context' }))
  })

  it('says nothing of itself to a peer holding another room’s password: its room key proof, then the reject', async () => {
    const [toA, toB] = [new Queue(), new Queue()]
    const a = party('peer-a', deviceA, true)
    const b = party('peer-b', deviceB, true)
    const results = await Promise.all([
      side(a, 'peer-b', toA, toB, true, space, {}, manualTimers(), 'another room’s password'),
      side(b, 'peer-a', toB, toA, false, space),
    ])
    expect(results.map(codeOf)).toEqual(['bad-room-key', 'bad-room-key'])
    for (const sent of [toA.sent, toB.sent]) {
      expect(sent.map((frame) => Object.keys(JSON.parse(frame as string) as object).join())).toEqual([
        'v,key',
        'v,reject',
      ])
      const said = sent.join('\n')
      for (const secret of [identity.publicKey, deviceA.publicKey, deviceB.publicKey, a.repo, b.repo, 'space-1'])
        expect(said).not.toContain(secret)
    }
  })

  it('refuses its own room key proof sent back to it, sending nothing but the reject', async () => {
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-b', deviceB, true), 'peer-a', toB, toA, false, space)
    toB.push((await toA.receive()).data)
    expect((await toA.receive()).data).toBe(JSON.stringify({ v: 1, reject: 'bad-room-key' }))
    expect(codeOf(await result)).toBe('bad-room-key')
  })

  it('refuses a remote under its own peer id before it says anything but the reject', async () => {
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-b', deviceB, true), 'peer-b', toB, toA, false, space)
    expect(codeOf(await result)).toBe('wrong-peer')
    expect(toA.sent).toEqual([JSON.stringify({ v: 1, reject: 'wrong-peer' })])
  })

  it('refuses a room key proof over its size before reading it', async () => {
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-b', deviceB, true), 'peer-a', toB, toA, false, space)
    const genuine = JSON.parse(roomKeyFrame(PASSWORD, contextString(space), 'peer-a', 'peer-b')) as object
    // Genuine but for trailing blanks that JSON allows: only the size check refuses it.
    toB.push(`${JSON.stringify(genuine)}${' '.repeat(128)}`)
    expect(codeOf(await result)).toBe('bad-room-key')
  })

  it('refuses a chain for another device', async () => {
    const a = party('peer-a', deviceA, true, { chain: chainFor(stranger) })
    const { results } = await pair(a, party('peer-b', deviceB, true))
    expect(codeOf(results[1])).toBe('bad-chain')
    expect(remoteCodeOf(results[0])).toBe('bad-chain')
  })

  it('refuses a revoked device and sends the evidence with the reject', async () => {
    const { results } = await pair(party('peer-a', deviceA, true), party('peer-b', deviceB, true), {
      checksB: { revoked: new Set([deviceA.publicKey]) },
    })
    expect(codeOf(results[1])).toBe('revoked')
    expect(results[0].ok ? null : results[0].error).toMatchObject({
      code: 'refused-by-peer',
      remoteCode: 'revoked',
      remoteProven: true,
      evidence: { revoked: deviceA.publicKey },
    })
  })

  it('drops the evidence of a reject sent before the remote proved itself', async () => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    // Anyone with the room password could say this device was revoked; it must not reach halo.
    attack.send(JSON.stringify({ v: 1, reject: 'revoked', evidence: { revoked: deviceB.publicKey } }))
    const outcome = await attack.result
    expect(outcome.ok ? null : outcome.error).toMatchObject({
      code: 'refused-by-peer',
      remoteCode: 'revoked',
      remoteProven: false,
    })
    expect(outcome.ok ? null : outcome.error.evidence).toBeUndefined()
  })

  it('drops the evidence of a reject sent after a Hello but instead of a Proof', async () => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    attack.send(JSON.stringify(helloOf(party('peer-a', deviceA, true), space)))
    await attack.receive()
    await attack.receive()
    attack.send(JSON.stringify({ v: 1, reject: 'revoked', evidence: { revoked: deviceB.publicKey } }))
    const outcome = await attack.result
    expect(outcome.ok ? null : outcome.error).toMatchObject({ remoteCode: 'revoked', remoteProven: false })
    expect(outcome.ok ? null : outcome.error.evidence).toBeUndefined()
  })

  it('refuses a Hello claiming a member identity with a chain to another identity', async () => {
    // The chain is valid for device A but issued by `stranger`; the Hello claims the member identity.
    const a = party('peer-a', deviceA, true, { chain: chainFor(deviceA, stranger) })
    const { results } = await pair(a, party('peer-b', deviceB, true))
    expect(codeOf(results[1])).toBe('bad-chain')
    expect(remoteCodeOf(results[0])).toBe('bad-chain')
  })

  it('refuses a verified device whose identity is not a member', async () => {
    const { results } = await pair(party('peer-a', deviceA, true), party('peer-b', deviceB, true), {
      checksB: { members: new Set(['0'.repeat(64)]) },
    })
    expect(codeOf(results[1])).toBe('not-member')
    expect(remoteCodeOf(results[0])).toBe('not-member')
  })

  it('refuses a guest whose invite signature is by another key', async () => {
    const guest = party('peer-b', deviceB, false, { signInvite: signer(stranger) })
    const { results } = await pair(party('peer-a', deviceA, true), guest, { ctxA: link })
    expect(codeOf(results[0])).toBe('not-invited')
    expect(remoteCodeOf(results[1])).toBe('not-invited')
  })

  it('refuses a guest with no invite signature', async () => {
    const host = party('peer-b', deviceB, true)
    const guest = party('peer-a', stranger, false)
    const attack = scripted(link, host)
    const hello = helloOf(guest, link)
    attack.send(JSON.stringify(hello))
    const theirs: unknown = JSON.parse((await attack.receive()) as string)
    const sig = toHex(signWith(stranger, concatBytes(transcriptOf(link, hello, theirs), utf8('initiator'))))
    attack.send(JSON.stringify({ v: 1, chain: null, sig }))
    await attack.receive()
    expect(codeOf(await attack.result)).toBe('not-invited')
  })

  it.each([
    ['two guests', false],
    ['two hosts', true],
  ] as const)('refuses %s in a link room', async (_name, host) => {
    const { results } = await pair(party('peer-a', deviceA, host), party('peer-b', deviceB, host), { ctxA: link })
    expect(results.map(codeOf)).toEqual(['wrong-role', 'wrong-role'])
  })

  it.each([
    ['oversize', (hello: object) => JSON.stringify(hello) + ' '.repeat(4 * 1024)],
    ['not JSON', () => '{"v":1,'],
    ['not a string', (hello: object) => hello],
    ['an unknown field', (hello: object) => JSON.stringify({ ...hello, extra: 1 })],
    ['a short nonce', (hello: object) => JSON.stringify({ ...hello, nonce: 'abc' })],
    // The storage keys a peer's sync state: only 64 hex characters (what a device sends), nothing longer or other.
    ['a storage not of 64 hex', (hello: object) => JSON.stringify({ ...hello, storage: 'storage-of-someone' })],
    ['a storage too long', (hello: object) => JSON.stringify({ ...hello, storage: 'ab'.repeat(33) })],
    ['a repo of another device', (hello: object) => JSON.stringify({ ...hello, repo: newRepoId(stranger.publicKey) })],
  ])('refuses a Hello that is %s', async (_name, mangle) => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    attack.send(mangle(helloOf(party('peer-a', deviceA, true), space)))
    await attack.receive()
    expect(await attack.receive()).toBe(JSON.stringify({ v: 1, reject: 'bad-hello' }))
    expect(codeOf(await attack.result)).toBe('bad-hello')
  })

  it.each([
    ['oversize', { v: 1, chain: { pad: 'x'.repeat(64 * 1024) }, sig: 'ab'.repeat(64) }],
    ['a signature that is not hex', { v: 1, chain: null, sig: 'zz'.repeat(64) }],
    ['an extra field', { v: 1, chain: null, sig: 'ab'.repeat(64), member: {} }],
  ])('refuses a Proof that is %s', async (_name, proof) => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    attack.send(JSON.stringify(helloOf(party('peer-a', deviceA, true), space)))
    await attack.receive()
    await attack.receive()
    attack.send(JSON.stringify(proof))
    expect(codeOf(await attack.result)).toBe('bad-proof')
  })

  it('times out on a silent peer and tells it so', async () => {
    const timers = manualTimers()
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-a', deviceA, true), 'peer-b', toA, toB, true, space, {}, timers)
    expect(timers.delays).toEqual([5_000, 15_000])
    timers.fireAll()
    expect(codeOf(await result)).toBe('timeout')
    expect(toB.sent.at(-1)).toBe(JSON.stringify({ v: 1, reject: 'timeout' }))
  })

  it('cuts off a peer whose Hello does not arrive within 5 s, so Trystero stops buffering for it', async () => {
    const timers = manualTimers()
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-a', deviceA, true), 'peer-b', toA, toB, true, space, {}, timers)
    timers.fire(5_000)
    expect(codeOf(await result)).toBe('timeout')
    expect(toB.sent.at(-1)).toBe(JSON.stringify({ v: 1, reject: 'timeout' }))
    expect(timers.count).toBe(0)
  })

  it('drops the Hello deadline once the Hello arrived, and keeps the whole-handshake one', async () => {
    const attack = scripted(space, party('peer-b', deviceB, true))
    expect(attack.delays()).toEqual([5_000, 15_000])
    attack.send(JSON.stringify(helloOf(party('peer-a', deviceA, true), space)))
    await attack.receive()
    await attack.receive()
    // B now waits for a Proof: its own 5 s deadline and the whole handshake's.
    expect(attack.delays()).toEqual([5_000, 15_000])
    attack.send(JSON.stringify({ v: 1, reject: 'timeout' }))
    expect(codeOf(await attack.result)).toBe('refused-by-peer')
  })

  it('cuts off a peer whose Proof does not arrive within 5 s of its Hello, not at the 15 s deadline', async () => {
    const timers = manualTimers()
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-b', deviceB, true), 'peer-a', toB, toA, false, space, {}, timers)
    toB.push(roomKeyFrame(PASSWORD, contextString(space), 'peer-a', 'peer-b'))
    toB.push(JSON.stringify(helloOf(party('peer-a', deviceA, true), space)))
    // B's room key proof, Hello and Proof are out: it waits for A's Proof, which a streaming peer never finishes.
    await vi.waitFor(() => {
      expect(toA.sent).toHaveLength(3)
    })
    timers.fire(5_000)
    expect(codeOf(await result)).toBe('timeout')
    expect(toA.sent.at(-1)).toBe(JSON.stringify({ v: 1, reject: 'timeout' }))
    expect(timers.count).toBe(0)
  })

  it('ends as disconnected, not with a thrown error, when Trystero drops the connection mid-handshake', async () => {
    const timers = manualTimers()
    const gone = new Error('peer replaced')
    const whileWaiting = runHandshake({
      ctx: space,
      local: party('peer-a', deviceA, true),
      remotePeerId: 'peer-b',
      roomPassword: PASSWORD,
      send: () => Promise.resolve(),
      receive: () => Promise.reject(gone),
      isInitiator: true,
      verifyChain: verifyChain({}),
      authorize: authorize({}),
      after: timers.after,
    })
    expect(codeOf(await whileWaiting)).toBe('disconnected')
    const whileSending = runHandshake({
      ctx: space,
      local: party('peer-a', deviceA, true),
      remotePeerId: 'peer-b',
      roomPassword: PASSWORD,
      send: () => Promise.reject(gone),
      receive: () => new Promise(() => undefined),
      isInitiator: true,
      verifyChain: verifyChain({}),
      authorize: authorize({}),
      after: timers.after,
    })
    expect(codeOf(await whileSending)).toBe('disconnected')
    expect(timers.count).toBe(0)
  })

  it("ends at once on the remote's reject, before any timer fires", async () => {
    const timers = manualTimers()
    const [toA, toB] = [new Queue(), new Queue()]
    const result = side(party('peer-a', deviceA, true), 'peer-b', toA, toB, true, space, {}, timers)
    toA.push(JSON.stringify({ v: 1, reject: 'revoked' }))
    const outcome = await result
    expect(outcome.ok ? null : outcome.error).toMatchObject({ code: 'refused-by-peer', remoteCode: 'revoked' })
    expect(timers.count).toBe(0)
  })
})

describe('runHandshake in an invitation room', () => {
  const guestIdentity = fixedKeyPair(6)
  const outsider = fixedKeyPair(7)
  const invitation: HandshakeContext = { kind: 'invite', spaceId: 'space-1', inviteKey: invite.publicKey }
  const host = (overrides: Partial<LocalParty> = {}) => party('peer-a', deviceA, true, overrides)
  /** The guest's identity and chain, without K. */
  const withoutKey = (overrides: Partial<LocalParty> = {}) =>
    party('peer-b', deviceB, true, {
      identity: guestIdentity.publicKey as IdentityKey,
      chain: chainFor(deviceB, guestIdentity),
      ...overrides,
    })
  /** The guest has its own identity and chain, and holds K (the invite key). */
  const guest = (overrides: Partial<LocalParty> = {}) => withoutKey({ signInvite: signer(invite), ...overrides })
  /** The host admits anyone who proved K; the guest takes any member host. */
  const checks: Checks = { members: new Set([identity.publicKey, guestIdentity.publicKey]) }

  it('authenticates a guest that proves K and a host, both identities with their chains', async () => {
    const { results, toA } = await pair(host(), guest(), { ctxA: invitation, checksA: checks, checksB: checks })
    const [onHost, onGuest] = results
    if (!onHost.ok || !onGuest.ok) throw new Error(`refused: ${codeOf(onHost)} ${codeOf(onGuest)}`)
    expect(onHost.value).toMatchObject({ identity: guestIdentity.publicKey, device: deviceB.publicKey, invited: true })
    expect(onHost.value.chain).toEqual(chainFor(deviceB, guestIdentity))
    expect(onGuest.value).toMatchObject({ identity: identity.publicKey, device: deviceA.publicKey, invited: false })
    expect(onHost.value.transcript).toEqual(onGuest.value.transcript)
    expect(contextString(invitation)).toBe(`invite:space-1:${invite.publicKey}`)
    // The guest's Proof carried its chain and the invite signature.
    const proof = JSON.parse(toA.sent[2] as string) as { chain: unknown; inviteSig?: string }
    expect(proof.chain).toEqual(chainFor(deviceB, guestIdentity))
    expect(proof.inviteSig).toMatch(/^[0-9a-f]{128}$/)
  })

  it('refuses a guest with no invite signature', async () => {
    const { results } = await pair(host(), withoutKey(), { ctxA: invitation, checksA: checks, checksB: checks })
    expect(codeOf(results[0])).toBe('not-invited')
  })

  it('refuses a guest whose invite signature is by another key', async () => {
    const { results } = await pair(host(), guest({ signInvite: signer(stranger) }), {
      ctxA: invitation,
      checksA: checks,
      checksB: checks,
    })
    expect(codeOf(results[0])).toBe('not-invited')
    expect(remoteCodeOf(results[1])).toBe('not-invited')
  })

  it('refuses an invite signature made for another transcript (a replay of an earlier handshake)', async () => {
    const first = await pair(host(), guest(), { ctxA: invitation, checksA: checks, checksB: checks })
    const recorded = JSON.parse(first.toA.sent[2] as string) as { inviteSig: string }
    // A thief holding the guest's device key but not K replays the invite signature it saw.
    const attack = scripted(invitation, { ...host(), peerId: 'peer-b' }, checks)
    const thief = guest({ peerId: 'peer-a' })
    const hello = helloOf(thief, invitation)
    attack.send(JSON.stringify(hello))
    const theirs: unknown = JSON.parse((await attack.receive()) as string)
    const transcript = transcriptOf(invitation, hello, theirs)
    const sig = toHex(signWith(deviceB, concatBytes(transcript, utf8('initiator'))))
    attack.send(JSON.stringify({ v: 1, chain: thief.chain, sig, inviteSig: recorded.inviteSig }))
    await attack.receive()
    expect(await attack.receive()).toBe(JSON.stringify({ v: 1, reject: 'not-invited' }))
    expect(codeOf(await attack.result)).toBe('not-invited')
  })

  it.each([
    ['another space', { kind: 'invite', spaceId: 'space-2', inviteKey: invite.publicKey }],
    ['another invitation', { kind: 'invite', spaceId: 'space-1', inviteKey: stranger.publicKey }],
    ['a device-link room', link],
    ['the space swarm', space],
  ] as const)('refuses a guest that came for %s', async (_name, ctxB) => {
    const { results } = await pair(host(), guest(), { ctxA: invitation, ctxB, checksA: checks, checksB: checks })
    expect(results.map(codeOf)).toEqual(['bad-room-key', 'bad-room-key'])
  })

  it('refuses a guest without an identity (a device link is another room)', async () => {
    const { results } = await pair(host(), party('peer-b', deviceB, false), { ctxA: invitation, checksA: checks })
    expect(codeOf(results[0])).toBe('wrong-role')
    expect(remoteCodeOf(results[1])).toBe('wrong-role')
  })

  it('refuses two guests, and two hosts, meeting in the room', async () => {
    const twoGuests = await pair(guest({ peerId: 'peer-a' }), guest(), { ctxA: invitation, checksA: checks })
    expect(twoGuests.results.map(codeOf)).toEqual(['wrong-role', 'wrong-role'])
    const twoHosts = await pair(host(), withoutKey(), { ctxA: invitation, checksA: checks, checksB: checks })
    expect(twoHosts.results.map(codeOf)).toEqual(['not-invited', 'not-invited'])
  })

  it('refuses a guest whose chain is not its identity', async () => {
    const { results } = await pair(host(), guest({ chain: chainFor(deviceB, outsider) }), {
      ctxA: invitation,
      checksA: checks,
      checksB: checks,
    })
    expect(codeOf(results[0])).toBe('bad-chain')
  })

  it("passes the host's own check the proven guest, and refuses when it says so (a host that may not admit)", async () => {
    const seen: { ctx: HandshakeContext; invited: boolean }[] = []
    const [toHost, toGuest] = [new Queue(), new Queue()]
    const base = {
      roomPassword: PASSWORD,
      verifyChain: verifyChain(checks),
      after: manualTimers().after,
    }
    const results = await Promise.all([
      runHandshake({
        ...base,
        ctx: invitation,
        local: host(),
        remotePeerId: 'peer-b',
        send: (data) => {
          toGuest.push(data)
          return Promise.resolve()
        },
        receive: toHost.receive,
        isInitiator: true,
        // The injected check: this host's role may no longer admit (it was demoted, or the inviter was removed).
        authorize: (ctx, peer) => {
          seen.push({ ctx, invited: peer.invited })
          return Promise.resolve(err({ code: 'not-invited' as const }))
        },
      }),
      runHandshake({
        ...base,
        ctx: invitation,
        local: guest(),
        remotePeerId: 'peer-a',
        send: (data) => {
          toHost.push(data)
          return Promise.resolve()
        },
        receive: toGuest.receive,
        isInitiator: false,
        authorize: authorize(checks),
      }),
    ])
    expect(seen).toEqual([{ ctx: invitation, invited: true }])
    expect(codeOf(results[0])).toBe('not-invited')
    expect(remoteCodeOf(results[1])).toBe('not-invited')
  })

  /**
   * Review 16: the guest that joins with its real identity (after a throwaway one proved the host) meets only that
   * host's identity and device. Whoever answers under the host's peer id otherwise hears nothing of the guest.
   */
  const expecting = (remote: LocalParty, guestSide: LocalParty, isInitiator = false) => {
    const [toRemote, toGuest] = [new Queue(), new Queue()]
    const result = runHandshake({
      ctx: invitation,
      local: guestSide,
      remotePeerId: remote.peerId,
      roomPassword: PASSWORD,
      send: (data) => {
        toRemote.push(data)
        return Promise.resolve()
      },
      receive: toGuest.receive,
      isInitiator,
      verifyChain: verifyChain(checks),
      authorize: authorize(checks),
      after: manualTimers().after,
      expect: { identity: identity.publicKey, device: deviceA.publicKey },
    })
    return { result, toRemote, toGuest }
  }
  const guestBytes = (sent: readonly unknown[]): string[] => {
    const joined = sent.map(String).join('\n')
    const theGuest = guest()
    return [
      guestIdentity.publicKey,
      deviceB.publicKey,
      theGuest.repo,
      String(theGuest.storage),
      'inviteSig',
      'chain',
    ].filter((secret) => joined.includes(secret))
  }

  it('a guest expecting the proved host meets it, its Hello sent only after the host’s', async () => {
    const { result, toRemote, toGuest } = expecting(host(), guest())
    const onHost = side(host(), 'peer-b', toRemote, toGuest, true, invitation, checks)
    const [fromHost, fromGuest] = await Promise.all([onHost, result])
    if (!fromHost.ok || !fromGuest.ok) throw new Error(`refused: ${codeOf(fromHost)} ${codeOf(fromGuest)}`)
    expect(fromHost.value).toMatchObject({ identity: guestIdentity.publicKey, invited: true })
    expect(fromGuest.value).toMatchObject({ identity: identity.publicKey, device: deviceA.publicKey })
    expect(fromHost.value.transcript).toEqual(fromGuest.value.transcript)
  })

  it.each([
    ['another identity', () => party('peer-a', fixedKeyPair(8), true, { identity: outsider.publicKey as IdentityKey })],
    ['the host’s identity on another device', () => party('peer-a', fixedKeyPair(8), true)],
  ])('a host with %s under the proved peer id gets no byte of the guest’s identity', async (_name, make) => {
    const other = make()
    const { result, toRemote, toGuest } = expecting(other, guest())
    const onOther = side(other, 'peer-b', toRemote, toGuest, true, invitation, checks)
    const [fromOther, fromGuest] = await Promise.all([onOther, result])
    expect(codeOf(fromGuest)).toBe('wrong-role')
    expect(remoteCodeOf(fromOther)).toBe('wrong-role')
    expect(toRemote.sent.slice(1)).toEqual([JSON.stringify({ v: 1, reject: 'wrong-role' })])
    expect(guestBytes(toRemote.sent)).toEqual([])
  })

  it('a party naming the host’s identity and device but unable to sign gets the guest’s Hello, never its Proof', async () => {
    const squatter = host()
    const { result, toRemote, toGuest } = expecting(squatter, guest())
    const hello = helloOf(squatter, invitation)
    toGuest.push(roomKeyFrame(PASSWORD, contextString(invitation), squatter.peerId, 'peer-b'))
    await toRemote.receive()
    toGuest.push(JSON.stringify(hello))
    const guestHello: unknown = JSON.parse((await toRemote.receive()).data as string)
    const transcript = transcriptOf(invitation, hello, guestHello)
    // Signed by a key that is not the host's device (which it named): it cannot sign as that device.
    const sig = toHex(signWith(stranger, concatBytes(transcript, utf8('initiator'))))
    toGuest.push(JSON.stringify({ v: 1, chain: squatter.chain, sig }))
    expect(codeOf(await result)).toBe('bad-signature')
    // It heard the Hello it asked for by naming the host (keys, repo, storage), no chain and no invite signature.
    expect(toRemote.sent).toHaveLength(3)
    expect(guestBytes(toRemote.sent.slice(2))).toEqual([])
    expect(toRemote.sent[2]).toBe(JSON.stringify({ v: 1, reject: 'bad-signature' }))
  })
})
