/**
 * Browser side of the hostile peer (issue 13): a bare page that runs the project's own mesh code (`src/mesh`) and
 * keys and credentials (`src/halo`), with hooks to misbehave. It joins a space's room with a password it stole,
 * runs a scripted handshake (a foreign or revoked chain through the real `runHandshake`, a replayed transcript, or
 * junk), floods raw frames on its data channels, and counts every byte it receives. Bundled by
 * `hostile-peer.ts`; never part of the app.
 */
import {
  issueCredential,
  generateKeyPair,
  signWith,
  swarmCommitment,
  swarmRoom,
  type KeyPair,
  type PublicKey,
} from '../src/halo'
import { newRepoId, runHandshake, trysteroPage } from '../src/mesh'

/** A device the hostile peer signs as: its own, or one it stole (a revoked device's seed and chain). */
export interface Party {
  /** The identity its Hello claims. */
  readonly identity: string
  readonly device: string
  readonly seedHex: string
  readonly chain: unknown
}

/** What the peer does in each handshake. */
export type Script =
  /** The real handshake code, signing as `party` (whose chain the honest side must judge). */
  | { readonly kind: 'handshake'; readonly party: Party }
  /** Sends these frames as they were recorded (with `asSelf`, its Hello's peer id made ours), then listens. */
  | { readonly kind: 'replay'; readonly frames: readonly string[]; readonly asSelf: boolean }
  /** Sends `party`'s genuine Hello, then its own payloads on the handshake channel (strings or bytes). */
  | { readonly kind: 'after-hello'; readonly party: Party; readonly payloads: readonly ('binary' | 'oversize')[] }
  /** Sends a genuine Hello and then nothing: the connection stays pending while raw frames flood it. */
  | { readonly kind: 'hold'; readonly party: Party }

/** One handshake with one honest peer, as this side saw it. */
export interface PeerRecord {
  readonly peerId: string
  readonly startedAt: number
  /** Handshake frames received (text; bytes as `<n bytes>`), in order. */
  readonly received: string[]
  readonly sent: string[]
  /** How our side ended: 'passed', our refusal code, or Trystero's error. */
  outcome?: string
  endedAt?: number
}

/** One RTCPeerConnection this page made, with what arrived on it. */
interface ConnectionRecord {
  readonly createdAt: number
  connectedAt?: number
  closedAt?: number
  bytesReceived: number
  /** Bytes of frames whose action is the document channel `cp.am`. */
  documentBytes: number
  readonly channels: RTCDataChannel[]
  /** The room token Trystero wraps our frames in, read from the first frame we send. */
  token?: Uint8Array
}

export interface HostileReport {
  readonly selfId: string
  readonly peers: readonly PeerRecord[]
  readonly connections: readonly Omit<ConnectionRecord, 'channels' | 'token'>[]
  readonly documentBytes: number
  readonly joinErrors: readonly string[]
}

export interface HostileApi {
  /** A fresh identity with a device and a valid AuthorizedDevice chain to it: valid, but to another identity. */
  mintParty(): Party
  /** Which of `candidates` (hex) is the swarm secret of `spaceId` whose room is one of `rooms`, and at which generation. */
  findSecret(
    candidates: readonly string[],
    rooms: readonly string[],
    spaceId: string,
  ): { secretHex: string; generation: number; roomId: string; password: string } | undefined
  join(options: {
    relayUrl: string
    roomId: string
    password: string
    spaceId: string
    generation: number
    script: Script
    /** How many peers it waits to meet: it rejoins until it has. */
    expectPeers: number
  }): string
  /**
   * Sends `count` rounds of raw frames at `perSecond` rounds a second, each round one frame of each of `kinds` to
   * every open connection; returns the frames sent of each kind.
   */
  flood(options: { kinds: readonly FloodKind[]; count: number; perSecond: number }): Promise<number[]>
  report(): HostileReport
  leave(): Promise<void>
}

/** Raw frames: junk CBOR or mutated sync messages as the document channel, or a never-ending handshake message. */
export type FloodKind = 'junk-cbor' | 'mutated-sync' | 'small' | 'endless-handshake'

