/**
 * A space's membership: the log in its root document, folded whenever the log
 * changes. The log is a set that only grows: every verified entry is also kept
 * in the device's log store, the fold takes the union of the store and the
 * document, and an entry the document lost (a peer, a file or another tab
 * deleted it) is written back. A deletion in the document never shrinks the set.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable } from '../../base'
import { Cell } from '../../base'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import { issueMember, issueRemoval } from '../membership/entries'
import type { MembershipState } from '../membership/fold'
import { foldLog, roleOf } from '../membership/fold'
import type { LogStore } from '../storage/log-store'
import type { SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'

export class SpaceMembership {
  readonly #space: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #clock: Clock
  readonly #store: LogStore
  /** Every verified entry seen here (from the store or the document), by credential id. */
  readonly #kept = new Map<string, unknown>()
  readonly #state: Cell<MembershipState>
  #writeBackQueued = false

  constructor(space: SpaceId, root: DocHandle<SpaceDoc>, clock: Clock, store: LogStore) {
    this.#space = space
    this.#root = root
    this.#clock = clock
    this.#store = store
    this.#state = new Cell(this.#fold())
  }

  /** Adds the entries this device kept earlier; call once when the space is opened, before trusting roles. */
  async load(): Promise<void> {
    for (const entry of await this.#store.load(this.#space)) {
      const id = idOf(entry)
      if (id !== undefined && !this.#kept.has(id)) this.#kept.set(id, entry)
    }
    this.refold()
  }

  get state(): Observable<MembershipState> {
    return this.#state
  }

  /** Called when the log in the root changed (locally, in another tab, from a peer). */
  refold(): void {
    this.#state.set(this.#fold())
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return roleOf(this.#state.get(), key)
  }

  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Credential {
    return this.append(issueMember({ ...this.#entryBase(actor), subject, role }))
  }

  remove(actor: Actor, subject: PublicKey): Credential {
    return this.append(issueRemoval({ ...this.#entryBase(actor), subject }))
  }

  append(entry: Credential): Credential {
    this.#root.change((doc) => {
      doc.log[entry.id] = toStored(entry)
    })
    return entry
  }

  #entryBase(actor: Actor) {
    return { actor, space: this.#space, parents: this.#state.get().heads, clock: this.#clock }
  }

  #fold(): MembershipState {
    const log = this.#root.doc().log
    const input = Object.values(log).map(toPlain)
    for (const [id, entry] of this.#kept) if (log[id] === undefined) input.push(entry)
    const { state, verified } = foldLog(this.#space, input, this.#clock)
    const fresh = new Map<string, unknown>()
    for (const entry of verified) {
      if (this.#kept.has(entry.id)) continue
      this.#kept.set(entry.id, entry)
      fresh.set(entry.id, entry)
    }
    this.#store.keep(this.#space, fresh)
    this.#queueWriteBack()
    return state
  }

  /** Puts back the kept entries the document lacks (after the change that removed them is done). */
  #queueWriteBack(): void {
    if (this.#writeBackQueued) return
    const log = this.#root.doc().log
    if ([...this.#kept.keys()].every((id) => log[id] !== undefined)) return
    this.#writeBackQueued = true
    queueMicrotask(() => {
      this.#writeBackQueued = false
      const missing = [...this.#kept].filter(([id]) => this.#root.doc().log[id] === undefined)
      if (missing.length === 0) return
      this.#root.change((doc) => {
        for (const [id, entry] of missing) doc.log[id] = toStored(entry)
      })
    })
  }
}

const idOf = (entry: unknown): string | undefined =>
  typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string' ? entry.id : undefined
