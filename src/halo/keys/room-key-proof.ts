/**
 * What shows a peer holds a room's password without giving it: HMAC-SHA-256 keyed by the password over a statement
 * the caller builds (who sends it, to whom, in which room). Trystero's own password step is checked by the
 * initiator only, and the initiator is whichever page id is lower, which a hostile page picks; a handshake that
 * sends nothing about us before the other side's proof verified closes that gap (mesh's run-handshake.ts).
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { toBase64Url, utf8 } from '../../base'

/** The proof of `password` for `statement`, as 43 base64url characters. */
export const roomKeyProof = (password: string, statement: string): string =>
  toBase64Url(hmac(sha256, utf8(password), utf8(statement)))

/**
 * Whether `proof` is `statement`'s proof under `password`: the same characters, compared in constant time (as text,
 * so each proof has one spelling; a decoder would also take the three other last characters of the same bytes).
 */
export const isRoomKeyProof = (password: string, statement: string, proof: string): boolean => {
  const expected = roomKeyProof(password, statement)
  if (proof.length !== expected.length) return false
  let difference = 0
  for (let at = 0; at < expected.length; at++) difference |= expected.charCodeAt(at) ^ proof.charCodeAt(at)
  return difference === 0
}
