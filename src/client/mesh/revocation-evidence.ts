import { decodeCredential, type Credential, type PublicKey } from '../../halo'

/** Entries of one refusal's evidence that are looked at: a real refuser sends this device's revocations only. */
const EVIDENCE_SCANNED = 8
/** Credentials of one refusal passed to HALO: each makes it re-check every credential it holds. */
export const EVIDENCE_KEPT = 4
/** Credential ids remembered as already passed on; past this the memory starts again (it only saves work). */
const SEEN_LIMIT = 1_024

/**
 * Picks what HALO should read from a `revoked` refusal's evidence: DeviceRevoked credentials of this identity
 * whose subject is this device, a few at most, each id once. Anything else a peer sends there would only make
 * HALO re-check all its credentials for nothing.
 */
export const revocationEvidence = (self: { readonly identityKey: PublicKey; readonly deviceKey: PublicKey }) => {
  const seen = new Set<string>()
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
        credential.subject !== self.deviceKey ||
        seen.has(credential.id)
      ) {
        continue
      }
      if (seen.size >= SEEN_LIMIT) seen.clear()
      seen.add(credential.id)
      kept.push(credential)
      if (kept.length === EVIDENCE_KEPT) break
    }
    return kept
  }
}
