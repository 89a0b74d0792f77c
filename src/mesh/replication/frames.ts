import { cbor, isValidDocumentId } from '@automerge/automerge-repo/slim'
import type { Message, PeerId, PeerMetadata, StorageId } from '@automerge/automerge-repo/slim'

/** Every frame starts with its kind, so control frames never pass through the Repo's decoder path. */
const CONTROL = 1
const MESSAGE = 2

/**
 * Adapter lifecycle: `hello` asks for a `welcome`; `bye` says this side's Repo has left; `resync` asks the remote to
 * start its sync with us over (a message between us was lost, and Automerge's sync never sends one again).
 */
export type Control =
  | { readonly kind: 'hello' | 'welcome'; readonly peerId: string; readonly storageId?: string }
  | { readonly kind: 'bye' }
  | { readonly kind: 'resync' }

/** Why an inbound frame was dropped; the counters of `MeshAdapterStats` use these names. */
export type DropReason =
  | 'oversize'
  | 'malformed'
  | 'not-connected'
  | 'unidentified'
  | 'wrong-target'
  | 'unsupported-type'
  | 'bad-shape'
  | 'relayed'
  | 'overflow'
  | 'screened'
  | 'resync-too-soon'

const MAX_ID_LENGTH = 256

const withKind = (kind: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(body.length + 1)
  out[0] = kind
  out.set(body, 1)
  return out
}

export const encodeControl = (control: Control): Uint8Array => withKind(CONTROL, cbor.encode(control))
export const encodeMessage = (message: Message): Uint8Array => withKind(MESSAGE, cbor.encode(message))

export type Decoded =
  | { readonly ok: true; readonly frame: { readonly kind: 'control'; readonly control: Control } }
  | { readonly ok: true; readonly frame: { readonly kind: 'message'; readonly body: Record<string, unknown> } }
  | { readonly ok: false; readonly reason: DropReason }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)

const shortString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH

const readControl = (body: Record<string, unknown>): Control | undefined => {
  if (body.kind === 'bye') return { kind: 'bye' }
  if (body.kind === 'resync') return { kind: 'resync' }
  if ((body.kind !== 'hello' && body.kind !== 'welcome') || !shortString(body.peerId)) return undefined
  if (body.storageId === undefined) return { kind: body.kind, peerId: body.peerId }
  return shortString(body.storageId) ? { kind: body.kind, peerId: body.peerId, storageId: body.storageId } : undefined
}

/** Size first, then decoding: a frame over `maxBytes` is never parsed. Never throws. */
export const decodeFrame = (bytes: unknown, maxBytes: number): Decoded => {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) return { ok: false, reason: 'malformed' }
  if (bytes.length > maxBytes) return { ok: false, reason: 'oversize' }
  let body: unknown
  try {
    body = cbor.decode(bytes.subarray(1))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!isRecord(body)) return { ok: false, reason: 'malformed' }
  if (bytes[0] === MESSAGE) return { ok: true, frame: { kind: 'message', body } }
  if (bytes[0] !== CONTROL) return { ok: false, reason: 'malformed' }
  const control = readControl(body)
  return control === undefined ? { ok: false, reason: 'malformed' } : { ok: true, frame: { kind: 'control', control } }
}

export const controlMetadata = (control: Control): PeerMetadata | undefined =>
  (control.kind === 'hello' || control.kind === 'welcome') && control.storageId !== undefined
    ? { storageId: control.storageId as StorageId }
    : undefined

/**
 * Rebuilds a message the Repo may receive from a decoded body, with `senderId` set to the neighbour.
 * Only the four document message types pass; fields are copied one by one, so nothing else rides along.
 */
export const readMessage = (
  body: Record<string, unknown>,
  sender: PeerId,
  self: PeerId,
): { readonly ok: true; readonly message: Message } | { readonly ok: false; readonly reason: DropReason } => {
  const { type, targetId, documentId, data } = body
  if (type !== 'sync' && type !== 'request' && type !== 'doc-unavailable' && type !== 'ephemeral') {
    return { ok: false, reason: 'unsupported-type' }
  }
  if (targetId !== self) return { ok: false, reason: 'wrong-target' }
  if (!shortString(documentId) || !isValidDocumentId(documentId)) return { ok: false, reason: 'bad-shape' }
  if (type === 'doc-unavailable') return { ok: true, message: { type, senderId: sender, targetId: self, documentId } }
  if (!(data instanceof Uint8Array)) return { ok: false, reason: 'bad-shape' }
  if (type !== 'ephemeral') return { ok: true, message: { type, senderId: sender, targetId: self, documentId, data } }
  // A relayed ephemeral keeps its first sender's id (DocSynchronizer); we accept only the neighbour's own.
  if (body.senderId !== sender) return { ok: false, reason: 'relayed' }
  const { count, sessionId } = body
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || !shortString(sessionId)) {
    return { ok: false, reason: 'bad-shape' }
  }
  const message = { type, senderId: sender, targetId: self, documentId, data, count, sessionId }
  return { ok: true, message }
}
