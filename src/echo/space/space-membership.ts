/** A space's membership: the log in its root document, folded whenever the log changes. */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable } from '../../base'
import { Cell } from '../../base'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import { issueMember, issueRemoval } from '../membership/entries'
import type { MembershipState } from '../membership/fold'
import { foldMembership, roleOf } from '../membership/fold'
import type { SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'

export class SpaceMembership {
  readonly #space: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #clock: Clock
  readonly #state: Cell<MembershipState>

  constructor(space: SpaceId, root: DocHandle<SpaceDoc>, clock: Clock) {
    this.#space = space
    this.#root = root
    this.#clock = clock
    this.#state = new Cell(this.#fold())
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
    const log = Object.values(this.#root.doc().log).map(toPlain)
    return foldMembership(this.#space, log, this.#clock)
  }
}
