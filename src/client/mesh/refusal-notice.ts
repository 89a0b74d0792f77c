/**
 * A refusal told on an open connection: before a peer cuts us off (our removal, our device's revocation) it says so
 * on the space room's `cp.refused` channel, with the same evidence a refused handshake carries, so a page that stays
 * open learns it at once rather than at its next handshake (which may never come: Trystero meets a closed pair again
 * only when one side joins anew). Valibot lives below the client; the shape is small, and each evidence entry is
 * then decoded strictly by HALO and judged by the fold like any handshake evidence.
 */

/** Beside `cp.am`, `cp.open` and `cp.presence`; Trystero reserves names starting with `@_`. */
export const NOTICE_CHANNEL = 'cp.refused'

/** The refusals that carry evidence the refused side can verify itself (mesh-identity.ts). */
type NoticeCode = 'not-member' | 'revoked'

export interface RefusalNotice {
  readonly code: NoticeCode
  readonly evidence: readonly unknown[]
}

/** A removal is one entry and a device's revocations a few; the receiving side looks at no more than this. */
const MAX_NOTICE_ENTRIES = 8
/** Eight credentials with their device chains are under 12 KB: anything past 16 KiB is not a notice of ours. */
const MAX_NOTICE_CHARS = 16 * 1024

export const writeNotice = (notice: RefusalNotice): string =>
  JSON.stringify({ v: 1, reject: notice.code, evidence: notice.evidence.slice(0, MAX_NOTICE_ENTRIES) })

const isNoticeCode = (value: unknown): value is NoticeCode => value === 'not-member' || value === 'revoked'

/** A notice as a peer sent it (attacker bytes): exactly `{v: 1, reject, evidence: [...]}`, or undefined. */
export const readNotice = (data: unknown): RefusalNotice | undefined => {
  // JSON.parse's work is bounded by the characters, checked before it runs.
  if (typeof data !== 'string' || data.length > MAX_NOTICE_CHARS) return undefined
  let frame: unknown
  try {
    frame = JSON.parse(data)
  } catch {
    return undefined
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return undefined
  if (Object.keys(frame).sort().join(',') !== 'evidence,reject,v') return undefined
  const { v, reject, evidence } = frame as Record<string, unknown>
  if (v !== 1 || !isNoticeCode(reject) || !Array.isArray(evidence) || evidence.length > MAX_NOTICE_ENTRIES) {
    return undefined
  }
  return { code: reject, evidence: evidence as readonly unknown[] }
}
