import type { Observable, Result } from '../../base'
import type { SpaceRole } from '../../halo'
import type { Avatar } from '../identity-api'
import type { Problem } from '../problem-words'

/** An invitation of a space still open: not cancelled, uses left, before its expiry. */
export interface OpenInvitation {
  /** The DelegatedInvitation's id. */
  readonly id: string
  readonly role: SpaceRole
  readonly uses: number
  readonly usesLeft: number
  /** Unix ms. */
  readonly expiresAt: number
}

interface CreateInvite {
  readonly role: SpaceRole
  /** 1 (single use, the default) to 100. */
  readonly uses?: number
  /** From now; default a day. */
  readonly expiresInMs?: number
}

/** A link as the guest read it, before anyone is met. */
export interface ReadInvite {
  readonly spaceId: string
  /** Unix ms, from the link (the hosts judge the invitation's own `until`). */
  readonly expiresAt: number
  readonly expired: boolean
}

/** Who invited, as the guest sees it once a host offered. */
export interface Inviter {
  /** Undefined when no host could show the inviter's signed profile. */
  readonly name: string | undefined
  readonly avatar: Avatar | undefined
  readonly fingerprint: string
}

export type InviteJoinState =
  /** Looking for a member of the space in the invitation's room. */
  | { readonly kind: 'looking' }
  /** Nobody from the space answered yet: the invitation may be valid; the page keeps looking. */
  | { readonly kind: 'unreachable' }
  /**
   * Someone in the invitation's room says it cannot be used (cancelled, used, expired). A host sends no log with a
   * refusal, so the guest cannot check it: the page shows it and keeps looking, and a proved host's offer still wins.
   */
  | { readonly kind: 'refused'; readonly problem: Problem }
  | { readonly kind: 'found'; readonly spaceName: string; readonly role: SpaceRole; readonly inviter: Inviter }
  | { readonly kind: 'joining'; readonly spaceName: string }
  /** The space is stored and its swarm joined; the space arrives from its members. */
  | { readonly kind: 'receiving'; readonly spaceName: string }
  | { readonly kind: 'joined'; readonly spaceId: string }
  | { readonly kind: 'failed'; readonly problem: Problem }

export interface InviteJoin {
  readonly state: Observable<InviteJoinState>
  /**
   * Accepts once `found`: the host admits this identity and hands over the space. With no identity here,
   * `displayName` makes one first (only now: looking and a refusal store nothing).
   */
  accept(options?: { readonly displayName?: string }): Promise<Result<void, Problem>>
  cancel(): void
}

export interface InvitesApi {
  /** Opens an invitation of space `spaceId` and gives its link (the secret only in the fragment). */
  create(
    spaceId: string,
    options: CreateInvite,
  ): Promise<Result<{ id: string; url: string; expiresAt: number }, Problem>>
  /** The space's open invitations, live; `close` when the panel goes. */
  open(spaceId: string): Promise<Result<Observable<readonly OpenInvitation[]> & { close(): void }, Problem>>
  cancel(spaceId: string, id: string): Promise<Result<void, Problem>>
  /** Reads a space link (`#/join/…`, the payload, or a whole URL); nothing is stored or sent. */
  read(url: string): Result<ReadInvite, Problem>
  /**
   * Starts joining: looks for a member of the space in the invitation's room. With no identity here a throwaway
   * one (in memory) meets the host until `accept` makes the real one. A link past its expiry is refused here.
   */
  join(read: ReadInvite): Promise<Result<InviteJoin, Problem>>
}