declare global {
  interface Window {
    hostilePeer: HostileApi
  }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (text: string): Uint8Array =>
  new Uint8Array((text.match(/../g) ?? []).map((pair) => parseInt(pair, 16)))
const encoder = new TextEncoder()
const decoder = new TextDecoder()

// Trystero's wire (node_modules/@trystero-p2p/core/dist/action-wire.mjs): a 32-byte action name, a 2-byte nonce, a
// tag (1 last, 4 binary), a progress byte, then the payload; shared-peer.mjs wraps it as 1, token length (2), token.
const ACTION_HEADER = 36
const CHUNK_PAYLOAD = 16 * 1024 - ACTION_HEADER
/** A complete handshake message 256 times the largest our handshake reads (a Proof, 64 KB). */
const OVERSIZE_BYTES = 16 * 1024 * 1024

const connections: ConnectionRecord[] = []

const actionOf = (frame: Uint8Array): string | undefined => {
  if (frame[0] !== 1 || frame.length < 3) return undefined
  const start = 3 + (((frame[1] ?? 0) << 8) | (frame[2] ?? 0))
  return decoder.decode(frame.subarray(start, start + 32)).replaceAll('\0', '')
}

// Counts every byte that reaches this page, before Trystero sees it.
const Original = window.RTCPeerConnection
class Counted extends Original {
  constructor(config?: RTCConfiguration) {
    super(config)
    const record: ConnectionRecord = { createdAt: Date.now(), bytesReceived: 0, documentBytes: 0, channels: [] }
    connections.push(record)
    const closed = (): void => {
      record.closedAt ??= Date.now()
    }
    const watch = (channel: RTCDataChannel): void => {
      record.channels.push(channel)
      channel.addEventListener('close', closed)
      channel.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (!(event.data instanceof ArrayBuffer)) return
        const frame = new Uint8Array(event.data)
        record.bytesReceived += frame.length
        if (actionOf(frame) === 'cp.am') record.documentBytes += frame.length
      })
      const send = channel.send.bind(channel) as (data: Uint8Array<ArrayBuffer>) => void
      channel.send = ((data: Uint8Array<ArrayBuffer>) => {
        if (record.token === undefined && data instanceof Uint8Array && data[0] === 1) {
          record.token = data.slice(3, 3 + (((data[1] ?? 0) << 8) | (data[2] ?? 0)))
        }
        send(data)
      }) as RTCDataChannel['send']
    }
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'connected') record.connectedAt ??= Date.now()
      if (this.connectionState === 'closed' || this.connectionState === 'failed') closed()
    })
    this.addEventListener('datachannel', (event) => {
      watch(event.channel)
    })
    const createDataChannel = this.createDataChannel.bind(this)
    this.createDataChannel = (label, init) => {
      const channel = createDataChannel(label, init)
      watch(channel)
      return channel
    }
  }
}
window.RTCPeerConnection = Counted

const keyPairOf = (party: Party): KeyPair => ({
  publicKey: party.device as PublicKey,
  secretKey: fromHex(party.seedHex) as KeyPair['secretKey'],
})

const helloOf = (party: Party, ctx: string, peerId: string): string =>
  JSON.stringify({
    v: 1,
    ctx,
    peer: peerId,
    nonce: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, ''),
    repo: newRepoId(party.device),
    storage: null,
    identity: party.identity,
    device: party.device,
  })

/** One Trystero action frame (`tag`: 1 last, 4 binary), wrapped in the room's token. */
const rawFrame = (token: Uint8Array, action: string, nonce: number, tag: number, payload: Uint8Array): Uint8Array => {
  const frame = new Uint8Array(3 + token.length + ACTION_HEADER + payload.length)
  frame[0] = 1
  frame[1] = token.length >> 8
  frame[2] = token.length & 0xff
  frame.set(token, 3)
  const header = 3 + token.length
  frame.set(encoder.encode(action).subarray(0, 32), header)
  frame[header + 32] = nonce >> 8
  frame[header + 33] = nonce & 0xff
  frame[header + 34] = tag
  frame[header + 35] = 255
  frame.set(payload, header + ACTION_HEADER)
  return frame
}

/** automerge-repo's CBOR of a sync message whose bytes are not an Automerge sync message (a mutation of one). */
const mutatedSync = (seq: number): Uint8Array => {
  const text = (s: string): number[] => [0x60 + s.length, ...encoder.encode(s)]
  const data = crypto.getRandomValues(new Uint8Array(64))
  data[0] = 0x42 // Automerge's sync message type byte, then junk.
  return new Uint8Array([
    2, // our adapter's kind byte for a message (src/mesh/replication/frames.ts)
    0xa5,
    ...text('type'),
    ...text('sync'),
    ...text('senderId'),
    ...text(`x${String(seq % 10)}`),
    ...text('targetId'),
    ...text('y'),
    ...text('documentId'),
    ...text('2vKtyrg4qP7wYt2TBtWqahPkbDd2'),
    ...text('data'),
    0x58,
    data.length,
    ...data,
  ])
}

