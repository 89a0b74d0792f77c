import { RepeatedSync } from './repeated-sync'
import { ResendBudget } from './resend-budget'
import { NetworkAdapter } from '@automerge/automerge-repo/slim'
import type { DocumentId, Message, PeerId, PeerMetadata, StorageId } from '@automerge/automerge-repo/slim'
import { Cell, noTrace, shortId, toHex, tracedCount, utf8, type Observable, type Trace } from '../../base'
import { controlMetadata, decodeFrame, encodeControl, encodeMessage, readMessage } from './frames'
import type { Control, DropReason } from './frames'

/** Who is at the other end of a link, as the handshake authenticated it. */
export interface PeerRemote {
  /** The remote Repo's peer id. */
  readonly repo: string
  readonly storage: string | null
  readonly device: string
  readonly identity: string | null
}

/** One authenticated connection, in one room, to one remote Repo. */
export interface PeerLink {
  readonly remote: PeerRemote
  send(bytes: Uint8Array): Promise<void>
  subscribe(onBytes: (bytes: Uint8Array) => void): () => void
  /** Called once when the remote has sent `MAX_BAD_FRAMES` oversize or undecodable frames: cut it off. */
  misbehaved?(): void
}

/** The peer id and metadata the Repo is told about a link's remote. */
export interface PeerIdentity {
  readonly peerId: PeerId
  readonly peerMetadata: PeerMetadata
}

/** What the remote adapter says of itself in its hello; only a claim. */
interface PeerClaims {
  readonly peerId: string
  readonly peerMetadata?: PeerMetadata
}

/**
 * What the Repo receives of an inbound message from `sender`: the message, another one (a sync message without
 * its changes, from a peer that may not write), or nothing (dropped, counted as `screened`).
 */
export type Screen = (sender: PeerRemote, message: Message) => Promise<Message | undefined>

export type Identify = (remote: PeerRemote, claims: PeerClaims) => Promise<PeerIdentity | undefined>

export interface MeshAdapterStats {
  /** Inbound frames dropped, by reason. */
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>
  /** Outbound messages not sent: no live link, not allowed, a relayed ephemeral, or a frame over the cap. */
  readonly withheld: Readonly<Partial<Record<'no-link' | 'denied' | 'relayed' | 'disconnected' | 'too-large', number>>>
  /** Documents whose sync message was over the frame cap, newest last (at most `MAX_TOO_LARGE`): they cannot sync. */
  readonly tooLarge?: readonly DocumentId[]
  /** Times a peer was re-announced after a send stalled or failed. */
  readonly stalls: number
  /** Times we asked a peer to start our sync over (`restart`), and times a peer's request was followed. */
  readonly resyncs?: { readonly asked: number; readonly followed: number }
  /** Sync loops broken: a peer and our Repo repeated one message until their sync was started over. */
  readonly loops?: number
  /** Hellos and welcomes held back until their peer's window allowed another announcement (`HELLO_BURST`). */
  readonly deferredHellos?: number
  /** Asks from the start that waited for the resend budget, and waiting messages merged into the next one. */
  readonly resends?: { readonly held: number; readonly merged: number }
}

export interface MeshAdapterOptions {
  /** Whether `remoteRepo` may receive messages about `documentId`; checked on every outbound message. */
  readonly allowed: (remoteRepo: PeerId, documentId: string) => boolean
  /** Frames larger than this are dropped before decoding, and never sent. */
  readonly maxFrameBytes?: number
  /** A send still pending after this long means the link stalled (Trystero gives up silently at 10 s). */
  readonly stallMs?: number
  /** Runs `fire` after `ms` unless the returned cancel is called first. */
  readonly after?: (ms: number, fire: () => void) => () => void
  /** Told of links, announcements, restarts and stalls, and of drops and withheld messages at counts 1, 2, 4… */
  readonly trace?: Trace
  /**
   * A peer's `resync` is followed at most once in this long; one sooner is dropped (`resync-too-soon`). Also the
   * window of `HELLO_BURST`.
   */
  readonly resyncEveryMs?: number
  /**
   * A peer's ask for a document from the start waits while the last one let through is unanswered (at most 1 s), or
   * within this long of an answer of 1 KiB or more (`resend-budget.ts`); it is delayed, never dropped.
   */
  readonly resendEveryMs?: number
  /** The clock of the resend budget. */
  readonly now?: () => number
  /** Bytes of frames held per link while a hello is identified; beyond it they are dropped as overflow. */
  readonly maxQueuedBytes?: number
  /** Maps a link and its hello to the Repo's peer; the default binds it to the authenticated remote. */
  readonly identify?: Identify
  /** Checks each inbound message before the Repo applies it; messages of one link stay in order. */
  readonly screen?: Screen
  /**
   * Our id on the wire (`cp1.<device hex>.<random>`, the handshake's `repo`), when the Repo's own id was fixed
   * before the device key was known: sent as our hello and senderId, required as targetId, and translated
   * to and from the Repo's id here. The Repo's id when absent.
   */
  readonly wireId?: string
}

