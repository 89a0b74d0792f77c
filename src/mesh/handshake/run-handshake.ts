import type { GenericSchema } from 'valibot'
import { assert, concatBytes, err, ok, toBase64Url, utf8, type Result } from '../../base'
import { canonicalJson, isRoomKeyProof, roomKeyProof, verifyBytes, type IdentityKey, type PublicKey } from '../../halo'
import {
  doneMessage,
  helloSchema,
  MAX_CONTROL_BYTES,
  MAX_HELLO_BYTES,
  MAX_PROOF_BYTES,
  MAX_ROOM_KEY_BYTES,
  proofSchema,
  readFrame,
  repoDevice,
  roomKeySchema,
  type Hello,
} from './messages'
import { rememberSigner } from './connection-binding'
import { HandshakeRefusal, type RefusalCode } from './refusal'

/**
 * What a handshake is about: one generation of a space's swarm, one device-link room (the guest has no identity
 * yet), or one invitation room of a space (both sides have identities and chains; the guest also proves K).
 */
export type HandshakeContext =
  | { readonly kind: 'space'; readonly spaceId: string; readonly generation: number }
  | { readonly kind: 'link'; readonly inviteKey: PublicKey }
  | { readonly kind: 'invite'; readonly spaceId: string; readonly inviteKey: PublicKey }

/** This side of the handshake. */
export interface LocalParty {
  /** Our Trystero id (`selfId`). */
  readonly peerId: string
  /** `cp1.<device hex>.<random>`, see `newRepoId`. */
  readonly repo: string
  /** 64 hex characters naming this device's storage (not a secret), or null; a peer keys our sync state by it. */
  readonly storage: string | null
  /** Null only for a guest in a link room (a device not linked yet). */
  readonly identity: IdentityKey | null
  readonly device: PublicKey
  /** Our AuthorizedDevice; null only for a guest in a link room. */
  readonly chain: unknown
  /** Ed25519 by the device key, hex. */
  sign(bytes: Uint8Array): Promise<string>
  /** Ed25519 by the invite key I_K, hex: what makes us the guest of a link or invitation room. */
  signInvite?(bytes: Uint8Array): Promise<string>
}

/** A peer that proved its device key (and chain, or invitation) for this handshake. */
export interface AuthenticatedPeer {
  readonly peerId: string
  readonly repo: string
  readonly storage: string | null
  /** Null for a guest in a link room. */
  readonly identity: IdentityKey | null
  readonly device: PublicKey
  readonly chain: unknown
  /** The canonical transcript both sides signed; its hash gives the confirmation code. */
  readonly transcript: Uint8Array
  /** The peer proved the invite key of this link or invitation room (it is the guest). */
  readonly invited: boolean
}

/** A refusal an injected check gives: the code is sent to the remote, with verified evidence if any. */
export interface Refused {
  readonly code: RefusalCode
  readonly evidence?: unknown
}

