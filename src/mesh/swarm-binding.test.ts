import { describe, expect, it } from 'vitest'
import { ok, toHex, utf8 } from '../base'
import type { IdentityKey, KeyPair } from '../halo'
import { fixedKeyPair, signWith } from '../halo/testing'
import type { Room } from 'trystero'
import { checkBinding, connectionFingerprints, fingerprintsOf, rememberSigner } from './handshake/connection-binding'
import { newRepoId } from './handshake/messages'
import { runHandshake, type AuthenticatedPeer } from './handshake/run-handshake'
import { defaultMeshSettings } from './mesh-config'
import { joinSwarm, type Swarm, type SwarmRefusal } from './swarm'
import { bindConnections } from './swarm-binding'
import { FakeTrystero, type FakePage } from './testing/fake-trystero'

const identity = fixedKeyPair(1)

/** Lets every queued microtask and zero-delay timer run (the fake's handshakes, joins and frames). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++)
    await new Promise((resolve) => {
      setTimeout(resolve, 0)
    })
}

/** A page of `device` in the space room, with the real handshake (chains and membership stubbed as passing). */
const member = (page: FakePage, device: KeyPair) => {
  const refusals: SwarmRefusal[] = []
  // Each lift of the pending cap, with who was admitted at that moment.
  const trusted: string[][] = []
  const swarm: Swarm = joinSwarm(
    defaultMeshSettings({}),
    { roomId: 'room', password: 'secret' },
    {
      page,
      trust: () => {
        trusted.push(ids(swarm))
      },
      every: () => () => undefined,
      after: () => () => undefined,
      online: { subscribe: () => () => undefined },
      handshake: (peerId, send, receive, isInitiator) =>
        runHandshake({
          ctx: { kind: 'space', spaceId: 'space-1', generation: 1 },
          roomPassword: 'secret',
          local: {
            peerId: page.selfId,
            repo: newRepoId(device.publicKey),
            storage: null,
            identity: identity.publicKey as IdentityKey,
            device: device.publicKey,
            chain: { subject: device.publicKey },
            sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
          },
          remotePeerId: peerId,
          send,
          receive,
          isInitiator,
          verifyChain: () => Promise.resolve(ok({ identity: identity.publicKey as IdentityKey })),
          authorize: () => Promise.resolve(ok(undefined)),
        }),
    },
  )
  swarm.onRefused((refusal) => refusals.push(refusal))
  return { swarm, refusals, trusted }
}

function ids(swarm: Swarm): string[] {
  return [...swarm.authenticated.get().keys()]
}

describe('binding the handshake to its connection (DTLS fingerprints)', () => {
  it('admits two honest pages once each has checked the other’s binding, and they talk', async () => {
    const network = new FakeTrystero()
    const [pageA, pageB] = [network.page(), network.page()]
    const a = member(pageA, fixedKeyPair(2))
    const b = member(pageB, fixedKeyPair(3))
    const heard: string[] = []
    b.swarm.channel<string>('cp.chat').subscribe((data) => heard.push(data))
    await flush()
    expect(ids(a.swarm)).toEqual([pageB.selfId])
    expect(ids(b.swarm)).toEqual([pageA.selfId])
    expect(network.deliveries.filter((delivery) => delivery.action === 'cp.bind')).toHaveLength(2)
    await a.swarm.channel<string>('cp.chat').send('bound')
    await flush()
    expect(heard).toEqual(['bound'])
    expect([...a.refusals, ...b.refusals]).toEqual([])
    // The pending cap is lifted once the binding admitted the peer, not when Trystero activated it (review 15, J7).
    expect(a.trusted).toEqual([[pageB.selfId]])
    expect(b.trusted).toEqual([[pageA.selfId]])
    await Promise.all([a.swarm.leave(), b.swarm.leave()])
  })

  it('refuses a connection whose SDP was swapped by a party in between: both sides, and nothing is heard', async () => {
    const network = new FakeTrystero()
    const [pageA, pageB] = [network.page(), network.page()]
    // A's connection ends at a stranger's certificate; B's is untouched (the relay has one leg to each).
    network.interpose(pageA, pageB.selfId)
    const a = member(pageA, fixedKeyPair(2))
    const b = member(pageB, fixedKeyPair(3))
    const heard: string[] = []
    b.swarm.channel<string>('cp.chat').subscribe((data) => heard.push(data))
    await flush()
    // The handshake itself passed (the transcript names no connection); the binding is what fails. The first side
    // to read the other's binding refuses and closes the connection, so the other side sees it leave.
    const codes = [...a.refusals, ...b.refusals].map((refusal) => refusal.code)
    expect(codes.length).toBeGreaterThan(0)
    expect(new Set(codes)).toEqual(new Set(['wrong-connection']))
    expect(pageA.network.roomsOf(pageA).every((room) => room.linked.size === 0)).toBe(true)
    expect(ids(a.swarm)).toEqual([])
    expect(ids(b.swarm)).toEqual([])
    await a.swarm.channel<string>('cp.chat').send('through the relay')
    await flush()
    expect(heard).toEqual([])
    const documentFrames = network.deliveries.filter((delivery) => !['cp.bind'].includes(delivery.action))
    expect(documentFrames.filter((delivery) => delivery.action.startsWith('cp.'))).toEqual([])
    // Its connection keeps the pending cap to the end: the relay that passed the handshake is never trusted (J7).
    expect([...a.trusted, ...b.trusted]).toEqual([])
    await Promise.all([a.swarm.leave(), b.swarm.leave()])
  })
})