const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024
const DEFAULT_STALL_MS = 9_000
/** A restart costs one small sync message per shared document; a peer may ask for one this often at most. */
const DEFAULT_RESYNC_EVERY_MS = 10_000
/** An ask from the start costs the whole document; an honest peer asks again only after a lost answer. */
const DEFAULT_RESEND_EVERY_MS = 10_000
/** An answer this large counts against the budget; a smaller one (the peer held it all) does not. */
const RESEND_CHARGE_BYTES = 1024
/**
 * How long an ask waits for our answer to the one before it: asks sent at once would each pass before the first
 * answer. Short, since the Repo answers nothing where it does not share the document, or has nothing to say.
 */
const RESEND_ANSWER_WAIT_MS = 1_000
/** Frames held while a hello is being identified; more is a flood. */
const MAX_QUEUED_FRAMES = 1_024
/** Two frames of the largest size: a hello is identified in one digest, so honest traffic never waits for more. */
const DEFAULT_MAX_QUEUED_BYTES = 2 * DEFAULT_MAX_FRAME_BYTES
/** Oversize or undecodable frames a link may bring before it is cut off: an honest peer of this build sends none. */
export const MAX_BAD_FRAMES = 16
/**
 * Announcements a peer's hellos and welcomes may cause within `resyncEveryMs`: a first meeting and one reconnect. Each
 * restarts our Repo's sync of every shared document; beyond these, a hello waits for the window (never dropped: a
 * dropped hello would leave the peer away for good), so a bye/hello loop costs what a `resync` loop does.
 */
const HELLO_BURST = 2
/** Documents listed in `stats.tooLarge`; more are counted only. */
const MAX_TOO_LARGE = 64

const timeout = (ms: number, fire: () => void): (() => void) => {
  const timer = setTimeout(fire, ms)
  return () => {
    clearTimeout(timer)
  }
}

/** `hex(sha256(device|storage))`, 32 characters: a remote cannot pick the key our sync state is stored under. */
const storageIdOf = async (remote: PeerRemote): Promise<StorageId | undefined> => {
  if (remote.storage === null) return undefined
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(utf8(`${remote.device}|${remote.storage}`)))
  return toHex(new Uint8Array(digest)).slice(0, 32) as StorageId
}

/** The production rule: the hello must name the Repo the handshake authenticated; metadata comes from it too. */
const bindToLink: Identify = async (remote, claims) => {
  if (claims.peerId !== remote.repo) return undefined
  const storageId = await storageIdOf(remote)
  const peerMetadata: PeerMetadata =
    storageId === undefined ? { isEphemeral: false } : { storageId, isEphemeral: false }
  return { peerId: remote.repo as PeerId, peerMetadata }
}

interface LinkState {
  readonly link: PeerLink
  /** The remote's Repo is connected on this link, as identified. */
  peer: PeerIdentity | undefined
  /** A hello being identified; frames wait behind it, in order. */
  identifying: boolean
  readonly queue: Uint8Array[]
  queuedBytes: number
  pending: number
  stalled: boolean
  /** The last inbound message being screened: the next one waits for it, so order is kept. */
  screening: Promise<void>
  unsubscribe: () => void
  /** Oversize or undecodable frames so far. */
  bad: number
  /** A hello or welcome identified while its peer had no announcement left in the window: honoured when one frees. */
  deferred: { readonly kind: 'hello' | 'welcome'; readonly identity: PeerIdentity } | undefined
}