export interface HandshakeOptions {
  readonly ctx: HandshakeContext
  readonly local: LocalParty
  /** Trystero's id for the remote of this connection. */
  readonly remotePeerId: string
  /**
   * The room's password (from the same secret as its id). Each side proves it holds it, bound to this handshake's
   * context and both peer ids, and says nothing of itself before the other's proof verified: Trystero's own
   * password step is checked by its initiator only (the lower page id, which a hostile page picks), and Trystero
   * tells a peer sharing our connection the tokens of all our rooms, so a peer holding one room's password could
   * otherwise start a handshake in our others and read our Hello there (which spaces we are in, who we are).
   */
  readonly roomPassword: string
  /** Trystero's handshake `send`, `receive` and `isInitiator`; the role orders the transcript only. */
  readonly send: (data: string) => Promise<void>
  readonly receive: () => Promise<{ readonly data: unknown }>
  readonly isInitiator: boolean
  /** halo's verifyPeerDevice with the caller's clock and revocations; its subject must be `device`. */
  readonly verifyChain: (chain: unknown, device: PublicKey) => Promise<Result<{ identity: IdentityKey }, Refused>>
  /** Membership (space) or invitation state (link) of the proven peer, by the caller's own fold and clock. */
  readonly authorize: (ctx: HandshakeContext, peer: AuthenticatedPeer) => Promise<Result<void, Refused>>
  /**
   * The only remote we will meet (an invitation's guest joining with its real identity, after a throwaway one
   * proved this host, review 16): our Hello goes only once the remote's Hello names this identity and device (any
   * other is refused with nothing of ours sent but the reject), and our Proof only once the remote's Proof verified
   * by that device key. The other side sends first as always, so only one side of a handshake may set it.
   */
  readonly expect?: { readonly identity: PublicKey; readonly device: PublicKey }
  /** Default 15 s. */
  readonly timeoutMs?: number
  /**
   * The remote's room key proof must arrive within this (default 5 s), then its Hello within as long again, and
   * then its Proof (each one trip under load, a deadline each rather than one for two trips): Trystero
   * buffers a pending peer's chunks with no size cap until the handshake ends, so a peer that streams and never
   * finishes a frame is cut off early. (Its `done` may take longer: the remote's authorize may wait for its log.)
   */
  readonly helloTimeoutMs?: number
  /** Calls `fire` after `ms`; returns the cancel. Tests pass a manual timer. */
  readonly after?: (ms: number, fire: () => void) => () => void
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000
/** Both sides send their Hello as the handshake starts, over an open data channel: one trip, not seconds. */
const DEFAULT_HELLO_TIMEOUT_MS = 5_000
const FORMAT = 'commonplace/mesh-handshake/v1'
const ROOM_KEY_FORMAT = 'commonplace/room-key/v1'

/** What a room key proof from `from` to `to` states (canonical JSON: no two statements read alike). */
const roomKeyStatement = (ctx: string, from: string, to: string): string =>
  canonicalJson({ format: ROOM_KEY_FORMAT, ctx, from, to })

/** The first frame of a handshake from Trystero id `from` to `to` in the room of `password` (context `ctx`). */
export const roomKeyFrame = (password: string, ctx: string, from: string, to: string): string =>
  JSON.stringify({ v: 1, key: roomKeyProof(password, roomKeyStatement(ctx, from, to)) })

type Outcome = Result<AuthenticatedPeer, HandshakeRefusal>
type Role = 'initiator' | 'responder'

export const contextString = (ctx: HandshakeContext): string => {
  switch (ctx.kind) {
    case 'space':
      return `space:${ctx.spaceId}:${String(ctx.generation)}`
    case 'link':
      return `link:${ctx.inviteKey}`
    case 'invite':
      return `invite:${ctx.spaceId}:${ctx.inviteKey}`
  }
}

/** Tells the remote at once that we refuse, so it fails now instead of at its timeout. */
export const sendRefusal = (send: (data: string) => Promise<void>, code: RefusalCode): Promise<void> =>
  send(JSON.stringify({ v: 1, reject: code })).catch(() => undefined)

const timerAfter = (ms: number, fire: () => void): (() => void) => {
  const timer = setTimeout(fire, ms)
  return () => {
    clearTimeout(timer)
  }
}

/**
 * Mutual challenge-response inside Trystero's `onPeerHandshake`; both sides run this same code. A room key proof,
 * Hello, Proof and done go each way; any failure sends `{v:1, reject}` first so the remote fails at once.
 */
export const runHandshake = async (options: HandshakeOptions): Promise<Outcome> => {
  const after = options.after ?? timerAfter
  const session: Session = { settled: false, frameArrived: () => undefined }
  let cancel = (): void => undefined
  const timeout = new Promise<Outcome>((resolve) => {
    const expire = (): void => {
      if (session.settled) return
      session.settled = true
      void sendRefusal(options.send, 'timeout')
      resolve(err(new HandshakeRefusal('timeout')))
    }
    const frameMs = options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS
    const cancelAll = after(options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, expire)
    // One deadline at a time: the room key proof's from the start, then the Hello's, then the Proof's.
    let cancelFrame = after(frameMs, expire)
    session.frameArrived = (next) => {
      cancelFrame()
      cancelFrame = next && !session.settled ? after(frameMs, expire) : () => undefined
    }
    cancel = () => {
      cancelAll()
      cancelFrame()
    }
  })
  try {
    return await Promise.race([exchange(options, session), timeout])
  } finally {
    session.settled = true
    cancel()
  }
}

interface Session {
  settled: boolean
  /** Cancels the deadline of the frame that arrived and, with `next`, starts the next frame's. */
  frameArrived: (next: boolean) => void
}

/** Thrown inside `exchange` to end it; turned into the outcome at its one catch. */
class Stop extends Error {
  readonly outcome: Outcome
  constructor(outcome: Outcome) {
    super('handshake ended')
    this.outcome = outcome
  }
}

const exchange = async (options: HandshakeOptions, session: Session): Promise<Outcome> => {
  const { ctx, local } = options
  assert(ctx.kind === 'space' || local.identity !== null || local.signInvite !== undefined, 'a guest signs its invite')
  // The guest of a link or invitation room is the side that holds the invite key.
  const localGuest = ctx.kind !== 'space' && local.signInvite !== undefined

  // Trystero rejects both once the connection is gone (closed, or replaced under the same peer id): the
  // handshake then ends as `disconnected`, a result its caller handles like any other refusal.
  const gone = (): never => {
    throw new Stop(err(new HandshakeRefusal('disconnected')))
  }
  const send = (data: string): Promise<void> => options.send(data).catch(gone)
  const fail = async (refused: Refused): Promise<never> => {
    if (!session.settled) {
      const message =
        refused.evidence === undefined
          ? { v: 1, reject: refused.code }
          : { v: 1, reject: refused.code, evidence: refused.evidence }
      await options.send(JSON.stringify(message)).catch(() => undefined)
    }
    throw new Stop(err(new HandshakeRefusal(refused.code, { evidence: refused.evidence })))
  }
  // The remote proved itself once its Proof verified and our checks authorized it; before that a reject is
  // only a word from anyone holding the room password, so its evidence is dropped.
  let remoteProven = false
  const next = async <T>(schema: GenericSchema<unknown, T>, maxBytes: number, malformed: RefusalCode): Promise<T> => {
    const { data } = await options.receive().catch(gone)
    // After a timeout the outcome is decided; a late frame must not send anything more.
    if (session.settled) throw new Stop(err(new HandshakeRefusal('timeout')))
    const frame = readFrame(data, schema, maxBytes)
    if (frame.kind === 'reject') {
      const remoteCode = frame.value.reject
      const refusal = remoteProven
        ? new HandshakeRefusal('refused-by-peer', { remoteCode, remoteProven, evidence: frame.value.evidence })
        : new HandshakeRefusal('refused-by-peer', { remoteCode, remoteProven })
      throw new Stop(err(refusal))
    }
    if (frame.kind === 'malformed') return fail({ code: malformed })
    return frame.value
  }

  try {
    const ctxText = contextString(ctx)
    const { roomPassword, remotePeerId } = options
    // Our own id as the remote's would make our proof its own: sent back, it would verify (Trystero never connects a
    // page to itself, but this check does not lean on that).
    if (remotePeerId === local.peerId) return await fail({ code: 'wrong-peer' })
    await send(roomKeyFrame(roomPassword, ctxText, local.peerId, remotePeerId))
    const theirKey = await next(roomKeySchema, MAX_ROOM_KEY_BYTES, 'bad-room-key')
    session.frameArrived(true)
    if (!isRoomKeyProof(roomPassword, roomKeyStatement(ctxText, remotePeerId, local.peerId), theirKey.key))
      return await fail({ code: 'bad-room-key' })
    const hello: Hello = {
      v: 1,
      ctx: ctxText,
      peer: local.peerId,
      nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(32))),
      repo: local.repo,
      storage: local.storage,
      identity: local.identity,
      device: local.device,
    }
    const { expect } = options
    if (expect === undefined) await send(JSON.stringify(hello))
    const theirs = await next(helloSchema, MAX_HELLO_BYTES, 'bad-hello')
    session.frameArrived(true)
    if (theirs.peer !== remotePeerId) return await fail({ code: 'wrong-peer' })
    if (expect !== undefined) {
      if (theirs.identity !== expect.identity || theirs.device !== expect.device)
        return await fail({ code: 'wrong-role' })
      await send(JSON.stringify(hello))
    }
    if (theirs.ctx !== ctxText) return await fail({ code: 'wrong-context' })
    if (repoDevice(theirs.repo) !== theirs.device) return await fail({ code: 'bad-hello' })
    const localHost = local.identity !== null
    const remoteHost = theirs.identity !== null
    const roles = ctx.kind === 'link' ? localHost !== remoteHost : remoteHost
    if (!roles) return await fail({ code: 'wrong-role' })