const floodPayload = (kind: FloodKind, seq: number): Uint8Array => {
  switch (kind) {
    case 'junk-cbor':
      // A kind byte, then a CBOR map that claims 2^32 entries and ends.
      return new Uint8Array([2, 0xba, 0xff, 0xff, 0xff, 0xff, 0x61])
    case 'mutated-sync':
      return mutatedSync(seq)
    case 'small':
      return new Uint8Array([2, seq & 0xff])
    case 'endless-handshake':
      return crypto.getRandomValues(new Uint8Array(CHUNK_PAYLOAD))
  }
}

const openChannels = (): { channel: RTCDataChannel; token: Uint8Array }[] =>
  connections.flatMap(({ closedAt, token, channels }) =>
    closedAt === undefined && token !== undefined
      ? channels.filter((channel) => channel.readyState === 'open').map((channel) => ({ channel, token }))
      : [],
  )

/** Waits while the channel holds over 1 MiB unsent; at once if it is closing (its close event may be past). */
const drained = (channel: RTCDataChannel): Promise<void> =>
  channel.readyState !== 'open' || channel.bufferedAmount < 1024 * 1024
    ? Promise.resolve()
    : new Promise((resolve) => {
        channel.bufferedAmountLowThreshold = 256 * 1024
        const done = (): void => {
          channel.removeEventListener('bufferedamountlow', done)
          channel.removeEventListener('close', done)
          resolve()
        }
        channel.addEventListener('bufferedamountlow', done)
        channel.addEventListener('close', done)
      })

type Room = ReturnType<typeof trysteroPage.join>
let room: Room | undefined
let retrying: ReturnType<typeof setTimeout> | undefined
const peers: PeerRecord[] = []
const joinErrors: string[] = []

/** A frame as the report keeps it: text up to 8 KB, anything else by its size. */
const shown = (data: unknown): string =>
  typeof data === 'string'
    ? data.length > 8192
      ? `<${String(data.length)} characters>`
      : data
    : data instanceof Uint8Array
      ? `<${String(data.length)} bytes>`
      : JSON.stringify(data)

