import type { Observable, Result } from '../base'
import type { SpaceRole } from '../halo'
import type { Avatar } from './identity-api'
import type { Problem } from './problem-words'

/** A member's role, as echo's policy names them (owner, admin, editor, viewer). */
export type MemberRole = SpaceRole

/** One member of a space as the Members panel shows them. */
export interface MemberView {
  /** The identity key, hex. */
  readonly identity: string
  /** From the Profile they signed into the space (our own from this identity); undefined when not known here. */
  readonly displayName: string | undefined
  readonly avatar: Avatar | undefined
  readonly role: MemberRole
  /** As HALO shows fingerprints, to compare out of band. */
  readonly fingerprint: string
  /** This is the person using this device. */
  readonly me: boolean
  /** Their devices connected to this space now (device keys), from the mesh's authenticated peers. */
  readonly devicesOnline: readonly string[]
  /** The roles we may give them now (their own included; empty: we may not change it), by echo's policy. */
  readonly rolesAllowed: readonly MemberRole[]
  readonly mayRemove: boolean
}

/** A person in a space now: ourselves, or a member with a device connected in its room and heard. */
export interface PersonHere {
  /** The identity key, hex. */
  readonly identity: string
  readonly displayName: string | undefined
  readonly avatar: Avatar | undefined
  readonly me: boolean
  /** As HALO shows fingerprints: names a person without a Profile here. */
  readonly fingerprint: string
  /** Their devices here (0 for ourselves when only this device is). */
  readonly devices: number
}

/** What else a removal does. */
export interface RemoveOptions {
  /** Invitations (their ids) to cancel with the removal. */
  readonly cancelInvitations?: readonly string[]
}

/** This identity was removed from the space by another member: the space stays readable, read-only. */
export interface Removal {
  /** The remover's identity key. */
  readonly by: string
  readonly byName: string | undefined
  readonly byFingerprint: string
}

export interface SpaceSummary {
  readonly id: string
  readonly name: string
  /** The identity's own space, synced only between its devices. */
  readonly personal: boolean
  readonly archived: boolean
  readonly createdAt: number
}

export interface NoteView {
  readonly id: string
  readonly title: string
  readonly updatedAt: number
}

export interface TaskView {
  readonly id: string
  readonly title: string
  readonly done: boolean
  /** `YYYY-MM-DD`. */
  readonly due: string | undefined
  /** A note this task refers to. */
  readonly note: string | undefined
  readonly updatedAt: number
}

/** Where a task stands after a move, counted in the list the move was made in (from 1). */
export interface TaskPlace {
  /** False when it was already there (the first task moved up, a drop on its own place). */
  readonly moved: boolean
  readonly position: number
  readonly count: number
}

/**
 * A list that stays current; `undefined` until the first read, or while it cannot be read, and then
 * `problem` says why (undefined otherwise). Close it when no longer shown.
 */
export interface LiveList<T> extends Observable<readonly T[] | undefined> {
  readonly problem: Observable<Problem | undefined>
  close(): void
}

/**
 * How safe the data on this device is:
 * - `persisted`: the browser's answer to `navigator.storage.persist()` (undefined until asked);
 * - `quotaExceeded`: the last write was refused for lack of space (earlier data is intact);
 * - `cleared`: this identity had spaces here and they are gone (evicted or cleared by the browser).
 */
export interface StorageState {
  readonly persisted: boolean | undefined
  readonly quotaExceeded: boolean
  readonly cleared: boolean
  readonly usage: { readonly used: number; readonly quota: number } | undefined
}

/**
 * One space opened for work. Every action resolves to a `Result` and never throws; a change is on disk
 * before its action reports success, and a failed save (a full disk) fails the action.
 */
