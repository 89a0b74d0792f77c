import type { Space } from '../../echo'
import { decodeCredential, type PublicKey } from '../../halo'

/** A refusal carries one removal; a few are read at most, whatever a peer sends. */
const MAX_EVIDENCE = 4

/**
 * A peer that refused us as `not-member` may show our removal: the MemberRemoved entries of `identity` in what it
 * sent are kept in our copy of the space's log, whose fold verifies them (a forged one changes nothing), so this
 * device learns it was removed, and by whom, even though nothing of the space reaches it any more.
 */
export const keepRemovalEvidence = (space: Space | undefined, identity: PublicKey, evidence: unknown): number => {
  if (space === undefined || !Array.isArray(evidence)) return 0
  let kept = 0
  for (const raw of evidence.slice(0, MAX_EVIDENCE)) {
    const entry = decodeCredential(raw)
    if (!entry.ok || entry.value.assertion.kind !== 'MemberRemoved' || entry.value.subject !== identity) continue
    space.append(entry.value)
    kept++
  }
  return kept
}
