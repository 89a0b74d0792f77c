import { mayChange, type Space } from '../../echo'
import { copyKey, decodeCredential, verifyCredential, type Credential, type PublicKey } from '../../halo'

/** A refusal or a notice carries one removal; a few are read at most, whatever a peer sends. */
const MAX_EVIDENCE = 4

/**
 * Whether `entry` can be our removal in `space` as our copy of the log stands: of us, of this space, new here, from
 * an issuer our fold lets remove us, built on entries we hold, and signed by the chain it shows. Cheap checks first,
 * the signatures last. Only a filter: the fold still judges what is kept; it keeps junk out of our log, which
 * syncs to the others while we are a member, and it keeps a removed page from storing what can never apply.
 * New here unless the log holds this very copy under its id: the id does not cover the proof, so a member could
 * put a copy with a signature of its own there first and hide our removal from us (another copy there that holds
 * is the same removal to the fold, which no revocation voids: ours changes nothing then).
 */
const mayBeOurRemoval = (space: Space, identity: PublicKey, entry: Credential): boolean => {
  const { assertion } = entry
  if (assertion.kind !== 'MemberRemoved' || entry.subject !== identity || assertion.space !== (space.id as string)) {
    return false
  }
  const held = space.entry(entry.id)
  if (held !== undefined && copyKey(held) === copyKey(entry)) return false
  if (!mayChange(space.roleOf(entry.issuer), space.roleOf(identity), 'removed')) return false
  const known = (id: string): boolean => space.entry(id) !== undefined
  // As the fold checks an entry (canonical-order.ts): times at its own issuedAt, every parent held; revocations are
  // the fold's (a removal stands even when its signer is revoked later).
  return verifyCredential(entry, { clock: { now: () => entry.issuedAt }, hasCredential: known }).ok
}

/**
 * A peer that refused us as `not-member`, or that tells us so as it cuts us off, may show our removal: an entry that
 * can be it (`mayBeOurRemoval`) is kept in our copy of the space's log, whose fold verifies it, so this device learns
 * it was removed, and by whom, even though nothing of the space reaches it any more. Anything else (another
 * person's removal, another space's, a forged or replayed one, junk) is dropped and nothing is stored.
 */
export const keepRemovalEvidence = (space: Space | undefined, identity: PublicKey, evidence: unknown): number => {
  // Only a member has a removal to learn: once removed (or gone by its own leave), nothing more is kept.
  if (space === undefined || !Array.isArray(evidence) || space.roleOf(identity) === undefined) return 0
  let kept = 0
  for (const raw of evidence.slice(0, MAX_EVIDENCE)) {
    const entry = decodeCredential(raw)
    if (!entry.ok || !mayBeOurRemoval(space, identity, entry.value)) continue
    space.append(entry.value)
    kept++
  }
  return kept
}