window.hostilePeer = {
  mintParty() {
    const identity = generateKeyPair()
    const device = generateKeyPair()
    const chain = issueCredential({
      issuer: identity.publicKey,
      subject: device.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: { key: identity },
      clock: { now: () => Date.now() },
    })
    return { identity: identity.publicKey, device: device.publicKey, seedHex: hex(device.secretKey), chain }
  },
  findSecret(candidates, rooms, spaceId) {
    let found: ReturnType<HostileApi['findSecret']>
    for (const candidate of candidates) {
      for (let generation = 0; generation < 8; generation++) {
        const derived = swarmRoom(fromHex(candidate), spaceId, generation)
        if (!rooms.includes(derived.roomId)) continue
        const commitment = swarmCommitment(fromHex(candidate), spaceId, generation)
        // Two devices may each draw a generation's secret; they agree on the smallest commitment, and so here.
        const better =
          found === undefined ||
          found.generation < generation ||
          (found.generation === generation &&
            commitment < swarmCommitment(fromHex(found.secretHex), spaceId, generation))
        if (better) found = { secretHex: candidate, generation, ...derived }
      }
    }
    return found
  },
  join({ relayUrl, roomId, password, spaceId, generation, script, expectPeers }) {
    const joinedAt = Date.now()
    const ctx = `space:${spaceId}:${String(generation)}`
    const open = (): Room =>
      trysteroPage.join(
        {
          appId: 'commonplace/1',
          password,
          relayConfig: { urls: [relayUrl] },
          rtcConfig: { iceServers: [] },
        },
        roomId,
        {
          handshakeTimeoutMs: 300_000,
          onJoinError: ({ peerId, error }) => {
            joinErrors.push(`${peerId}: ${error}`)
          },
          onPeerHandshake: async (peerId, send, receive, isInitiator) => {
            const record: PeerRecord = { peerId, startedAt: Date.now(), received: [], sent: [] }
            peers.push(record)
            const sendText = async (data: string | Uint8Array<ArrayBuffer>): Promise<void> => {
              record.sent.push(shown(data))
              await send(data)
            }
            const listen = async (): Promise<{ data: unknown }> => {
              const frame = await receive()
              record.received.push(shown(frame.data))
              return frame
            }
            // A hostile peer does not hang up when refused: it keeps listening, so the report shows when the honest
            // side closed the connection.
            const listenUntilEnd = async (): Promise<void> => {
              for (;;) {
                const { data } = await listen()
                if (typeof data === 'string' && data.includes('"reject"')) {
                  record.outcome ??= 'refused-by-peer'
                  record.endedAt ??= Date.now()
                }
              }
            }
            try {
              switch (script.kind) {
                case 'handshake': {
                  const { party } = script
                  const outcome = await runHandshake({
                    ctx: { kind: 'space', spaceId, generation },
                    local: {
                      peerId: trysteroPage.selfId,
                      repo: newRepoId(party.device),
                      storage: null,
                      identity: party.identity as never,
                      device: party.device as PublicKey,
                      chain: party.chain,
                      sign: (bytes) => Promise.resolve(hex(signWith(keyPairOf(party), bytes))),
                    },
                    remotePeerId: peerId,
                    send: sendText,
                    receive: listen,
                    isInitiator,
                    // The hostile side believes anyone: all that matters is what the honest side decides.
                    verifyChain: (chain) =>
                      Promise.resolve({ ok: true, value: { identity: (chain as { issuer: never }).issuer } }),
                    authorize: () => Promise.resolve({ ok: true, value: undefined }),
                  })
                  record.outcome = outcome.ok ? 'passed' : outcome.error.code
                  if (!outcome.ok) throw outcome.error
                  return
                }
                case 'replay':
                  for (const frame of script.frames) {
                    const hello = script.asSelf && frame.includes('"nonce"')
                    await sendText(
                      hello ? JSON.stringify({ ...(JSON.parse(frame) as object), peer: trysteroPage.selfId }) : frame,
                    )
                  }
                  await listenUntilEnd()
                  return
                case 'after-hello':
                  await sendText(helloOf(script.party, ctx, trysteroPage.selfId))
                  for (const payload of script.payloads) {
                    await sendText(
                      payload === 'binary'
                        ? new Uint8Array([0xba, 0xff, 0xff, 0xff, 0xff, 0x61])
                        : 'x'.repeat(OVERSIZE_BYTES),
                    )
                  }
                  await listenUntilEnd()
                  return
                case 'hold':
                  await sendText(helloOf(script.party, ctx, trysteroPage.selfId))
                  await listenUntilEnd()
                  return
              }
            } catch (error) {
              record.outcome ??= error instanceof Error ? error.message : String(error)
              throw error
            } finally {
              record.endedAt ??= Date.now()
            }
          },
        },
      )
    room = open()
    // Trystero announces again only after 60 s when a first meeting fails (a busy relay): rejoin sooner, as the
    // app's swarm does, until it has met `expectPeers`.
    let attempt = 0
    const retry = (): void => {
      // Backs off (5, 10, 20, 30 s): every page here shares one address's signaling budget at the worker.
      const delay = [5_000, 10_000, 20_000, 30_000][Math.min(attempt++, 3)] ?? 30_000
      retrying = setTimeout(() => {
        const met = peers.filter((peer) => peer.startedAt >= joinedAt)
        if (room === undefined || met.length >= expectPeers) return
        // Never while a handshake runs: leaving would end it.
        if (met.some((peer) => peer.endedAt === undefined)) {
          retry()
          return
        }
        void room
          .leave()
          .catch(() => undefined)
          .then(() => {
            if (room === undefined) return
            room = open()
            retry()
          })
      }, delay)
    }
    retry()
    return trysteroPage.selfId
  },
  async flood({ kinds, count, perSecond }) {
    const nonceBase = 40_000
    const sent = kinds.map(() => 0)
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      const targets = openChannels()
      if (targets.length === 0) break
      for (const [k, kind] of kinds.entries()) {
        const endless = kind === 'endless-handshake'
        for (const { channel, token } of targets) {
          const action = endless ? '@_hsdata' : 'cp.am'
          const frame = rawFrame(
            token,
            action,
            endless ? nonceBase : (nonceBase + i) & 0xffff,
            endless ? 4 : 5,
            floodPayload(kind, i),
          )
          try {
            channel.send(frame as Uint8Array<ArrayBuffer>)
            sent[k] = (sent[k] ?? 0) + 1
          } catch {
            // The channel closed under us: the honest side dropped the connection.
          }
          await drained(channel)
        }
      }
      // Keeps to the rate: every 100 rounds, wait until the clock catches up.
      if (i % 100 === 99) {
        const due = started + ((i + 1) / perSecond) * 1000
        const wait = due - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
    return sent
  },
  report: () => ({
    selfId: trysteroPage.selfId,
    peers: peers.map((peer) => ({ ...peer, received: [...peer.received], sent: [...peer.sent] })),
    connections: connections.map(({ createdAt, connectedAt, closedAt, bytesReceived, documentBytes }) => ({
      createdAt,
      ...(connectedAt === undefined ? {} : { connectedAt }),
      ...(closedAt === undefined ? {} : { closedAt }),
      bytesReceived,
      documentBytes,
    })),
    documentBytes: connections.reduce((sum, record) => sum + record.documentBytes, 0),
    joinErrors: [...joinErrors],
  }),
  async leave() {
    clearTimeout(retrying)
    const left = room
    room = undefined
    await left?.leave().catch(() => undefined)
  },
}
