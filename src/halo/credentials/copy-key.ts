import type { Credential } from './credential'

/**
 * A credential's id and its proof down its chain. The id covers the signed content, not the proof, so one content
 * may come with other proofs (a device of the identity signing it through another chain of its own); two copies
 * with one key are the same bytes that count.
 */
export const copyKey = (credential: Credential): string => {
  const { signer, signature, chain } = credential.proof
  return `${credential.id}:${signer}:${signature}${chain === undefined ? '' : `<${copyKey(chain)}`}`
}
