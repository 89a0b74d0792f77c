// Tests only: a change made outside the app, as a device that ignores the app's own refusals would make it (the
// e2e viewer's forced edit). The browser hands over a document's stored chunks as bytes and stores the change it
// gets back, so Automerge stays in echo.
import { change, getHeads, init, loadIncremental, saveSince } from '@automerge/automerge'

/** The change `edit` makes to the document stored in `chunks`, as one more incremental chunk; throws if none. */
export const forcedChange = (
  chunks: readonly Uint8Array[],
  edit: (doc: Record<string, unknown>) => void,
): Uint8Array => {
  let doc = init<Record<string, unknown>>()
  for (const chunk of chunks) doc = loadIncremental(doc, chunk)
  const before = getHeads(doc)
  const after = change(doc, edit)
  if (getHeads(after).join() === before.join()) throw new Error('the forced edit changed nothing')
  return saveSince(after, before)
}