/** `count` distinct fingerprint lines, as a party in between may write them (RFC 8122 allows several). */
const fingerprintLine = (byte: string): string => `a=fingerprint:sha-256 ${Array<string>(32).fill(byte).join(':')}`
const fingerprintLines = (count: number): string =>
  Array.from({ length: count }, (_, i) => fingerprintLine(String(10 + i))).join('\r\n')

describe('a connection whose fingerprints cannot be read (fails closed)', () => {
  it.each([
    ['five distinct fingerprint lines', `v=0\r\n${fingerprintLines(5)}\r\n`],
    ['a fingerprint line the strict pattern does not read', 'v=0\r\na=fingerprint:sha-256\tAB:CD\r\n'],
    ['no remote description', null],
  ])('is refused wrong-connection and closed when its remote description has %s', async (_name, sdp) => {
    const network = new FakeTrystero()
    const [pageA, pageB] = [network.page(), network.page()]
    network.writeRemoteSdp(pageA, pageB.selfId, sdp)
    const a = member(pageA, fixedKeyPair(2))
    const b = member(pageB, fixedKeyPair(3))
    const heard: string[] = []
    b.swarm.channel<string>('cp.chat').subscribe((data) => heard.push(data))
    await flush()
    expect(a.refusals).toEqual([{ peerId: pageB.selfId, code: 'wrong-connection' }])
    // A refused before it signed anything; B's binding went unanswered when the connection closed.
    expect(
      network.deliveries.filter((delivery) => delivery.action === 'cp.bind' && delivery.from === pageA.selfId),
    ).toEqual([])
    expect(pageA.network.roomsOf(pageA).every((room) => room.linked.size === 0)).toBe(true)
    expect(ids(a.swarm)).toEqual([])
    expect(ids(b.swarm)).toEqual([])
    await a.swarm.channel<string>('cp.chat').send('unbound')
    await flush()
    expect(heard).toEqual([])
    await Promise.all([a.swarm.leave(), b.swarm.leave()])
  })
})

describe('bindConnections', () => {
  it('refuses a peer whose binding does not come in time, and a replaced connection’s old wait refuses nothing', async () => {
    const device = fixedKeyPair(2)
    const peer: AuthenticatedPeer = {
      peerId: 'p',
      repo: newRepoId(device.publicKey),
      storage: null,
      identity: identity.publicKey as IdentityKey,
      device: device.publicKey,
      chain: null,
      transcript: utf8('t'),
      invited: false,
    }
    rememberSigner(peer, (bytes) => Promise.resolve(toHex(signWith(device, bytes))))
    const sdp = (fingerprint: string) => ({ sdp: `a=fingerprint:sha-256 ${fingerprint}` })
    const room = {
      makeAction: () => ({ send: () => Promise.resolve() }),
      getPeers: () => ({ p: { localDescription: sdp('AA'), remoteDescription: sdp('BB') } }),
    } as unknown as Room
    const timers: (() => void)[] = []
    const refused: string[] = []
    const admitted: string[] = []
    const binding = bindConnections(
      room,
      {
        passed: () => peer,
        admit: (peerId) => admitted.push(peerId),
        refuse: (peerId) => refused.push(peerId),
      },
      { admitUnbound: false },
      (_ms, run) => {
        timers.push(run)
        return () => undefined
      },
    )
    binding.joined('p', peer)
    // Trystero replaces the connection under the same id: a new wait; the first timer must not end it.
    binding.joined('p', peer)
    timers[0]?.()
    await flush()
    expect(refused).toEqual([])
    timers[1]?.()
    expect(refused).toEqual(['p'])
    expect(admitted).toEqual([])
  })
})

