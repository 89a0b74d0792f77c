import { copyKey, decodeCredential, type Credential, type PublicKey } from '../../halo'

/** Entries of one refusal's evidence that are looked at: a real refuser sends this device's revocations only. */
const EVIDENCE_SCANNED = 8
/** Credentials of one refusal passed to HALO: each makes it re-check every credential it holds. */
export const EVIDENCE_KEPT = 4
/**
 * Characters of the copy keys remembered as passed on (a thousand copies of one link, as the ids were; a peer may
 * send copies of 17 links): past this the memory starts again (it only saves work).
 */
const SEEN_CHARS = 262_144

/**
 * Picks what HALO should read from a `revoked` refusal's evidence: DeviceRevoked credentials of this identity
 * whose subject is this device, a few at most, each copy once. Anything else a peer sends there would only make
 * HALO re-check all its credentials for nothing. Known by copy key, not id: the id does not cover the proof, so a
 * peer that read the revocation in a space's log could send it first with a signature of its own, which HALO
 * refuses, and hide the real one.
 */
export const revocationEvidence = (self: { readonly identityKey: PublicKey; readonly deviceKey: PublicKey }) => {
  const seen = new Set<string>()
  let seenChars = 0
  return (evidence: unknown): Credential[] => {
    if (!Array.isArray(evidence)) return []
    const kept: Credential[] = []
    for (const value of evidence.slice(0, EVIDENCE_SCANNED)) {
      const decoded = decodeCredential(value)
      if (!decoded.ok) continue
      const credential = decoded.value
      if (
        credential.assertion.kind !== 'DeviceRevoked' ||
        credential.issuer !== self.identityKey ||
        credential.subject !== self.deviceKey
      ) {
        continue
      }
      const key = copyKey(credential)
      if (seen.has(key)) continue
      if (seenChars + key.length > SEEN_CHARS) {
        seen.clear()
        seenChars = 0
      }
      seen.add(key)
      seenChars += key.length
      kept.push(credential)
      if (kept.length === EVIDENCE_KEPT) break
    }
    return kept
  }
}