/**
 * One automerge-repo adapter for every room: each authenticated link is attached here, and a remote Repo
 * reached through several rooms is one peer for the Repo, announced while at least one link to it is usable.
 */
export class MeshNetworkAdapter extends NetworkAdapter {
  readonly #options: MeshAdapterOptions
  readonly #links = new Set<LinkState>()
  /** Peers the Repo was told about, with what it was told. */
  readonly #announced = new Map<PeerId, PeerMetadata>()
  #connected = false
  readonly #ready: Promise<void>
  #becomeReady: () => void = () => undefined
  readonly #stats = new Cell<MeshAdapterStats>({ dropped: {}, withheld: {}, stalls: 0 })
  /** Peers whose `resync` was followed lately: another one waits out `resyncEveryMs`. */
  readonly #resynced = new Set<PeerId>()
  /** Identical sync messages in a row, per peer and document: a pair that answers itself for good. */
  readonly #repeated = new RepeatedSync()
  /** Peers whose looping sync we started over lately: another loop waits out `resyncEveryMs`. */
  readonly #looping = new Set<PeerId>()
  /** Announcements hellos and welcomes caused per peer in the current windows (`HELLO_BURST`). */
  readonly #greetings = new Map<PeerId, number>()
  readonly #resends: ResendBudget
  readonly #trace: Trace
  readonly #countDrop: (key: string) => void
  readonly #countWithheld: (key: string) => void
  readonly #countUnavailable: (key: string, fields: Readonly<Record<string, string>>) => void
  readonly #countDeferred: (key: string) => void
  readonly #countResend: (key: string) => void

