import type { Observable, Result } from '../base'

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

/** A list that stays current; `undefined` until the first read. Close it when no longer shown. */
export interface LiveList<T> extends Observable<readonly T[] | undefined> {
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

export interface SpaceProblem {
  readonly code: string
  readonly message: string
}

/** One space opened for work. */
export interface SpaceSession {
  readonly id: string
  readonly name: Observable<string>
  readonly personal: boolean
  readonly canWrite: boolean
  /** Owners and admins may compact the space's history into an epoch. */
  readonly canCompact: boolean
  rename(name: string): Result<void, SpaceProblem>
  notes(search: string): LiveList<NoteView>
  /** Tasks in their manual order. */
  tasks(search: string): LiveList<TaskView>
  createNote(title: string): Promise<Result<string, SpaceProblem>>
  renameNote(id: string, title: string): Promise<Result<void, SpaceProblem>>
  /** What the editor needs for a note's collaborative text. */
  noteEditor(id: string): Promise<Result<NoteEditor, SpaceProblem>>
  createTask(title: string, options?: { due?: string; note?: string }): Promise<Result<string, SpaceProblem>>
  updateTask(
    id: string,
    patch: { title?: string; done?: boolean; due?: string | null },
  ): Promise<Result<void, SpaceProblem>>
  /**
   * Moves a task one place up or down the list `search` shows (the whole list without one): past
   * the neighbour shown, in the space's full manual order. At either end it does nothing and says so.
   */
  moveTask(
    id: string,
    direction: 'up' | 'down',
    options?: { search?: string },
  ): Promise<Result<TaskPlace, SpaceProblem>>
  /** Moves a task just before `target` (to the end when undefined), as a drop does. */
  moveTaskBefore(
    id: string,
    target: string | undefined,
    options?: { search?: string },
  ): Promise<Result<TaskPlace, SpaceProblem>>
  remove(id: string): Promise<Result<void, SpaceProblem>>
  restore(id: string): Promise<Result<void, SpaceProblem>>
  /** Starts a new epoch: history folded into a snapshot, recorded in the membership log. Returns its number. */
  compactHistory(): Promise<Result<number, SpaceProblem>>
  exportFile(): Promise<{ readonly fileName: string; readonly blob: Blob }>
  noteMarkdown(id: string): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, SpaceProblem>>
  close(): void
}

/** A note's text, ready for an editor: its current value and the binding that keeps both in step. */
export interface NoteEditor {
  readonly initialText: string
  /** A CodeMirror extension; opaque to everything but the editor. */
  readonly binding: unknown
}

export interface SpacesApi {
  /** The identity's spaces on this device (`undefined` while loading). */
  readonly list: Observable<readonly SpaceSummary[] | undefined>
  readonly storage: Observable<StorageState>
  create(name: string): Promise<Result<SpaceSummary, SpaceProblem>>
  open(id: string): Promise<Result<SpaceSession, SpaceProblem>>
  archive(id: string, archived: boolean): Promise<void>
  importFile(file: Blob): Promise<Result<SpaceSummary, SpaceProblem>>
  /** After a `cleared` warning: start over with a new personal space. */
  acknowledgeCleared(): Promise<void>
  /** Writes everything pending to storage; the app calls it on `pagehide`. */
  flush(): Promise<void>
}