describe('bindConnections on a connection it cannot bind', () => {
  const device = fixedKeyPair(2)
  const peerOf = (signed: boolean): AuthenticatedPeer => {
    const peer: AuthenticatedPeer = {
      peerId: 'p',
      repo: newRepoId(device.publicKey),
      storage: null,
      identity: identity.publicKey as IdentityKey,
      device: device.publicKey,
      chain: null,
      transcript: utf8('t'),
      invited: false,
    }
    if (signed) rememberSigner(peer, (bytes) => Promise.resolve(toHex(signWith(device, bytes))))
    return peer
  }
  const readable = 'a=fingerprint:sha-256 BB'
  const run = (remoteSdp: string | undefined, peer: AuthenticatedPeer, admitUnbound: boolean) => {
    const sent: unknown[] = []
    const room = {
      makeAction: () => ({
        send: (data: unknown) => {
          sent.push(data)
          return Promise.resolve()
        },
      }),
      getPeers: () => ({
        p: {
          localDescription: { sdp: 'a=fingerprint:sha-256 AA' },
          remoteDescription: remoteSdp === undefined ? null : { sdp: remoteSdp },
        },
      }),
    } as unknown as Room
    const admitted: string[] = []
    const refused: string[] = []
    const binding = bindConnections(
      room,
      { passed: () => peer, admit: (peerId) => admitted.push(peerId), refuse: (peerId) => refused.push(peerId) },
      { admitUnbound },
      () => () => undefined,
    )
    binding.joined('p', peer)
    return { admitted, refused, sent }
  }

  it.each([
    ['five distinct fingerprint lines', fingerprintLines(5), true],
    ['a line the strict pattern does not read', 'a=fingerprint:sha-256\tBB', true],
    ['no remote description', undefined, true],
    ['a handshake runHandshake did not make', readable, false],
  ])('refuses at once, sending nothing: %s', async (_name, remoteSdp, signed) => {
    const outcome = run(remoteSdp, peerOf(signed), false)
    await flush()
    expect(outcome).toEqual({ admitted: [], refused: ['p'], sent: [] })
  })

  it('admits such a peer unbound only when the tests ask for it, and still binds one it can', async () => {
    expect(run(fingerprintLines(5), peerOf(true), true)).toEqual({ admitted: ['p'], refused: [], sent: [] })
    expect(run(readable, peerOf(false), true)).toEqual({ admitted: ['p'], refused: [], sent: [] })
    const bound = run(readable, peerOf(true), true)
    await flush()
    expect(bound.admitted).toEqual([])
    expect(bound.sent).toHaveLength(1)
  })
})

describe('checkBinding', () => {
  const device = fixedKeyPair(2)
  const peer: AuthenticatedPeer = {
    peerId: 'p',
    repo: newRepoId(device.publicKey),
    storage: null,
    identity: identity.publicKey as IdentityKey,
    device: device.publicKey,
    chain: null,
    transcript: utf8('the transcript'),
    invited: false,
  }
  const local = 'sha-256 AA:BB'
  const remote = 'sha-256 CC:DD'
  /** What the remote (whose certificate is `remote`) signs over `transcript`. */
  const frame = (signerLocal: string, signerRemote: string, transcript = peer.transcript): string => {
    const bytes = utf8(
      JSON.stringify(['commonplace/mesh-binding/v1', toBase64UrlOf(transcript), signerLocal, signerRemote]),
    )
    return JSON.stringify({ v: 1, bind: toHex(signWith(device, bytes)) })
  }

  it('accepts the remote’s binding of this transcript to this connection, and nothing else', () => {
    const ours = { local, remote }
    expect(checkBinding(peer, ours, frame(remote, local))).toBe(true)
    // Our own view reflected back, another connection, another handshake, or another signer.
    expect(checkBinding(peer, ours, frame(local, remote))).toBe(false)
    expect(checkBinding(peer, ours, frame(remote, 'sha-256 EE:FF'))).toBe(false)
    expect(checkBinding(peer, ours, frame(remote, local, utf8('another transcript')))).toBe(false)
    expect(checkBinding({ ...peer, device: fixedKeyPair(9).publicKey }, ours, frame(remote, local))).toBe(false)
  })

  it.each([
    ['not text', 42],
    ['too long', `{"v":1,"bind":"${'a'.repeat(300)}"}`],
    ['not JSON', '{'],
    ['an extra field', JSON.stringify({ v: 1, bind: 'a'.repeat(128), more: 1 })],
    ['another version', JSON.stringify({ v: 2, bind: 'a'.repeat(128) })],
    ['a signature that is not hex', JSON.stringify({ v: 1, bind: 'z'.repeat(128) })],
  ])('refuses a binding frame that is %s', (_name, data) => {
    expect(checkBinding(peer, { local, remote }, data)).toBe(false)
  })
})

describe('fingerprintsOf', () => {
  it('reads the a=fingerprint lines of a description, normalised and sorted, and nothing from anything else', () => {
    const sdp = 'v=0\r\na=fingerprint:SHA-256 ab:cd\r\nm=application\r\na=fingerprint:sha-256 AB:CD\r\n'
    expect(fingerprintsOf(sdp)).toBe('sha-256 AB:CD')
    expect(fingerprintsOf('a=fingerprint:sha-1 01\na=fingerprint:sha-256 02')).toBe('sha-1 01,sha-256 02')
    expect(fingerprintsOf('v=0\r\n')).toBeUndefined()
    expect(fingerprintsOf(undefined)).toBeUndefined()
    expect(fingerprintsOf('a=fingerprint:sha-256 not hex')).toBeUndefined()
    expect(fingerprintsOf(Array.from({ length: 5 }, (_, i) => `a=fingerprint:sha-256 0${String(i)}`).join('\n'))).toBe(
      undefined,
    )
    expect(connectionFingerprints({ localDescription: { sdp } })).toBeUndefined()
    expect(connectionFingerprints(null)).toBeUndefined()
  })
})

const toBase64UrlOf = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