export interface SpaceSession {
  readonly id: string
  readonly name: Observable<string>
  readonly personal: boolean
  /** Whether the device's role here allows writing, now and as the membership changes. */
  readonly canWrite: Observable<boolean>
  /** Owners and admins may compact the space's history into an epoch. */
  readonly canCompact: Observable<boolean>
  /**
   * The roles this member may invite with (echo's policy: owners and admins share; an admin invites editors and
   * viewers, an owner admins too); empty for everyone else, and for the personal space.
   */
  readonly inviteRoles: Observable<readonly SpaceRole[]>
  /** At most `limits.spaceName` characters, not blank (`field: 'name'`). */
  rename(name: string): Promise<Result<void, Problem>>
  notes(search: string): LiveList<NoteView>
  /** Tasks in their manual order. */
  tasks(search: string): LiveList<TaskView>
  createNote(title: string): Promise<Result<string, Problem>>
  renameNote(id: string, title: string): Promise<Result<void, Problem>>
  /**
   * What the editor needs for a note's collaborative text: writable for a member who may write,
   * read-only (live, never writing) otherwise; a writer demoted while it is open stops writing.
   */
  noteEditor(id: string): Promise<Result<NoteEditor, Problem>>
  /** A task needs a title: a blank one is refused with `field: 'title'`. */
  createTask(title: string, options?: { due?: string; note?: string }): Promise<Result<string, Problem>>
  updateTask(id: string, patch: { title?: string; done?: boolean; due?: string | null }): Promise<Result<void, Problem>>
  /**
   * Moves a task one place up or down the list `search` shows (the whole list without one): past
   * the neighbour shown, in the space's full manual order. At either end it does nothing and says so.
   */
  moveTask(id: string, direction: 'up' | 'down', options?: { search?: string }): Promise<Result<TaskPlace, Problem>>
  /** Moves a task just before `target` (to the end when undefined), as a drop does. */
  moveTaskBefore(
    id: string,
    target: string | undefined,
    options?: { search?: string },
  ): Promise<Result<TaskPlace, Problem>>
  remove(id: string): Promise<Result<void, Problem>>
  restore(id: string): Promise<Result<void, Problem>>
  /** Starts a new epoch: history folded into a snapshot, recorded in the membership log. Returns its number. */
  compactHistory(): Promise<Result<number, Problem>>
  exportFile(): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, Problem>>
  noteMarkdown(id: string): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, Problem>>
  /** The members, as the membership, their profiles and who is online change. */
  readonly members: Observable<readonly MemberView[]>
  /** Who is here now: ourselves first, then each member with a device connected (its heartbeat heard). */
  readonly presence: Observable<readonly PersonHere[]>
  /** The other people who have `objectId` open now. */
  openedBy(objectId: string): Observable<readonly PersonHere[]>
  /** Tells the others this tab has `objectId` open, until the returned function is called. */
  opening(objectId: string): () => void
  /** Set once another member removed this identity; the space stays readable. */
  readonly removal: Observable<Removal | undefined>
  /**
   * Gives a member another role, within echo's rules (`not-allowed`; the last owner keeps the role: `last-owner`;
   * `not-a-member`).
   */
  setRole(identity: string, role: MemberRole): Promise<Result<void, Problem>>
  /**
   * Removes a member (`not-allowed`, `last-owner`, `not-a-member`); their devices are cut off by the mesh. With
   * `cancelInvitations` (ids of `client.invites.open`), those invitations are cancelled in the same change: a removal
   * closes none, so an open link still lets whoever holds it join, the removed member too.
   */
  removeMember(identity: string, options?: RemoveOptions): Promise<Result<void, Problem>>
  /** Leaves the space (`last-owner-leave` for its only owner). */
  leave(): Promise<Result<void, Problem>>
  /** Stops following the space; its lists are closed by whoever opened them. */
  close(): void
}

/** A note's text, ready for an editor: its current value and the binding that keeps both in step. */
export interface NoteEditor {
  readonly initialText: string
  /** A CodeMirror extension; opaque to everything but the editor. */
  readonly binding: unknown
  /** True when the binding only follows the text (the role allows reading only). */
  readonly readOnly: boolean
}

export interface SpacesApi {
  /** The identity's spaces on this device (`undefined` while loading). */
  readonly list: Observable<readonly SpaceSummary[] | undefined>
  readonly storage: Observable<StorageState>
  /** At most `limits.spaceName` characters, not blank (`field: 'name'`). */
  create(name: string): Promise<Result<SpaceSummary, Problem>>
  /**
   * Waits for the identity's spaces if they are still loading (the first screen after a reload);
   * `signal` stops the wait with an `aborted` problem.
   */
  open(id: string, options?: { readonly signal?: AbortSignal }): Promise<Result<SpaceSession, Problem>>
  archive(id: string, archived: boolean): Promise<Result<void, Problem>>
  importFile(file: Blob): Promise<Result<SpaceSummary, Problem>>
  /** After a `cleared` warning: start over with a new personal space. */
  acknowledgeCleared(): Promise<Result<void, Problem>>
  /** Writes everything pending to storage; the app calls it on `pagehide`. */
  flush(): Promise<Result<void, Problem>>
}
