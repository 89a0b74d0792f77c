/** Notes' text documents: one Automerge document per note, its text at `TEXT_PATH`. */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { isValidAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo/slim'
import type { DocumentStore } from '../document-store'
import type { AutomergeUrl, DocumentId, SpaceDoc, TextDoc } from './documents'
import { TEXT_PATH } from './documents'

/** What an editor binding needs: the document handle and the path of the text in it. */
export interface NoteText {
  readonly handle: DocHandle<TextDoc>
  readonly url: AutomergeUrl
  readonly path: typeof TEXT_PATH
}

/**
 * The text document a note's `text` names, if the space's root lists it as a
 * text document; anything else (another space's document, an object document,
 * the root) is refused, since an imported or synced note can name any URL.
 */
export const textDocumentIn = (root: SpaceDoc, url: string): DocumentId | undefined => {
  if (!isValidAutomergeUrl(url)) return undefined
  const { documentId } = parseAutomergeUrl(url)
  return root.documents[documentId] === 'text' ? documentId : undefined
}

export const newTextDocument = (documents: DocumentStore, text: string): DocHandle<TextDoc> =>
  documents.create<TextDoc>({ text })

export const openTextDocument = async (documents: DocumentStore, url: AutomergeUrl): Promise<NoteText> => {
  const handle = await documents.find<TextDoc>(url)
  return { handle, url, path: TEXT_PATH }
}

export const textOf = (handle: DocHandle<TextDoc>): string => {
  const text: unknown = handle.doc().text
  return typeof text === 'string' ? text : ''
}

/** A note's text for someone who may only read it: no handle, so nothing here can write. */
export interface NoteReader {
  /** The text as it is now. */
  text(): string
  /** Calls `listener` after each change of the document; returns the unsubscribe. */
  subscribe(listener: () => void): () => void
}

export const readerOf = (handle: DocHandle<TextDoc>): NoteReader => ({
  text: () => textOf(handle),
  subscribe: (listener) => {
    handle.on('change', listener)
    return () => {
      handle.off('change', listener)
    }
  },
})
