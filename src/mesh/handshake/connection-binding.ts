import { toBase64Url, utf8 } from '../../base'
import { verifyBytes, type PublicKey } from '../../halo'

/** What the binding needs of a passed handshake (`AuthenticatedPeer`): the transcript and the device it proved. */
interface BoundPeer {
  readonly transcript: Uint8Array
  readonly device: PublicKey
}

/**
 * Binding a handshake to the WebRTC connection it ran over (SECURITY.md R12). The transcript names both Trystero
 * ids, repos and nonces, but not the connection: a room-password holder between two peers could relay the handshake
 * and sit on both connections. Each side's DTLS certificate fingerprint is in the SDP (`a=fingerprint`), and a relay
 * has its own certificate on each leg. Trystero hides a pending peer's connection (`getPeers()` lists active peers
 * only), so the binding follows the handshake: once Trystero activates the peer, each side signs the transcript
 * with its own fingerprint and the one it sees for the remote, and the other checks it with the roles swapped.
 */

const FORMAT = 'commonplace/mesh-binding/v1'
/** At most this many fingerprint lines are read from a description (a certificate has one; some stacks repeat it). */
const MAX_FINGERPRINTS = 4
const FINGERPRINT = /^a=fingerprint:([A-Za-z0-9-]{1,16}) ([0-9A-Fa-f:]{1,200})$/
/** `{"v":1,"bind":<128 hex>}` */
const MAX_BINDING_CHARS = 256
const HEX_SIGNATURE = /^[0-9a-f]{128}$/

/** Our side of one connection: our certificate's fingerprint(s) and the remote's, as our SDP says. */
export interface ConnectionFingerprints {
  readonly local: string
  readonly remote: string
}

/** The `a=fingerprint` lines of an SDP, normalised (algorithm lower case, hex upper case), sorted; undefined if none. */
export const fingerprintsOf = (sdp: unknown): string | undefined => {
  if (typeof sdp !== 'string') return undefined
  const found = new Set<string>()
  for (const line of sdp.split(/\r?\n/)) {
    const match = FINGERPRINT.exec(line.trim())
    if (match === null) continue
    found.add(`${(match[1] ?? '').toLowerCase()} ${(match[2] ?? '').toUpperCase()}`)
    if (found.size > MAX_FINGERPRINTS) return undefined
  }
  return found.size === 0 ? undefined : [...found].sort().join(',')
}

const sdpOf = (description: unknown): unknown =>
  typeof description === 'object' && description !== null && 'sdp' in description ? description.sdp : undefined

/** Both fingerprints of a connection (an RTCPeerConnection, or a fake's stand-in); undefined if either is unknown. */
export const connectionFingerprints = (connection: unknown): ConnectionFingerprints | undefined => {
  if (typeof connection !== 'object' || connection === null) return undefined
  const local = fingerprintsOf(sdpOf('localDescription' in connection ? connection.localDescription : undefined))
  const remote = fingerprintsOf(sdpOf('remoteDescription' in connection ? connection.remoteDescription : undefined))
  return local === undefined || remote === undefined ? undefined : { local, remote }
}

/** What the side whose certificate is `signerLocal` signs: the transcript and the connection as it sees it. */
const bindingBytes = (transcript: Uint8Array, signerLocal: string, signerRemote: string): Uint8Array =>
  utf8(JSON.stringify([FORMAT, toBase64Url(transcript), signerLocal, signerRemote]))

/** Our signer per handshake that passed (`runHandshake` sets it): only that handshake's key signs its binding. */
const signers = new WeakMap<BoundPeer, (bytes: Uint8Array) => Promise<string>>()

export const rememberSigner = (peer: BoundPeer, sign: (bytes: Uint8Array) => Promise<string>): void => {
  signers.set(peer, sign)
}

/** Whether `peer` came from `runHandshake` (a handshake whose connection can be bound). */
export const canBind = (peer: BoundPeer): boolean => signers.has(peer)

/** Our binding frame for the connection to `peer`. */
export const signBinding = async (peer: BoundPeer, ours: ConnectionFingerprints): Promise<string> => {
  const sign = signers.get(peer)
  if (sign === undefined) throw new Error('no handshake to bind')
  const sig = await sign(bindingBytes(peer.transcript, ours.local, ours.remote))
  return JSON.stringify({ v: 1, bind: sig })
}

/**
 * Checks the remote's binding frame (attacker bytes: size first, then shape): its device signed this transcript
 * with, as its own certificate, the one we see as remote, and as remote the one that is ours.
 */
export const checkBinding = (peer: BoundPeer, ours: ConnectionFingerprints, frame: unknown): boolean => {
  if (typeof frame !== 'string' || frame.length > MAX_BINDING_CHARS) return false
  let parsed: unknown
  try {
    parsed = JSON.parse(frame)
  } catch {
    return false
  }
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).sort().join() !== 'bind,v') return false
  const { v, bind } = parsed as { v: unknown; bind: unknown }
  if (v !== 1 || typeof bind !== 'string' || !HEX_SIGNATURE.test(bind)) return false
  return verifyBytes(bind, bindingBytes(peer.transcript, ours.remote, ours.local), peer.device)
}
