/**
 * Browser side of the hostile peer (issue 13): a bare page that runs the project's own mesh code (`src/mesh`) and
 * keys and credentials (`src/halo`), with hooks to misbehave. It joins a space's room with a password it stole,
 * runs a scripted handshake (a foreign or revoked chain through the real `runHandshake`, a replayed transcript, or
 * junk), floods raw frames on its data channels, and counts every byte it receives. With a member device's stolen
 * key it also passes the handshake through the real swarm and then speaks document-channel frames of its own
 * (hellos and messages that claim any repo or sender), reading every frame it is sent, or holds the space's
 * documents in a Repo of its own and writes what its role does not allow (`hostile-documents.ts`). Bundled by
 * `hostile-peer.ts`; never part of the app.
 */
import { cbor } from '@automerge/automerge-repo/slim'
import {
  issueCredential,
  generateKeyPair,
  signWith,
  swarmCommitment,
  swarmRoom,
  type KeyPair,
  type PublicKey,
} from '../src/halo'
import { joinSwarm, newRepoId, runHandshake, trysteroPage } from '../src/mesh'
import { roomKeyFrame } from '../src/mesh/handshake/run-handshake'
import {
  forceWrites,
  forgeEntries,
  heldHeads,
  heldTitles,
  holdSpace,
  releaseSpace,
  syncCarrying,
  syncHeadsOf,
  type Signing,
} from './hostile-documents'

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
  /**
   * The real handshake code, signing as `party` (whose chain the honest side must judge); its Hello names `repo`
   * (another peer's, say) instead of a repo of its own device when given.
   */
  | { readonly kind: 'handshake'; readonly party: Party; readonly repo?: string }
  /**
   * Sends these frames as they were recorded, then listens; with `asSelf`, a room key proof of its own (it holds the
   * password) instead of the recorded one, and its Hello's peer id made ours.
   */
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
  /**
   * The attempt decided nothing: the connection dropped, or our own handshake refused the remote's frames (stale
   * frames of an earlier attempt on a shared connection). The page meets that peer again.
   */
  undecided?: boolean
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
  /** As a member: every frame the document channel brought, in order. */
  readonly received: readonly AmRecord[]
  /** Every frame the Repo of `holdSpace` sent, in order (`from`: the connection it went on). */
  readonly sent: readonly AmRecord[]
}

/** A frame a member page sends on the document channel, with whatever ids it likes to claim. */
export type AmFrame =
  | { readonly kind: 'hello'; readonly peerId: string }
  | {
      readonly kind: 'request'
      readonly senderId: string
      readonly targetId: string
      readonly documentId: string
    }
  /** A sync message carrying one chunk of changes (hex) it made or crafted. */
  | {
      readonly kind: 'sync'
      readonly senderId: string
      readonly targetId: string
      readonly documentId: string
      readonly changesHex: string
    }

/** A document-channel frame a member page received: a control (`hello`, `welcome`, `bye`) or a message. */
export interface AmRecord {
  /** The Trystero id of the connection it came on. */
  readonly from: string
  readonly bytes: number
  readonly kind: string
  /** A control's repo id. */
  readonly peerId?: string
  readonly type?: string
  readonly documentId?: string
  readonly senderId?: string
  readonly targetId?: string
  /** Of a sync message: the heads the sender has. */
  readonly heads?: readonly string[]
}

