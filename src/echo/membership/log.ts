/**
 * A space's membership log in memory, folded as entries arrive. The result is
 * always what `foldMembership` gives for the whole set; the work is not:
 *
 * - Signatures are checked once per space (a VerifiedCache and a verdict per
 *   id), and only for entries whose issuer holds a role where they stand.
 * - One new entry that sorts after every other entry, near nothing the
 *   removal cascade looks at, is judged on top of the last pass (about
 *   constant time); anything else (several entries, a missing parent arriving,
 *   a removal cascade in play, a device revocation) folds the whole set again,
 *   still without checking a signature twice.
 */
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import { VerifiedCache } from '../../halo'
import type { SpaceId } from '../ids'
import type { Ignored } from './canonical-order'
import { addCopy, decodeEntries, orderCopies, proofKey, rank, verifyEntry } from './canonical-order'
import { isLeave } from './after-leave'
import { foldPasses } from './cascade'
import type { Invitation } from './invitations'
import type { Check, EpochRecord, Pass } from './pass'
import { isTopRole, mayRemoveOthers } from './policy'
import { Reach } from './reach'
import { DeviceRevocations } from './revocations'

export interface Member {
  readonly key: PublicKey
  readonly role: SpaceRole
}

export interface MembershipState {
  readonly genesis: CredentialId | undefined
  /** Sorted by key. */
  readonly members: readonly Member[]
  readonly epoch: EpochRecord | undefined
  /** Entries that took effect, in canonical order. */
  readonly applied: readonly CredentialId[]
  /** Entries kept in the log but without effect, sorted by id. */
  readonly ignored: readonly Ignored[]
  /**
   * Accepted entries (applied, or allowed without effect) that no accepted entry names as parent: the
   * parents of the next entry (see parents.ts).
   */
  readonly heads: readonly CredentialId[]
  /** Invitations that took effect (open, used up, cancelled or past `until` alike), sorted by id. */
  readonly invitations: readonly Invitation[]
}

/** A space's log has a few thousand distinct signatures (entries and their device chains) per thousand entries. */
const CACHE_CAPACITY = 200_000

export class MembershipLog {
  readonly #space: SpaceId
  readonly #cache: VerifiedCache
  /** The copy of each id that verified, or null when none did (until another copy arrives). */
  readonly #verdicts: Map<CredentialId, Credential | null>
  readonly #copies = new Map<CredentialId, Credential[]>()
  /** Raw values refused before ordering (not decodable, or an id that is not their hash). */
  readonly #refused = new Map<string, Ignored['reason']>()
  #order: Credential[] = []
  readonly #position = new Map<CredentialId, number>()
  /** Entries waiting for a parent that is not here. */
  readonly #waiting = new Set<CredentialId>()
  /** The parents waiting entries lack: only the arrival of one of these places them. */
  readonly #awaited = new Set<CredentialId>()
  #reach = new Reach()
  #revocations = new DeviceRevocations([], this.#reach, () => [])
  #pass: Pass | undefined
  /** Whether the last full fold excluded entries (the cascade was in play). */
  #cascaded = false
  #heads = new Set<CredentialId>()
  /** Members sorted by key, kept in step with the pass (sorting 10,000 keys per entry would be most of the cost). */
  #members: Member[] = []
  /** Entries verified since `drainVerified` was last called. */
  #newlyVerified: Credential[] = []
  /** Keys that a removal whose signature holds names (their entries may be in the cascade). */
  readonly #removed = new Set<PublicKey>()
  /** Keys that signed a leave: their entries concurrent with it are judged by rule 4c (after-leave.ts). */
  readonly #left = new Set<PublicKey>()
  /** Keys whose removals the cascade tries (seniority.ts), as of the last full fold. */
  #eligible: ReadonlySet<PublicKey> = new Set()
  #state: MembershipState | undefined

  /** `checked` shares what another log of the same space has verified (a preview's trial gets a copy of the verdicts). */
  constructor(
    space: SpaceId,
    checked: { cache: VerifiedCache; verdicts: Map<CredentialId, Credential | null> } = {
      cache: new VerifiedCache(CACHE_CAPACITY),
      verdicts: new Map(),
    },
  ) {
    this.#space = space
    this.#cache = checked.cache
    this.#verdicts = checked.verdicts
  }

