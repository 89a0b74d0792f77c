/**
 * Device revocations in a space's log (fold rule 7). The DeviceRevoked entries
 * are resolved per identity by HALO's rule (`resolveRevocations`: the identity
 * key always wins, a revoked device's revocations stop counting, devices that
 * revoke each other are both revoked), then applied from the revocation on: an
 * entry signed through a revoked device counts only if it is an ancestor of
 * every revocation with parents that holds that device revoked (the revoker
 * had seen it), and never a MemberRemoved (removal is the safe side: a thief's
 * revocation cycle must not bring back a member). Revocations without parents (HALO's own, copied into the log)
 * count for who is revoked but mark no position: if only such revocations hold
 * a device, none of its entries count. A revocation that HALO's rule does not
 * count is void itself.
 *
 * Nothing here looks at roles, so the verdicts are the same in every pass of
 * the cascade. An identity's revocations are verified and resolved the first
 * time one of its entries is asked about (the pass asks only for issuers that
 * hold a role, so junk revocations by strangers cost no signature check).
 */
import type { Credential, CredentialId, PublicKey, Revocations } from '../../halo'
import { resolveRevocations, signingDevices } from '../../halo'
import type { Reach } from './reach'

export class DeviceRevocations {
  /** The ids of the placed DeviceRevoked entries, by issuer (the identity). */
  readonly #byIssuer = new Map<PublicKey, CredentialId[]>()
  readonly #verdicts = new Map<PublicKey, Revocations>()
  readonly #reach: Reach
  /** Every copy of an id whose signature and chain hold. */
  readonly #verifiedCopies: (id: CredentialId) => readonly Credential[]

  constructor(
    entries: readonly Credential[],
    reach: Reach,
    verifiedCopies: (id: CredentialId) => readonly Credential[],
  ) {
    this.#reach = reach
    this.#verifiedCopies = verifiedCopies
    for (const entry of entries) {
      if (entry.assertion.kind !== 'DeviceRevoked') continue
      const ids = this.#byIssuer.get(entry.issuer)
      if (ids === undefined) this.#byIssuer.set(entry.issuer, [entry.id])
      else ids.push(entry.id)
    }
  }

  /** Whether this verified copy of an entry is void because of a device revocation. */
  voids(copy: Credential): boolean {
    if (!this.#byIssuer.has(copy.issuer)) return false
    const verdict = this.#verdict(copy.issuer)
    if (copy.assertion.kind === 'DeviceRevoked') {
      // Whether a revocation counts does not depend on its position: HALO's rule decides.
      return !(verdict.holding.get(copy.subject) ?? []).some((holding) => holding.id === copy.id)
    }
    // Removal is the safe side: no revocation brings back a member a device removed (a thief's cycle would).
    if (copy.assertion.kind === 'MemberRemoved') return false
    return signingDevices(copy).some((device) => {
      const holding = verdict.holding.get(device)
      if (holding === undefined) return false
      const placed = holding.filter((revocation) => revocation.parents.length > 0)
      return placed.length === 0 || placed.some((revocation) => !this.#reach.ancestorsOf(revocation.id).has(copy.id))
    })
  }

  #verdict(issuer: PublicKey): Revocations {
    const known = this.#verdicts.get(issuer)
    if (known !== undefined) return known
    const copies = (this.#byIssuer.get(issuer) ?? []).flatMap((id) => this.#verifiedCopies(id))
    const verdict = resolveRevocations(issuer, copies)
    this.#verdicts.set(issuer, verdict)
    return verdict
  }
}
