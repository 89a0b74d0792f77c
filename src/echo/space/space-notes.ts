/**
 * Notes' text: each note's text lives in its own document, which the space's
 * root lists; a note may name no other document (`textDocumentIn`).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Result } from '../../base'
import { err, ok } from '../../base'
import type { DocumentStore } from '../document-store'
import { NoteTextNotInSpace, ObjectNotFound, type NotAllowed } from '../errors'
import type { ObjectId } from '../ids'
import type { EchoObject } from '../schema/echo-object'
import type { MarkdownFile } from '../transfer/markdown'
import { noteToMarkdown } from '../transfer/markdown'
import type { AutomergeUrl, DocumentId, SpaceDoc } from './documents'
import type { NoteReader, NoteText } from './text'
import { newTextDocument, openTextDocument, readerOf, textDocumentIn, textOf } from './text'

export class SpaceNotes {
  readonly #root: DocHandle<SpaceDoc>
  readonly #documents: DocumentStore
  readonly #get: (id: ObjectId) => Promise<EchoObject | undefined>
  readonly #owns: (documentId: DocumentId) => boolean

  constructor(
    root: DocHandle<SpaceDoc>,
    documents: DocumentStore,
    get: (id: ObjectId) => Promise<EchoObject | undefined>,
    owns: (documentId: DocumentId) => boolean,
  ) {
    this.#root = root
    this.#documents = documents
    this.#get = get
    this.#owns = owns
  }

  /** New text documents holding `texts`, listed by the root in one change; returns their URLs in order. */
  createTexts(texts: readonly string[]): AutomergeUrl[] {
    const made = texts.map((text) => newTextDocument(this.#documents, text))
    if (made.length > 0) {
      this.#root.change((doc) => {
        for (const handle of made) doc.documents[handle.documentId] = 'text'
      })
    }
    return made.map((handle) => handle.url)
  }

  /** Whether `url` names a text document of this space (a note may name no other, nor one placed elsewhere). */
  inSpace(url: string): DocumentId | undefined {
    const text = textDocumentIn(this.#root.doc(), url)
    return text !== undefined && this.#owns(text) ? text : undefined
  }

  /**
   * The note's writable text document, for an editor binding (CodeMirror on `handle` at `path`).
   * `permitted` is the policy's answer for the actor (`can(role, 'write')`): the handle writes, so
   * nobody who may not write gets one.
   */
  async text(
    id: ObjectId,
    permitted: Result<void, NotAllowed>,
  ): Promise<Result<NoteText, ObjectNotFound | NoteTextNotInSpace | NotAllowed>> {
    if (!permitted.ok) return permitted
    return this.#open(id)
  }

  /** The note's text, read-only: what it is now and its changes (here, in another tab, from a peer). */
  async reader(id: ObjectId): Promise<Result<NoteReader, ObjectNotFound | NoteTextNotInSpace>> {
    const opened = await this.#open(id)
    return opened.ok ? ok(readerOf(opened.value.handle)) : opened
  }

  /** The note as a Markdown file (title as heading, text as body). */
  async markdown(id: ObjectId): Promise<Result<MarkdownFile, ObjectNotFound | NoteTextNotInSpace>> {
    const opened = await this.#open(id)
    if (!opened.ok) return opened
    const note = await this.#get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    return ok(noteToMarkdown(note, textOf(opened.value.handle)))
  }

  async #open(id: ObjectId): Promise<Result<NoteText, ObjectNotFound | NoteTextNotInSpace>> {
    const note = await this.#get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    if (this.inSpace(note.fields.text) === undefined) return err(new NoteTextNotInSpace(id))
    return ok(await openTextDocument(this.#documents, note.fields.text as AutomergeUrl))
  }
}