/** A peer the member page passed the handshake and the connection binding with. */
export interface Member {
  readonly peerId: string
  readonly repo: string
  readonly device: string
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
  join(options: RoomOptions & { script: Script }): string
  /**
   * Joins through the real swarm as `party` (a member's stolen device): the handshake and the connection binding
   * pass, and the document channel is open; returns its repo id (of `party`'s device). It sends nothing there
   * until `sendAm`.
   */
  joinAsMember(options: RoomOptions & { party: Party }): string
  /** The peers it was let in by. */
  members(): Member[]
  /**
   * As a member: holds the space whose root is at `rootUrl` in a Repo of its own, synced with every peer it was
   * let in by; returns the ids of the data documents the root lists.
   */
  holdSpace(rootUrl: string): Promise<string[]>
  /** Adds `count` junk membership entries to the held root in one change; returns its new heads. */
  forgeEntries(count: number): string[]
  /** Retitles every object, renames the space and adds `entries` junk entries; returns every held heads. */
  forceWrites(title: string, entries: number): Record<string, string[]>
  /** The held documents' heads, by document id. */
  heldHeads(): Record<string, string[]>
  /** The object titles in the held documents. */
  heldTitles(): string[]
  /** Sends `frames` on the document channel to `peerId`, in order. */
  sendAm(peerId: string, frames: readonly AmFrame[]): Promise<void>
  /**
   * Sends `count` rounds of raw frames at `perSecond` rounds a second, each round one frame of each of `kinds` to
   * every open connection; returns the frames sent of each kind.
   */
  flood(options: { kinds: readonly FloodKind[]; count: number; perSecond: number }): Promise<number[]>
  report(): HostileReport
  leave(): Promise<void>
}

/** Where the page joins. */
interface RoomOptions {
  readonly relayUrl: string
  readonly roomId: string
  readonly password: string
  readonly spaceId: string
  readonly generation: number
  /** How many peers it waits to meet: it rejoins until it has. */
  readonly expectPeers: number
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
/** The document channel of a space room (src/client/mesh/space-room.ts). */
const REPO_CHANNEL = 'cp.am'
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
        if (actionOf(frame) === REPO_CHANNEL) record.documentBytes += frame.length
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

/** How the member page signs entries: as the party it joined as. */
const signingOf = (): Signing => {
  if (member === undefined) throw new Error('not joined as a member')
  const { party } = member
  return { identity: party.identity, key: keyPairOf(party), chain: party.chain }
}

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

/** A frame of our adapter (src/mesh/replication/frames.ts): its kind byte (1 control, 2 message), then CBOR. */
const adapterFrame = (kind: 1 | 2, body: object): Uint8Array => {
  const encoded = cbor.encode(body)
  const frame = new Uint8Array(encoded.length + 1)
  frame[0] = kind
  frame.set(encoded, 1)
  return frame
}

/** A sync message whose bytes are not an Automerge sync message (a mutation of one). */
const mutatedSync = (seq: number): Uint8Array => {
  const data = crypto.getRandomValues(new Uint8Array(64))
  data[0] = 0x42 // Automerge's sync message type byte, then junk.
  return adapterFrame(2, {
    type: 'sync',
    senderId: `x${String(seq % 10)}`,
    targetId: 'y',
    documentId: '2vKtyrg4qP7wYt2TBtWqahPkbDd2',
    data,
  })
}

/** Automerge's first sync message from an empty document: what a Repo sends to ask for a document it lacks. */
const EMPTY_SYNC = new Uint8Array([0x42, 0, 0, 1, 0, 0, 0, 2, 2, 0x84])

const present = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, string>)

