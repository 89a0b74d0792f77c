/**
 * What the guest checks of a host's offer before it folds the log (review 14 H1). The fold verifies every entry,
 * 0.5-3 s at 1,500 entries on the leader tab's main thread, and anyone in the invitation room may offer. A few
 * entries tell whether the log can make this host a sharer: the offer's delegation is the link's invitation (its
 * invite key, space and role) and is in the log; a genesis signed by the link's space key; and a chain of signed
 * SpaceMember entries with a role that may share, from the genesis owner down to the host. Only those signatures
 * are checked, at most `MAX_VERIFIED`. It is necessary, not sufficient: the fold still decides.
 */
import { can, type SpaceId } from '../../echo'
import { decodeCredential, verifyCredential, type Credential, type PublicKey } from '../../halo'
import type { InviteOffer } from '../../mesh'

/**
 * Signatures checked per offer (the genesis's among them), and entries decoded: a real host's chain is a few
 * entries long (the owner, an admin it admitted, ...), while a crafted log may name the host in a thousand entries.
 * One signature costs 2-30 ms here (a loaded machine); the fold of 1,500 crafted entries 0.4-1.6 s.
 */
const MAX_VERIFIED = 6
const MAX_DECODED = 24

type Raw = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null

/** A raw log value's assertion kind and space, read without decoding it. */
const assertionOf = (value: Raw): Raw | undefined => (isRecord(value.assertion) ? value.assertion : undefined)

/** Whether an entry's signature and device chain hold, judged at its own issuedAt (as the fold judges it). */
const holds = (entry: Credential): boolean =>
  verifyCredential(entry, { clock: { now: () => entry.issuedAt }, hasCredential: () => true }).ok

export interface OfferClaim {
  readonly spaceId: SpaceId
  /** The link's invite key I_K. */
  readonly inviteKey: PublicKey
  /** The identity the host proved in the handshake. */
  readonly host: PublicKey
}

/** Whether the offer's delegation is the link's invitation, and its log holds it. */
const namesTheLink = (offer: InviteOffer, claim: OfferClaim): boolean => {
  const decoded = decodeCredential(offer.delegation)
  if (!decoded.ok) return false
  const { assertion, subject, id } = decoded.value
  return (
    assertion.kind === 'DelegatedInvitation' &&
    subject === claim.inviteKey &&
    (assertion.space as string) === claim.spaceId &&
    assertion.role === offer.role &&
    offer.log.some((value) => isRecord(value) && value.id === id)
  )
}

/**
 * Whether `offer` may prove `claim.host` a sharer of the link's invitation, from a handful of its entries. False for
 * a stranger's offer (its own delegation, or a real host's offer replayed under its identity), whatever its size.
 */
export const mayProve = (offer: InviteOffer, claim: OfferClaim): boolean => {
  if (!namesTheLink(offer, claim)) return false
  let verified = 0
  let decoded = 0
  /** The entry `value` decoded and, within the budgets, verified; undefined if it fails or a budget is spent. */
  const checked = (value: unknown, wanted: (entry: Credential) => boolean): Credential | undefined => {
    if (decoded >= MAX_DECODED) return undefined
    decoded++
    const entry = decodeCredential(value)
    // A log entry carrying an expiry has no effect in the fold.
    if (!entry.ok || entry.value.expiresAt !== undefined || !wanted(entry.value)) return undefined
    if (verified >= MAX_VERIFIED) return undefined
    verified++
    return holds(entry.value) ? entry.value : undefined
  }
  const members = new Map<unknown, Raw[]>()
  let owner: PublicKey | undefined
  for (const value of offer.log) {
    if (!isRecord(value)) continue
    const assertion = assertionOf(value)
    if (assertion?.space === claim.spaceId && assertion.kind === 'SpaceMember') {
      const named = members.get(value.subject)
      if (named === undefined) members.set(value.subject, [value])
      else named.push(value)
    } else if (owner === undefined && assertion?.kind === 'SpaceGenesis' && value.issuer === claim.spaceId) {
      const genesis = checked(value, (entry) => entry.subject === entry.issuer)
      if (genesis?.assertion.kind === 'SpaceGenesis') owner = genesis.assertion.owner
    }
  }
  if (owner === undefined) return false
  // From the host up to the owner: each step an admission to a role that may share, signed by its issuer.
  const seen = new Set<PublicKey>([claim.host])
  const reached: PublicKey[] = [claim.host]
  for (const target of reached) {
    if (target === owner) return true
    const named: readonly Raw[] = members.get(target) ?? []
    for (const value of named) {
      const issuer: unknown = value.issuer
      if (typeof issuer !== 'string' || (issuer !== owner && seen.has(issuer as PublicKey))) continue
      const entry = checked(value, (each) => each.assertion.kind === 'SpaceMember' && can(each.assertion.role, 'share'))
      if (entry === undefined) continue
      if (entry.issuer === owner) return true
      seen.add(entry.issuer)
      reached.push(entry.issuer)
    }
  }
  return false
}