    const [role, theirRole]: [Role, Role] = options.isInitiator
      ? ['initiator', 'responder']
      : ['responder', 'initiator']
    let transcript: Uint8Array
    try {
      const [initiator, responder] = options.isInitiator ? [hello, theirs] : [theirs, hello]
      transcript = utf8(canonicalJson({ format: FORMAT, ctx: ctxText, initiator, responder }))
    } catch {
      // A string that is not well-formed Unicode has no canonical form.
      return await fail({ code: 'bad-hello' })
    }

    const sig = await local.sign(concatBytes(transcript, utf8(role)))
    const inviteSig = localGuest ? await local.signInvite?.(concatBytes(transcript, utf8('guest'))) : undefined
    const proof =
      inviteSig === undefined ? { v: 1, chain: local.chain, sig } : { v: 1, chain: local.chain, sig, inviteSig }
    if (expect === undefined) await send(JSON.stringify(proof))
    const theirProof = await next(proofSchema, MAX_PROOF_BYTES, 'bad-proof')
    session.frameArrived(false)

    if (!verifyBytes(theirProof.sig, concatBytes(transcript, utf8(theirRole)), theirs.device)) {
      return await fail({ code: 'bad-signature' })
    }
    // The expected device signed this handshake: our chain and invite signature may go to it now.
    if (expect !== undefined) await send(JSON.stringify(proof))
    const device = theirs.device as PublicKey
    // In a link room the side without an identity is the guest; in an invitation room it is the side that is
    // not us (one guest and one host: two guests, or two hosts, have nothing to say to each other).
    const remoteGuest = ctx.kind === 'link' ? !remoteHost : ctx.kind === 'invite' && !localGuest
    if (ctx.kind === 'invite' && (theirProof.inviteSig !== undefined) === localGuest) {
      return await fail({ code: localGuest ? 'wrong-role' : 'not-invited' })
    }
    if (remoteHost) {
      if (theirProof.chain === null) return await fail({ code: 'bad-proof' })
      if (!remoteGuest && theirProof.inviteSig !== undefined) return await fail({ code: 'bad-proof' })
      const verdict = await options.verifyChain(theirProof.chain, device)
      if (!verdict.ok) return await fail(verdict.error)
      if (verdict.value.identity !== theirs.identity) return await fail({ code: 'bad-chain' })
    } else if (ctx.kind !== 'link' || theirProof.chain !== null) return await fail({ code: 'bad-proof' })
    if (remoteGuest && ctx.kind !== 'space') {
      const invited =
        theirProof.inviteSig !== undefined &&
        verifyBytes(theirProof.inviteSig, concatBytes(transcript, utf8('guest')), ctx.inviteKey)
      if (!invited) return await fail({ code: 'not-invited' })
    }
    const peer: AuthenticatedPeer = {
      peerId: remotePeerId,
      repo: theirs.repo,
      storage: theirs.storage,
      identity: theirs.identity as IdentityKey | null,
      device,
      chain: theirProof.chain,
      transcript,
      invited: remoteGuest,
    }
    const allowed = await options.authorize(ctx, peer)
    if (!allowed.ok) return await fail(allowed.error)
    remoteProven = true

    // Both sides say done, so a refusal by the remote's last check reaches us too, not only its timeout.
    await send(JSON.stringify({ v: 1, done: true }))
    await next(doneMessage, MAX_CONTROL_BYTES, 'bad-proof')
    // Our key signs this handshake's binding to its connection once Trystero activates the peer.
    rememberSigner(peer, (bytes) => local.sign(bytes))
    return ok(peer)
  } catch (error) {
    if (error instanceof Stop) return error.outcome
    throw error
  }
}