/** What a member page reads of a document-channel frame. */
const readAm = (data: unknown, from: string): AmRecord => {
  if (!(data instanceof Uint8Array)) return { from, bytes: 0, kind: 'junk' }
  let body: unknown
  try {
    body = cbor.decode(data.subarray(1))
  } catch {
    return { from, bytes: data.length, kind: 'junk' }
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const text = (name: string): string | undefined => {
    const value = fields[name]
    return typeof value === 'string' ? value : undefined
  }
  const record = { from, bytes: data.length }
  const heads = fields.type === 'sync' ? syncHeadsOf(fields.data) : undefined
  if (data[0] === 1) return { ...record, kind: text('kind') ?? 'junk', ...present('peerId', text('peerId')) }
  return {
    ...record,
    kind: data[0] === 2 ? 'message' : 'junk',
    ...present('type', text('type')),
    ...present('documentId', text('documentId')),
    ...present('senderId', text('senderId')),
    ...present('targetId', text('targetId')),
    ...(heads === undefined ? {} : { heads }),
  }
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

let room: { leave(): Promise<void> } | undefined
let retrying: ReturnType<typeof setTimeout> | undefined
/** The swarm a member page joined, and the repo id it passed the handshake with. */
let member: { readonly swarm: ReturnType<typeof joinSwarm>; readonly repo: string; readonly party: Party } | undefined
const peers: PeerRecord[] = []
const joinErrors: string[] = []
const received: AmRecord[] = []
const sentAm: AmRecord[] = []

/** A frame as the report keeps it: text up to 8 KB, anything else by its size. */
const shown = (data: unknown): string =>
  typeof data === 'string'
    ? data.length > 8192
      ? `<${String(data.length)} characters>`
      : data
    : data instanceof Uint8Array
      ? `<${String(data.length)} bytes>`
      : JSON.stringify(data)

type Receive = () => Promise<{ readonly data: unknown }>

/** A handshake with `peerId`, recorded: what it sends and receives goes into its record. */
const recorded = <T extends string | Uint8Array<ArrayBuffer>>(
  peerId: string,
  send: (data: T) => Promise<void>,
  receive: Receive,
) => {
  const record: PeerRecord = { peerId, startedAt: Date.now(), received: [], sent: [] }
  peers.push(record)
  const sendText = async (data: T): Promise<void> => {
    record.sent.push(shown(data))
    await send(data)
  }
  const listen = async (): Promise<{ data: unknown }> => {
    const frame = await receive()
    record.received.push(shown(frame.data))
    return frame
  }
  return { record, sendText, listen }
}

/** Records how a handshake ended: 'passed', or the refusal's code (undecided unless the remote refused). */
const settle = (record: PeerRecord, outcome: Awaited<ReturnType<typeof runHandshake>>): void => {
  record.outcome = outcome.ok ? 'passed' : outcome.error.code
  if (!outcome.ok && outcome.error.code !== 'refused-by-peer') record.undecided = true
}

/** The real handshake, signing as `party` with a Hello that names `repo`; the hostile side believes anyone. */
const handshakeAs = (
  party: Party,
  repo: string,
  where: RoomOptions,
  peer: {
    readonly peerId: string
    readonly isInitiator: boolean
    readonly send: (data: string) => Promise<void>
    readonly receive: Receive
  },
) =>
  runHandshake({
    ctx: { kind: 'space', spaceId: where.spaceId, generation: where.generation },
    local: {
      peerId: trysteroPage.selfId,
      repo,
      storage: null,
      identity: party.identity as never,
      device: party.device as PublicKey,
      chain: party.chain,
      sign: (bytes) => Promise.resolve(hex(signWith(keyPairOf(party), bytes))),
    },
    remotePeerId: peer.peerId,
    roomPassword: where.password,
    send: peer.send,
    receive: peer.receive,
    isInitiator: peer.isInitiator,
    // All that matters is what the honest side decides.
    verifyChain: (chain) => Promise.resolve({ ok: true, value: { identity: (chain as { issuer: never }).issuer } }),
    authorize: () => Promise.resolve({ ok: true, value: undefined }),
  })

/**
 * Joins with `open` and, until it has met `expectPeers` since, joins again: Trystero announces again only after
 * 60 s when a first meeting fails (a busy relay), and a swarm that met one peer stops rejoining.
 */
const joinUntilMet = (open: () => { leave(): Promise<void> }, expectPeers: number): void => {
  const joinedAt = Date.now()
  room = open()
  let attempt = 0
  const retry = (): void => {
    // Backs off (5, 10, 20, 30 s): every page here shares one address's signaling budget at the worker.
    const delay = [5_000, 10_000, 20_000, 30_000][Math.min(attempt++, 3)] ?? 30_000
    retrying = setTimeout(() => {
      const met = peers.filter((peer) => peer.startedAt >= joinedAt && peer.undecided !== true)
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
}

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
  join(options) {
    const { relayUrl, roomId, password, spaceId, generation, script } = options
    const ctx = `space:${spaceId}:${String(generation)}`
    // The first frame of a handshake: the proof that it holds the room's password, which it stole.
    const keyFrame = (peerId: string): string => roomKeyFrame(password, ctx, trysteroPage.selfId, peerId)
    const open = () =>
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
            const { record, sendText, listen } = recorded(peerId, send, receive)
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
                  const outcome = await handshakeAs(party, script.repo ?? newRepoId(party.device), options, {
                    peerId,
                    isInitiator,
                    send: sendText,
                    receive: listen,
                  })
                  settle(record, outcome)
                  if (!outcome.ok) throw outcome.error
                  return
                }
                case 'replay':
                  for (const frame of script.frames) {
                    const hello = script.asSelf && frame.includes('"nonce"')
                    const key = script.asSelf && frame.includes('"key"')
                    await sendText(
                      key
                        ? keyFrame(peerId)
                        : hello
                          ? JSON.stringify({ ...(JSON.parse(frame) as object), peer: trysteroPage.selfId })
                          : frame,
                    )
                  }
                  await listenUntilEnd()
                  return
                case 'after-hello':
                  await sendText(keyFrame(peerId))
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
                  await sendText(keyFrame(peerId))
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
    joinUntilMet(open, options.expectPeers)
    return trysteroPage.selfId
  },
  joinAsMember(options) {
    const { party } = options
    const repo = newRepoId(party.device)
    const open = () => {
      const swarm = joinSwarm(
        { signalUrls: [options.relayUrl], publicRelays: [], iceServers: [] },
        { roomId: options.roomId, password: options.password },
        {
          handshake: async (peerId, send, receive, isInitiator) => {
            const { record, sendText, listen } = recorded(peerId, send, receive)
            const outcome = await handshakeAs(party, repo, options, {
              peerId,
              isInitiator,
              send: sendText,
              receive: listen,
            })
            settle(record, outcome)
            record.endedAt = Date.now()
            return outcome
          },
        },
      )
      swarm.channel<Uint8Array>(REPO_CHANNEL).subscribe((data, from) => {
        received.push(readAm(data, from))
      })
      member = { swarm, repo, party }
      return swarm
    }
    joinUntilMet(open, options.expectPeers)
    return repo
  },
  members: () =>
    [...(member?.swarm.authenticated.get().values() ?? [])].map(({ peerId, repo, device }) => ({
      peerId,
      repo,
      device,
    })),
  holdSpace(rootUrl) {
    if (member === undefined) throw new Error('not joined as a member')
    return holdSpace(member.swarm, REPO_CHANNEL, member.repo, rootUrl, (bytes, to) => {
      sentAm.push(readAm(bytes, to))
    })
  },
  forgeEntries: (count) => forgeEntries(signingOf(), count),
  forceWrites: (title, entries) => forceWrites(signingOf(), title, entries),
  heldHeads,
  heldTitles,
  async sendAm(peerId, frames) {
    const channel = member?.swarm.channel<Uint8Array>(REPO_CHANNEL)
    if (channel === undefined) throw new Error('not joined as a member')
    for (const frame of frames) {
      const { kind } = frame
      const bytes =
        kind === 'hello'
          ? adapterFrame(1, { kind, peerId: frame.peerId })
          : kind === 'request'
            ? adapterFrame(2, { ...frame, type: kind, data: EMPTY_SYNC })
            : adapterFrame(2, {
                type: kind,
                senderId: frame.senderId,
                targetId: frame.targetId,
                documentId: frame.documentId,
                data: syncCarrying(fromHex(frame.changesHex)),
              })
      await channel.send(bytes, peerId)
    }
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
          const action = endless ? '@_hsdata' : REPO_CHANNEL
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
    received: [...received],
    sent: [...sentAm],
  }),
  async leave() {
    clearTimeout(retrying)
    releaseSpace()
    const left = room
    room = undefined
    member = undefined
    await left?.leave().catch(() => undefined)
  },
}
