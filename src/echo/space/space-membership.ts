/**
 * A space's membership: the log in its root document, folded whenever the log
 * changes. The log is a set that only grows: every verified entry is also kept
 * in the device's log store, the fold takes the union of the store and the
 * document, and an entry the document lost (a peer, a file or another tab
 * deleted it, or put another value, another entry or a copy whose signature
 * does not hold, under its id) is written back. A deletion in the document
 * never shrinks the set. A value that is a valid copy is left alone, so two
 * devices holding different valid copies of one entry do not overwrite each
 * other in turns; the copy kept here goes beside it, under its copy key, since
 * the other may be signed through a chain whose device is revoked later.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable, Result } from '../../base'
import { Cell, err, ok } from '../../base'
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import { copyKey, decodeCredential } from '../../halo'
import { NotAllowed } from '../errors'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import {
  issueCountersign,
  issueInvitation,
  issueInvitationCancel,
  issueMember,
  issueRemoval,
} from '../membership/entries'
import type { MembershipState } from '../membership/fold'
import { roleOf } from '../membership/fold'
import { MembershipLog } from '../membership/log'
import { chooseParents, MAX_ENTRY_PARENTS } from '../membership/parents'
import type { LogStore } from '../storage/log-store'
import type { SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import { isRecord, recordIn } from './root-fields'

export class SpaceMembership {
  readonly #space: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #clock: Clock
  readonly #store: LogStore
  /** Every verified entry seen here (from the store or the document), by credential id. */
  readonly #kept = new Map<string, unknown>()
  /** The copy key of each kept entry once asked for (`#copyOf`). */
  readonly #keptCopies = new Map<string, string | undefined>()
  readonly #log: MembershipLog
  readonly #state: Cell<MembershipState>
  #writeBackQueued = false
  /** Kept ids whose value in the document changed since it was last looked at. */
  readonly #suspect = new Set<string>()

  constructor(space: SpaceId, root: DocHandle<SpaceDoc>, clock: Clock, store: LogStore) {
    this.#space = space
    this.#root = root
    this.#clock = clock
    this.#store = store
    this.#log = new MembershipLog(space)
    this.#log.add(Object.values(recordIn(root.doc().log)).map(toPlain))
    this.#state = new Cell(this.#settle([]))
  }

  /** Adds the entries this device kept earlier; call once when the space is opened, before trusting roles. */
  async load(): Promise<void> {
    const stored = await this.#store.load(this.#space)
    // Only verified entries are stored: their signatures are not checked again (the fold checks the rest).
    const entries = stored.filter(isCredentialLike)
    this.#log.trust(entries)
    for (const entry of entries) if (!this.#kept.has(entry.id)) this.#kept.set(entry.id, entry)
    // Every kept id is looked at once here; later only the keys a change touched.
    const ids = [...this.#kept.keys()]
    if (this.#log.add(entries)) this.#state.set(this.#settle(ids))
    else this.#queueWriteBack(ids)
  }

  get state(): Observable<MembershipState> {
    return this.#state
  }

  /** Called when the log in the root changed (locally, in another tab, from a peer): `keys` are the log keys touched. */
  refold(keys: readonly string[]): void {
    const log = recordIn(this.#root.doc().log)
    const values = keys.flatMap((key) => (log[key] === undefined ? [] : [toPlain(log[key])]))
    if (this.#log.add(values)) this.#state.set(this.#settle(keys))
    else this.#queueWriteBack(keys)
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return roleOf(this.#state.get(), key)
  }

  /** Admits `subject` with `role` (or changes their role); `NotAllowed` when the entry would not take effect. */
  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Result<Credential, NotAllowed> {
    return this.#issue(issueMember({ ...this.#entryBase(actor, subject), subject, role }))
  }

  /** Removes `subject` (the actor itself: leaves); `NotAllowed` when the entry would not take effect. */
  remove(actor: Actor, subject: PublicKey): Result<Credential, NotAllowed> {
    return this.#issue(issueRemoval({ ...this.#entryBase(actor, subject), subject }))
  }

  /**
   * Opens an invitation of invite key `key` (halo's `invitationKey(K)`): `NotAllowed` unless the actor may grant
   * `role` (the fold's rule 8), and then nothing is written.
   */
  invite(
    actor: Actor,
    invitation: { key: PublicKey; role: SpaceRole; uses: number; until: number },
  ): Result<Credential, NotAllowed> {
    return this.#issue(issueInvitation({ ...this.#entryBase(actor, invitation.key), ...invitation }))
  }

  /** Cancels the invitation of invite key `key`; `NotAllowed` unless the cancellation takes effect. */
  cancelInvitation(actor: Actor, key: PublicKey): Result<Credential, NotAllowed> {
    return this.#issue(issueInvitationCancel({ ...this.#entryBase(actor, key), key }))
  }

  /**
   * Admits a guest by invitation: `use` (the guest's SpaceMember signed by the invite key) and the actor's
   * countersignature of it are appended together, only if the fold would apply the countersignature (rule 8: the
   * actor may admit the role, the invitation is live by this device's clock). Returns the countersignature.
   */
  admitGuest(actor: Actor, use: Credential): Result<Credential, NotAllowed> {
    const admission = issueCountersign({ ...this.#entryBase(actor, use.subject), use })
    const reason = this.#log.preview(admission, [use])
    if (reason !== undefined) {
      return err(new NotAllowed(`the membership log does not accept this entry (${reason})`, reason))
    }
    this.#root.change((doc) => {
      doc.log[use.id] = toStored(use)
      doc.log[admission.id] = toStored(admission)
    })
    return ok(admission)
  }

  /** Writes an entry into the log whatever the fold makes of it (kept even if ignored). */
  append(entry: Credential): Credential {
    this.#root.change((doc) => {
      doc.log[entry.id] = toStored(entry)
    })
    return entry
  }

  /**
   * Writes a copy of an entry, never over what the log holds under its id: there when nothing is, else beside it
   * under its copy key (what is there may be another valid copy, which only devices that kept it would put back).
   */
  appendCopy(entry: Credential): void {
    this.#root.change((doc) => {
      doc.log[doc.log[entry.id] === undefined ? entry.id : copyKey(entry)] = toStored(entry)
    })
  }

  /** Appends the entry only if it takes effect, so a refused change leaves nothing behind. */
  #issue(entry: Credential): Result<Credential, NotAllowed> {
    const reason = this.#log.preview(entry)
    if (reason !== undefined) return err(new NotAllowed(`the membership log does not accept this entry (${reason})`))
    this.append(entry)
    return ok(entry)
  }

  #entryBase(actor: Actor, subject: PublicKey) {
    const { heads } = this.#state.get()
    const entries = new Map<CredentialId, Credential>()
    const positions = new Map<CredentialId, number>()
    if (heads.length > MAX_ENTRY_PARENTS) {
      for (const [id, entry] of this.#log.entries()) entries.set(id, entry)
      this.#state.get().applied.forEach((id, position) => positions.set(id, position))
    }
    const parents = chooseParents({ heads, entries, positions, issuer: actor.identity, subject })
    return { actor, space: this.#space, parents, clock: this.#clock }
  }

  /** The state after the log grew (`touched`: the log keys that changed): new entries kept, lost ones written back. */
  #settle(touched: readonly string[]): MembershipState {
    const fresh = new Map<string, unknown>()
    for (const entry of this.#log.drainVerified()) {
      if (this.#kept.has(entry.id)) continue
      this.#kept.set(entry.id, entry)
      fresh.set(entry.id, entry)
    }
    this.#store.keep(this.#space, fresh)
    this.#queueWriteBack([...touched, ...fresh.keys()])
    return this.#log.state()
  }

  /**
   * Puts back the kept entries the document lacks or holds no valid copy of (after the change that did it is done).
   * Only `touched` keys are decoded and verified; every kept key is checked for presence.
   */
  #queueWriteBack(touched: readonly string[]): void {
    for (const key of touched) {
      // A copy key starts with the id of its entry.
      const id = this.#kept.has(key) ? key : key.split(':', 1)[0]
      if (id !== undefined && this.#kept.has(id)) this.#suspect.add(id)
    }
    if (this.#writeBackQueued) return
    if (this.#lost().length === 0) {
      this.#suspect.clear()
      return
    }
    this.#writeBackQueued = true
    queueMicrotask(() => {
      this.#writeBackQueued = false
      const lost = this.#lost()
      this.#suspect.clear()
      if (lost.length === 0) return
      this.#root.change((doc) => {
        // A log a peer replaced with junk holds no entry: the kept ones are written into a fresh one.
        if (!isRecord(doc.log)) doc.log = {}
        for (const [id, entry] of lost) doc.log[id] = toStored(entry)
      })
    })
  }

  /**
   * Kept entries the document lacks, or holds no valid copy of under their id (of the suspect keys), by the key they
   * go under: their id, or their copy key when the document holds another valid copy under the id and not this one.
   * A thief's device can put a copy through its own chain over an entry: once it is revoked, a device that has only
   * the document would lose the entry that every device which kept this copy still counts.
   */
  #lost(): [string, unknown][] {
    const log = recordIn(this.#root.doc().log)
    const lost: [string, unknown][] = []
    for (const [id, entry] of this.#kept) {
      const value = log[id]
      if (value === undefined) {
        lost.push([id, entry])
        continue
      }
      if (!this.#suspect.has(id)) continue
      const held = this.#log.holds(id, toPlain(value))
      if (held === undefined) {
        lost.push([id, entry])
        continue
      }
      const copy = this.#copyOf(id, entry)
      if (copy === undefined || copyKey(held) === copy) continue
      const beside = log[copy]
      if (beside === undefined || copyKeyOf(toPlain(beside)) !== copy) lost.push([copy, entry])
    }
    return lost
  }

  /** The copy key of a kept entry, decoded once (a stored row is only shaped like a credential). */
  #copyOf(id: string, entry: unknown): string | undefined {
    if (!this.#keptCopies.has(id)) this.#keptCopies.set(id, copyKeyOf(entry))
    return this.#keptCopies.get(id)
  }
}

/** The copy key of a value that decodes as a credential. */
const copyKeyOf = (value: unknown): string | undefined => {
  const decoded = decodeCredential(value)
  return decoded.ok ? copyKey(decoded.value) : undefined
}

/** Stored rows are this device's own writes; the shape check is the fold's (the id is what keys them here). */
const isCredentialLike = (entry: unknown): entry is Credential =>
  typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string' && 'proof' in entry
