import { exported, makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { rootOf } from '../testing/internals'

describe('space files and Markdown', () => {
  it('round-trips a space exactly: same documents, heads, objects and text', async () => {
    const alice = makeActor()
    const source = openTestEcho()
    const space = await source.createSpace(alice, 'Travel')
    const note = await space.createNote(alice, 'Packing\nlist', 'passport\n')
    await space.create(alice, 'task', { title: 'Book train', done: false, order: 'a0', due: '2027-01-02' })
    if (!note.ok) throw note.error
    await source.settled()
    const file = await exported(source, space)

    const target = openTestEcho()
    const imported = await target.importSpace(alice, file)
    if (!imported.ok) throw imported.error
    const copy = imported.value
    expect(copy.id).toBe(space.id)
    expect(rootOf(copy).heads()).toEqual(rootOf(space).heads())
    expect(copy.name).toBe('Travel')
    expect(await copy.find({ sort: { by: 'title' } })).toEqual(await space.find({ sort: { by: 'title' } }))
    expect(await copy.noteMarkdown(note.value.id)).toEqual({
      ok: true,
      value: { fileName: 'packing-list.md', markdown: '# Packing list\n\npassport\n' },
    })
    expect(await exported(target, copy)).toBe(file)
    await source.close()
    await target.close()
  })

  it('refuses files that are not space files, or carry a damaged document, importing nothing', async () => {
    const alice = makeActor()
    const echo = openTestEcho()
    const codeOf = async (text: string) => {
      const result = await echo.importSpace(alice, text)
      return result.ok ? 'imported' : result.error.code
    }
    expect(await codeOf('{')).toBe('invalid-space-file')
    expect(await codeOf('{"format":"other"}')).toBe('invalid-space-file')
    const space = await echo.createSpace(alice, 'Source')
    const file = JSON.parse(await exported(echo, space)) as { documents: Record<string, string> }
    const damaged = { ...file, documents: { ...file.documents, [Object.keys(file.documents)[0] ?? '']: 'AAAA' } }
    expect(await codeOf(JSON.stringify(damaged))).toBe('document-corrupt')
    await echo.close()
  })
})
