// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho } from '../testing/fixtures'
import { change, ImmutableString, load, save } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../../base'
import { textOf } from './text'
import { objectDocumentsOf, rootOf } from '../testing/internals'

interface FileJson {
  root: string
  documents: Record<string, string>
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe("a note's text", { timeout: 30_000 }, () => {
  it('may only be a text document of its own space: another space’s text is neither read, written nor indexed', async () => {
    const alice = makeActor()
    const echo = openTestEcho()
    const work = await echo.createSpace(alice, 'Work')
    const secret = await work.createNote(alice, 'Salaries', 'confidential figures')
    if (!secret.ok) throw secret.error
    const secretUrl = secret.value.fields.text

    // Mallory's own space, whose note names Alice's text document; the file itself is a sound space file.
    const mallory = makeActor()
    const theirs = openTestEcho()
    const bait = await theirs.createSpace(mallory, 'Shared notes')
    const note = await bait.createNote(mallory, 'Read me', 'harmless')
    if (!note.ok) throw note.error
    await theirs.settled()
    const file = JSON.parse(await exported(theirs, bait)) as FileJson
    const objectsDoc = objectDocumentsOf(bait)[0]?.documentId
    const bytes = objectsDoc === undefined ? undefined : fromBase64Url(file.documents[objectsDoc] ?? '')
    if (objectsDoc === undefined || bytes === undefined) throw new Error('no object document')
    const pointed = change(load<{ objects: Record<string, { fields: Record<string, unknown> }> }>(bytes), (doc) => {
      const fields = doc.objects[note.value.id]?.fields
      if (fields !== undefined) fields.text = new ImmutableString(secretUrl)
    })
    file.documents[objectsDoc] = toBase64Url(save(pointed))

    const imported = await echo.importSpace(alice, JSON.stringify(file))
    if (!imported.ok) throw imported.error
    const space = imported.value
    await echo.settled()
    // Alice is no member of the imported space, so only the reader path (any member's) reaches the text check.
    const opened = await space.noteReader(note.value.id)
    expect(opened.ok ? 'opened' : opened.error.code).toBe('note-text-not-in-space')
    const markdown = await space.noteMarkdown(note.value.id)
    expect(markdown.ok ? 'exported' : markdown.error.code).toBe('note-text-not-in-space')
    expect(await space.find({ text: 'confidential' })).toEqual([])
    expect(await work.find({ text: 'confidential' })).toHaveLength(1)
    const own = await work.noteText(alice, secret.value.id)
    if (!own.ok) throw own.error
    expect(textOf(own.value.handle)).toBe('confidential figures')
    await theirs.close()
    await echo.close()
  })

  it('cannot be pointed at another document by an update', async () => {
    const alice = makeActor()
    const echo = openTestEcho()
    const work = await echo.createSpace(alice, 'Work')
    const home = await echo.createSpace(alice, 'Home')
    const elsewhere = await home.createNote(alice, 'Elsewhere', 'not here')
    const note = await work.createNote(alice, 'Here', 'mine')
    if (!note.ok || !elsewhere.ok) throw new Error('notes not created')
    const moved = await work.update(alice, note.value.id, 'note', { text: elsewhere.value.fields.text })
    expect(moved.ok ? 'updated' : moved.error.code).toBe('note-text-not-in-space')
    const rootUrl = `automerge:${rootOf(work).documentId}`
    const atRoot = await work.update(alice, note.value.id, 'note', { text: rootUrl })
    expect(atRoot.ok ? 'updated' : atRoot.error.code).toBe('note-text-not-in-space')
    const text = await work.noteText(alice, note.value.id)
    expect(text.ok && textOf(text.value.handle)).toBe('mine')
    await echo.close()
  })
})