  constructor(options: MeshAdapterOptions) {
    super()
    this.#options = options
    this.#trace = options.trace ?? noTrace
    this.#countDrop = tracedCount(this.#trace, 'dropped')
    this.#countWithheld = tracedCount(this.#trace, 'withheld')
    this.#countUnavailable = tracedCount(this.#trace, 'unavailable')
    this.#countDeferred = tracedCount(this.#trace, 'hello-deferred')
    this.#countResend = tracedCount(this.#trace, 'resend')
    const everyMs = options.resendEveryMs ?? DEFAULT_RESEND_EVERY_MS
    this.#resends = new ResendBudget({
      everyMs,
      // A budget of 0 (tests of other things) holds nothing.
      answerWaitMs: Math.min(RESEND_ANSWER_WAIT_MS, everyMs),
      chargeBytes: RESEND_CHARGE_BYTES,
      now: options.now ?? Date.now,
      after: options.after ?? timeout,
      deliver: (peer, message) => {
        this.#deliver(peer as PeerId, message)
      },
      count: (kind) => {
        const stats = this.#stats.get()
        const resends = stats.resends ?? { held: 0, merged: 0 }
        this.#stats.set({ ...stats, resends: { ...resends, [kind]: resends[kind] + 1 } })
        this.#countResend(kind)
      },
    })
    this.#ready = new Promise((resolve) => {
      this.#becomeReady = resolve
    })
  }

  get stats(): Observable<MeshAdapterStats> {
    return this.#stats
  }

  isReady(): boolean {
    return this.#connected
  }

  /** Ready once the Repo has connected: peers come and go with rooms, and `find()` must not wait for them. */
  whenReady(): Promise<void> {
    return this.#ready
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    if (this.#connected) this.disconnect()
    this.peerId = peerId
    // The Repo's reconnect() passes no metadata: keep what its first connect said.
    if (peerMetadata !== undefined) this.peerMetadata = peerMetadata
    this.#connected = true
    this.#becomeReady()
    for (const state of this.#links) this.#sendControl(state, this.#hello('hello'))
  }

  disconnect(): void {
    if (!this.#connected) return
    this.#connected = false
    for (const state of this.#links) {
      this.#sendControl(state, { kind: 'bye' })
      state.peer = undefined
      // Our hello on connect asks again.
      state.deferred = undefined
    }
    this.#reconcileAll()
  }

  /** Adds one authenticated connection; returns its removal. */
  attach(link: PeerLink): () => void {
    const state: LinkState = {
      link,
      peer: undefined,
      identifying: false,
      queue: [],
      queuedBytes: 0,
      pending: 0,
      stalled: false,
      screening: Promise.resolve(),
      unsubscribe: () => undefined,
      bad: 0,
      deferred: undefined,
    }
    this.#links.add(state)
    this.#trace('link', { repo: shortId(link.remote.repo), links: this.#links.size })
    state.unsubscribe = link.subscribe((bytes) => {
      this.#receive(state, bytes)
    })
    if (this.#connected) this.#sendControl(state, this.#hello('hello'))
    return () => {
      if (!this.#links.delete(state)) return
      this.#trace('link-gone', { repo: shortId(link.remote.repo), pending: state.pending, stalled: state.stalled })
      state.unsubscribe()
      const peer = state.peer?.peerId
      state.peer = undefined
      if (peer !== undefined) this.#reconcile(peer)
    }
  }

  /**
   * Starts our sync with `peerId` over on both sides, for a document that stays behind with no progress: a message
   * between us was lost (a link closed with it in flight, a side that could not place the document yet refused
   * it), and Automerge's sync, made for a reliable stream, never sends it again. The remote is asked to meet us
   * anew (`resync`) and our Repo meets it anew: each side sends its heads again, one small message per document.
   * False when the peer has no usable link.
   */
  restart(peerId: string): boolean {
    const state = this.#connected ? this.#usableLinks(peerId as PeerId)[0] : undefined
    if (state === undefined || !this.#announced.has(peerId as PeerId)) return false
    this.#trace('restart', { repo: shortId(peerId) })
    this.#sendControl(state, { kind: 'resync' })
    this.#reconcile(peerId as PeerId, true)
    this.#countResync('asked')
    return true
  }

  send(message: Message): void {
    if (!this.#connected) {
      this.#withhold('disconnected')
      return
    }
    if (message.type === 'ephemeral' && message.senderId !== this.peerId) {
      this.#withhold('relayed')
      return
    }
    const documentId = message.documentId
    const denied =
      documentId !== undefined &&
      message.type !== 'doc-unavailable' &&
      !this.#options.allowed(message.targetId, documentId)
    const state = denied ? undefined : this.#usableLinks(message.targetId)[0]
    // Our answer to an ask let through: a large one counts against the peer's resend budget.
    if (documentId !== undefined && message.type !== 'ephemeral') {
      const sent = state === undefined ? 0 : (message.data?.length ?? 0)
      this.#resends.answered(message.targetId, documentId, sent)
    }
    if (denied) {
      this.#withhold('denied', message.targetId)
      return
    }
    if (state === undefined) {
      this.#withhold('no-link', message.targetId)
      return
    }
    const wireId = this.#options.wireId
    const bytes = encodeMessage(wireId === undefined ? message : { ...message, senderId: wireId as PeerId })
    // The receiver drops a frame over the cap as misbehaviour and cuts the link at MAX_BAD_FRAMES: never send one.
    if (bytes.length > (this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)) {
      this.#withhold('too-large', message.targetId)
      if (documentId !== undefined && (message.type === 'sync' || message.type === 'request')) {
        this.#tooLarge(documentId)
      }
      return
    }
    if (message.type === 'doc-unavailable') {
      this.#countUnavailable(`to ${shortId(message.targetId)}`, { document: shortId(message.documentId ?? '') })
    }
    this.#transmit(state, bytes, true)
  }

  #hello(kind: 'hello' | 'welcome'): Control {
    const peerId = this.#options.wireId ?? this.peerId ?? ''
    const storageId = this.peerMetadata?.storageId
    return storageId === undefined ? { kind, peerId } : { kind, peerId, storageId }
  }

  #usableLinks(peerId: PeerId): LinkState[] {
    return [...this.#links].filter((state) => state.peer?.peerId === peerId && !state.stalled)
  }

  /** Tells the Repo about `peerId` as its usable links now say. */
  #reconcile(peerId: PeerId, bounce = false): void {
    const first = this.#connected ? this.#usableLinks(peerId)[0] : undefined
    const wasAnnounced = this.#announced.has(peerId)
    const leaving = wasAnnounced && (first === undefined || bounce)
    // What waits for the resend budget reaches the Repo before the peer leaves it: nothing is lost.
    if (leaving) this.#resends.release(peerId)
    // No usable link: its repeats and budget go (review 16, K2), or every Repo id that came would be kept for good.
    if (first === undefined) {
      this.#repeated.forget(peerId)
      this.#resends.forget(peerId)
    }
    if (leaving) {
      this.#trace('peer-gone', { repo: shortId(peerId), bounce })
      this.#announced.delete(peerId)
      this.emit('peer-disconnected', { peerId })
    }
    if (first?.peer !== undefined && !this.#announced.has(peerId)) {
      this.#trace('peer', { repo: shortId(peerId) })
      this.#announced.set(peerId, first.peer.peerMetadata)
      this.emit('peer-candidate', { peerId, peerMetadata: first.peer.peerMetadata })
    }
  }

  #reconcileAll(): void {
    const peers = new Set([...this.#announced.keys()])
    for (const state of this.#links) if (state.peer !== undefined) peers.add(state.peer.peerId)
    for (const peerId of peers) this.#reconcile(peerId)
  }

  #drop(reason: DropReason): void {
    this.#countDrop(reason)
    const stats = this.#stats.get()
    this.#stats.set({ ...stats, dropped: { ...stats.dropped, [reason]: (stats.dropped[reason] ?? 0) + 1 } })
  }

  /**
   * A peer and our Repo answer each other with one unchanged message for good (`repeated-sync.ts`): a lost message
   * that neither side will send again. Their sync starts over on both sides, at most once per `resyncEveryMs`.
   */
  #unloop(peer: PeerId): void {
    this.#repeated.forget(peer)
    if (this.#looping.has(peer)) return
    this.#looping.add(peer)
    ;(this.#options.after ?? timeout)(this.#options.resyncEveryMs ?? DEFAULT_RESYNC_EVERY_MS, () => {
      this.#looping.delete(peer)
    })
    // After this message's turn: the Repo is not told of a peer leaving from inside its own delivery.
    queueMicrotask(() => {
      this.#trace('loop', { repo: shortId(peer) })
      if (!this.restart(peer)) return
      const stats = this.#stats.get()
      this.#stats.set({ ...stats, loops: (stats.loops ?? 0) + 1 })
    })
  }

  #tooLarge(documentId: DocumentId): void {
    const stats = this.#stats.get()
    const listed = (stats.tooLarge ?? []).filter((id) => id !== documentId)
    this.#stats.set({ ...stats, tooLarge: [...listed, documentId].slice(-MAX_TOO_LARGE) })
  }

  #withhold(reason: keyof MeshAdapterStats['withheld'], target?: string): void {
    this.#countWithheld(target === undefined ? reason : `${reason} ${shortId(target)}`)
    const stats = this.#stats.get()
    this.#stats.set({ ...stats, withheld: { ...stats.withheld, [reason]: (stats.withheld[reason] ?? 0) + 1 } })
  }

  #receive(state: LinkState, bytes: Uint8Array): void {
    if (!this.#links.has(state)) return
    if (state.identifying) {
      const budget = this.#options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
      if (state.queue.length >= MAX_QUEUED_FRAMES || state.queuedBytes + bytes.length > budget) {
        this.#drop('overflow')
        return
      }
      state.queue.push(bytes)
      state.queuedBytes += bytes.length
      return
    }
    const decoded = decodeFrame(bytes, this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)
    if (!decoded.ok) {
      this.#drop(decoded.reason)
      state.bad += 1
      if (state.bad === MAX_BAD_FRAMES) state.link.misbehaved?.()
      return
    }
    const { frame } = decoded
    if (frame.kind === 'control') {
      this.#control(state, frame.control)
      return
    }
    const self = this.peerId
    // The Repo hears only from peers it was told about: not before the hello, nor while a link is stalled.
    if (!this.#connected || self === undefined || state.peer === undefined || !this.#announced.has(state.peer.peerId)) {
      this.#drop('not-connected')
      return
    }
    const read = readMessage(frame.body, state.peer.peerId, (this.#options.wireId ?? self) as PeerId)
    if (!read.ok) {
      this.#drop(read.reason)
      return
    }
    const { message: inbound } = read
    if (inbound.type === 'sync' && inbound.documentId !== undefined && inbound.data !== undefined) {
      if (this.#repeated.seen(state.peer.peerId, inbound.documentId, inbound.data)) this.#unloop(state.peer.peerId)
    }
    const screen = this.#options.screen
    const sender = state.peer.peerId
    if (screen === undefined) {
      this.#resends.offer(sender, read.message)
      return
    }
    const message = read.message
    state.screening = state.screening.then(async () => {
      const passed = await screen(state.link.remote, message).catch(() => undefined)
      if (passed === undefined) this.#drop('screened')
      // The link may have gone, or the peer changed, while the check ran.
      else if (this.#connected && state.peer?.peerId === sender && this.#announced.has(sender)) {
        this.#resends.offer(sender, passed)
      } else this.#drop('not-connected')
    })
  }

  /** Hands the Repo a message of `sender`'s, now or after the resend budget held it (`resend-budget.ts`). */
  #deliver(sender: PeerId, message: Message): void {
    const self = this.peerId
    if (!this.#connected || self === undefined || !this.#announced.has(sender)) {
      this.#drop('not-connected')
      return
    }
    if (message.type === 'doc-unavailable') {
      this.#countUnavailable(`from ${shortId(sender)}`, { document: shortId(message.documentId ?? '') })
    }
    this.emit('message', { ...message, senderId: sender, targetId: self })
  }

  #control(state: LinkState, control: Control): void {
    if (control.kind === 'resync') {
      this.#resync(state)
      return
    }
    if (control.kind === 'bye') {
      const peer = state.peer?.peerId
      state.peer = undefined
      state.deferred = undefined
      if (peer !== undefined) this.#reconcile(peer)
      return
    }
    // A hello that arrives while this Repo is away is answered by our own hello on connect.
    if (!this.#connected) return
    const metadata = controlMetadata(control)
    const claims: PeerClaims =
      metadata === undefined ? { peerId: control.peerId } : { peerId: control.peerId, peerMetadata: metadata }
    const known = state.peer
    if (known?.peerId === control.peerId && this.#announced.has(known.peerId) && !state.stalled) {
      // A repeat on a live link: a welcome lets a remote that lost its side (a failed send) come back,
      // but our Repo's sync is not restarted, so a peer cannot make it resync every document at will.
      if (control.kind === 'hello') this.#sendControl(state, this.#hello('welcome'))
      return
    }
    if (control.kind === 'welcome' && known?.peerId === control.peerId) return
    // This one supersedes a hello still waiting for its window.
    state.deferred = undefined
    state.identifying = true
    const identify = this.#options.identify ?? bindToLink
    identify(state.link.remote, claims)
      .catch(() => undefined)
      .then((identity) => {
        state.identifying = false
        this.#identified(state, control.kind, identity)
        this.#drain(state)
      })
      .catch(() => undefined)
  }

  /** Frames that waited go through in order, until another hello makes the rest wait again. */
  #drain(state: LinkState): void {
    let next = state.queue.shift()
    while (next !== undefined) {
      state.queuedBytes -= next.length
      this.#receive(state, next)
      if (state.identifying) return
      next = state.queue.shift()
    }
  }

  #identified(state: LinkState, kind: 'hello' | 'welcome', identity: PeerIdentity | undefined): void {
    if (!this.#links.has(state) || !this.#connected) return
    if (identity === undefined) {
      this.#drop('unidentified')
      return
    }
    const before = state.peer
    // A hello on a link that stalled or was not announced yet: the remote lost its side of the sync, start over.
    const bounce = kind === 'hello' && before !== undefined
    if ((bounce || !this.#announced.has(identity.peerId)) && !this.#greet(identity.peerId)) {
      state.deferred = { kind, identity }
      this.#countDeferred(`${kind} ${shortId(identity.peerId)}`)
      const stats = this.#stats.get()
      this.#stats.set({ ...stats, deferredHellos: (stats.deferredHellos ?? 0) + 1 })
      return
    }
    // Answer first: the remote starts sending once it hears us, so our welcome must precede our messages.
    if (kind === 'hello') this.#sendControl(state, this.#hello('welcome'))
    state.peer = identity
    if (before !== undefined && before.peerId !== identity.peerId) this.#reconcile(before.peerId)
    this.#reconcile(identity.peerId, bounce)
  }

  /** Takes one of `peer`'s announcements in the window (`HELLO_BURST`); false when none is left. */
  #greet(peer: PeerId): boolean {
    const used = this.#greetings.get(peer) ?? 0
    if (used >= HELLO_BURST) return false
    this.#greetings.set(peer, used + 1)
    ;(this.#options.after ?? timeout)(this.#options.resyncEveryMs ?? DEFAULT_RESYNC_EVERY_MS, () => {
      const left = (this.#greetings.get(peer) ?? 1) - 1
      if (left > 0) this.#greetings.set(peer, left)
      else this.#greetings.delete(peer)
      // The newest hello or welcome of each link that waited is honoured now.
      for (const state of [...this.#links]) {
        const deferred = state.deferred
        if (deferred?.identity.peerId !== peer) continue
        state.deferred = undefined
        this.#identified(state, deferred.kind, deferred.identity)
      }
    })
    return true
  }

  /** A remote's `resync`: our Repo meets it anew, at most once per `resyncEveryMs`, so it cannot make us loop. */
  #resync(state: LinkState): void {
    const peer = state.peer?.peerId
    if (peer === undefined || !this.#connected || !this.#announced.has(peer)) {
      this.#drop('not-connected')
      return
    }
    if (this.#resynced.has(peer)) {
      this.#drop('resync-too-soon')
      return
    }
    this.#resynced.add(peer)
    ;(this.#options.after ?? timeout)(this.#options.resyncEveryMs ?? DEFAULT_RESYNC_EVERY_MS, () => {
      this.#resynced.delete(peer)
    })
    this.#trace('resync', { repo: shortId(peer) })
    this.#reconcile(peer, true)
    this.#countResync('followed')
  }

  #countResync(kind: 'asked' | 'followed'): void {
    const stats = this.#stats.get()
    const resyncs = stats.resyncs ?? { asked: 0, followed: 0 }
    this.#stats.set({ ...stats, resyncs: { ...resyncs, [kind]: resyncs[kind] + 1 } })
  }

  #sendControl(state: LinkState, control: Control): void {
    this.#transmit(state, encodeControl(control), false)
  }

  /** Sends and watches: a send that stalls or fails has lost messages, so the peer's sync must restart. */
  #transmit(state: LinkState, bytes: Uint8Array, isMessage: boolean): void {
    state.pending += 1
    let settled = false
    const cancel = (this.#options.after ?? timeout)(this.#options.stallMs ?? DEFAULT_STALL_MS, () => {
      if (!settled) this.#stall(state)
    })
    const settle = (failed: boolean): void => {
      settled = true
      cancel()
      state.pending -= 1
      if (failed) this.#failed(state, isMessage)
      if (state.pending === 0 && state.stalled) {
        state.stalled = false
        if (state.peer !== undefined) this.#reconcile(state.peer.peerId)
      }
    }
    state.link.send(bytes).then(
      () => {
        settle(false)
      },
      () => {
        settle(true)
      },
    )
  }

  #stall(state: LinkState): void {
    if (state.stalled || !this.#links.has(state)) return
    state.stalled = true
    this.#trace('stall', { repo: shortId(state.link.remote.repo), pending: state.pending })
    const stats = this.#stats.get()
    this.#stats.set({ ...stats, stalls: stats.stalls + 1 })
    // Taken out now; announced again once this link drains, or at once through another usable link.
    if (state.peer !== undefined) this.#reconcile(state.peer.peerId, true)
  }

  /** A failed send: the link is down until the remote welcomes us again, which our hello asks for. */
  #failed(state: LinkState, isMessage: boolean): void {
    const peer = state.peer?.peerId
    if (peer === undefined || !this.#links.has(state)) return
    this.#trace('send-failed', { repo: shortId(peer), message: isMessage })
    state.peer = undefined
    this.#reconcile(peer, true)
    if (isMessage && this.#connected) this.#sendControl(state, this.#hello('hello'))
  }
}