  /** Takes raw values (from a document, a store, a peer); true when the set grew. */
  add(raw: readonly unknown[]): boolean {
    const { entries, ignored } = decodeEntries(raw)
    for (const [id, reason] of ignored) if (!this.#copies.has(id as CredentialId)) this.#refused.set(id, reason)
    const fresh: Credential[] = []
    let newCopy = false
    for (const entry of entries) {
      const known = this.#copies.has(entry.id)
      if (!addCopy(this.#copies, entry)) continue
      this.#refused.delete(entry.id)
      if (known) {
        newCopy = true
        if (this.#verdicts.get(entry.id) === null) this.#verdicts.delete(entry.id)
      } else fresh.push(entry)
    }
    if (fresh.length === 0 && !newCopy) {
      if (ignored.size > 0) this.#state = undefined
      return ignored.size > 0
    }
    const [only] = fresh
    if (newCopy || fresh.length !== 1 || only === undefined || !this.#appendOne(only)) this.#foldAll()
    this.#state = undefined
    return true
  }

  /** Trusts entries checked before (this device's log store): their signatures are not checked again. */
  trust(entries: readonly Credential[]): void {
    for (const entry of entries) {
      for (let link: Credential | undefined = entry; link !== undefined; link = link.proof.chain) {
        this.#cache.add(link.id, link.proof.signature)
      }
    }
  }

  state(): MembershipState {
    this.#state ??= this.#summary()
    return this.#state
  }

  /** Every entry whose signature was checked and holds (what a device keeps). */
  verified(): Credential[] {
    return [...this.#verdicts.values()].filter((entry): entry is Credential => entry !== null)
  }

  /** The entries verified since the last call (to keep them, once each). */
  drainVerified(): Credential[] {
    const drained = this.#newlyVerified
    this.#newlyVerified = []
    return drained
  }

  /** `raw` decoded when it is a copy of entry `id` whose signature and chain hold (what a document must keep under `id`). */
  holds(id: string, raw: unknown): Credential | undefined {
    const [entry] = decodeEntries([raw]).entries
    if (entry?.id !== id) return undefined
    return verifyEntry([entry], (known) => this.#copies.has(known), this.#cache)
  }

  /** The entries of the log by id (one copy each), to choose parents. */
  entries(): ReadonlyMap<CredentialId, Credential> {
    return new Map(this.#order.map((entry) => [entry.id, entry]))
  }

  /**
   * Whether `entry` would take effect if added now, after `before` (a guest's use it countersigns); nothing is
   * kept: a refused entry a stranger sent leaves no verdict behind.
   */
  preview(entry: Credential, before: readonly Credential[] = []): Ignored['reason'] | undefined {
    const pass = this.#pass
    if (pass !== undefined && before.length === 0 && this.#fastPath(entry)) {
      const judged = this.#verdicts.has(entry.id)
      this.#reach.add(entry)
      const reason = pass.fork().take(entry)
      if (!judged && !this.#copies.has(entry.id)) this.#verdicts.delete(entry.id)
      return reason
    }
    // The whole set again, without checking a signature twice; its verdicts are a copy, dropped with the trial.
    const trial = new MembershipLog(this.#space, { cache: this.#cache, verdicts: new Map(this.#verdicts) })
    trial.add([...[...this.#copies.values()].flat(), ...before, entry])
    if (trial.state().applied.includes(entry.id)) return undefined
    return trial.state().ignored.find((ignored) => ignored.id === entry.id)?.reason ?? 'invalid'
  }

  #verify = (entry: Credential): boolean => {
    const known = this.#verdicts.get(entry.id)
    if (known !== undefined) return known !== null
    const copies = this.#copies.get(entry.id) ?? [entry]
    const verified = verifyEntry(copies, (id) => this.#copies.has(id), this.#cache) ?? null
    this.#verdicts.set(entry.id, verified)
    // A previewed entry is not in the log: its verdict is dropped after the preview (see `preview`).
    if (verified !== null && this.#copies.has(entry.id)) this.#newlyVerified.push(verified)
    return verified !== null
  }

  /** Every copy of `id` whose signature and chain hold (the revocations of an identity, each copy counting). */
  #verifiedCopies = (id: CredentialId): Credential[] => {
    const [first] = this.#copies.get(id) ?? []
    if (first === undefined || !this.#verify(first)) return []
    return this.#holding(this.#copies.get(id) ?? [first])
  }

  /** The copies that verify, the one `#verify` chose first; the others are checked only when asked for. */
  #holding(copies: readonly Credential[]): Credential[] {
    const chosen = this.#verdicts.get(copies[0]?.id ?? ('' as CredentialId))
    if (chosen === undefined || chosen === null) return []
    const known = (id: CredentialId) => this.#copies.has(id)
    const others = copies.filter(
      (copy) => proofKey(copy) !== proofKey(chosen) && verifyEntry([copy], known, this.#cache) !== undefined,
    )
    return [chosen, ...others]
  }

  /**
   * An entry stands if a copy of it verifies and no device revocation voids
   * that copy: a copy signed through a revoked device does not void another
   * copy of the same id signed through a device that stands.
   */
  #check: Check = (entry) => {
    if (!this.#verify(entry)) return 'invalid'
    const chosen = this.#verdicts.get(entry.id)
    if (chosen === undefined || chosen === null || !this.#revocations.voids(chosen)) return undefined
    const copies = this.#copies.get(entry.id) ?? [entry]
    if (copies.length === 1) return 'revoked-device'
    return this.#holding(copies).some((copy) => !this.#revocations.voids(copy)) ? undefined : 'revoked-device'
  }

  /** Whether one new entry can be judged on top of the last pass and give what a full fold gives. */
  #fastPath(entry: Credential): boolean {
    // An entry whose parent never arrives does not stop this; one that a waiting entry needs places it.
    if (this.#pass === undefined || this.#cascaded || this.#awaited.has(entry.id)) return false
    // A revocation changes what earlier entries are worth; a cancellation voids the uses it has not seen.
    if (entry.assertion.kind === 'DeviceRevoked' || entry.assertion.kind === 'InvitationCancelled') return false
    if (!entry.parents.every((parent) => this.#position.has(parent))) return false
    // It sorts last: every entry after its last parent ranks below it (Kahn's order with a heap).
    const last = Math.max(-1, ...entry.parents.map((parent) => this.#position.get(parent) ?? -1))
    const key = rank(entry)
    for (let at = last + 1; at < this.#order.length; at++) {
      const other = this.#order[at]
      if (other === undefined || rank(other) > key) return false
    }
    // Nothing the cascade looks at: no removal of its issuer it is concurrent with, and for a removal,
    // no applied entry of its subject concurrent with it.
    if (this.#removed.has(entry.issuer) || this.#left.has(entry.issuer)) return false
    const { assertion } = entry
    // A leave makes its issuer's entries that it has not seen late (rule 4c); the whole set judges them.
    if (assertion.kind === 'MemberRemoved' && entry.issuer === entry.subject) {
      const seen = new Set(entry.parents.flatMap((parent) => [parent, ...this.#reach.ancestorsOf(parent)]))
      if (this.#order.some((other) => other.issuer === entry.issuer && !seen.has(other.id))) return false
    }
    // A key raised to owner or admin may make the cascade try its removals.
    const raises = assertion.kind === 'SpaceMember' && mayRemoveOthers(assertion.role)
    if (raises && !this.#eligible.has(entry.subject)) return false
    // A removal, or a demotion of a key that may have done what needs the higher role (cascade.ts).
    const demotes = assertion.kind === 'SpaceMember' && !isTopRole(assertion.role) && this.#eligible.has(entry.subject)
    if ((assertion.kind === 'MemberRemoved' || demotes) && entry.issuer !== entry.subject) {
      const pass = this.#pass
      // A removal's trial excludes the subject's entries applied or not (one may only apply once another removal
      // voids what blocked it), which renames a refused one's reason: the whole set decides that.
      const removal = assertion.kind === 'MemberRemoved'
      return !this.#order.some((other) => other.issuer === entry.subject && (removal || pass.applied.has(other.id)))
    }
    return true
  }

  /** A removal the cascade may try: by another key it tries, and its signature holds (junk costs nothing). */
  #counts(entry: Credential): boolean {
    if (entry.assertion.kind !== 'MemberRemoved' || entry.issuer === entry.subject) return false
    if (!this.#eligible.has(entry.issuer)) return false
    return this.#check(entry) !== 'invalid'
  }

  #appendOne(entry: Credential): boolean {
    const pass = this.#pass
    if (pass === undefined || !this.#fastPath(entry)) return false
    this.#position.set(entry.id, this.#order.length)
    this.#order.push(entry)
    this.#reach.add(entry)
    const reason = pass.take(entry)
    if (reason === undefined) {
      this.#updateMember(entry.assertion.kind === 'SpaceGenesis' ? entry.assertion.owner : entry.subject)
    }
    if (this.#counts(entry)) this.#removed.add(entry.subject)
    if (isLeave(entry)) this.#left.add(entry.issuer)
    if (pass.accepted.at(-1) === entry.id) {
      for (const parent of entry.parents) this.#heads.delete(parent)
      this.#heads.add(entry.id)
    }
    return true
  }

  #foldAll(): void {
    const { entries, placed } = orderCopies(this.#copies)
    this.#order = entries
    this.#position.clear()
    entries.forEach((entry, index) => this.#position.set(entry.id, index))
    this.#waiting.clear()
    this.#awaited.clear()
    for (const [id, [copy]] of this.#copies) {
      if (placed.has(id)) continue
      this.#waiting.add(id)
      for (const parent of copy?.parents ?? []) if (!placed.has(parent)) this.#awaited.add(parent)
    }
    this.#reach = new Reach(entries)
    this.#revocations = new DeviceRevocations(entries, this.#reach, this.#verifiedCopies)
    const { pass, excluded, eligible } = foldPasses(this.#space, entries, this.#reach, this.#check)
    this.#pass = pass
    this.#cascaded = excluded
    this.#eligible = eligible
    this.#removed.clear()
    this.#left.clear()
    for (const entry of entries) {
      if (this.#counts(entry)) this.#removed.add(entry.subject)
      if (isLeave(entry)) this.#left.add(entry.issuer)
    }
    this.#members = [...pass.roles].map(([key, role]) => ({ key, role })).sort((a, b) => (a.key < b.key ? -1 : 1))
    const cited = new Set(pass.accepted.flatMap((id) => pass.entry(id)?.parents ?? []))
    this.#heads = new Set(pass.accepted.filter((id) => !cited.has(id)))
  }

  /** Puts `key`'s role from the pass into the sorted members (binary search). */
  #updateMember(key: PublicKey): void {
    const members = this.#members
    let low = 0
    for (let high = members.length; low < high;) {
      const middle = (low + high) >> 1
      if ((members[middle]?.key ?? '') < key) low = middle + 1
      else high = middle
    }
    const role = this.#pass?.roles.get(key)
    const found = members[low]?.key === key
    if (role === undefined) {
      if (found) members.splice(low, 1)
    } else if (found) members[low] = { key, role }
    else members.splice(low, 0, { key, role })
  }

  #summary(): MembershipState {
    const pass = this.#pass
    const ignored: Ignored[] = [...this.#refused].map(([id, reason]) => ({ id, reason }))
    for (const id of this.#waiting) ignored.push({ id, reason: 'invalid-parent' })
    ignored.push(...(pass?.ignored ?? []))
    ignored.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return {
      genesis: pass?.genesis?.id,
      members: [...this.#members],
      epoch: pass?.epoch,
      applied: [...(pass?.appliedOrder ?? [])],
      ignored,
      heads: [...this.#heads].sort(),
      invitations: pass?.invitationStates() ?? [],
    }
  }
}
