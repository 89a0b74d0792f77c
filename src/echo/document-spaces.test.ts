import { describe, expect, it } from 'vitest'
import { DocumentSpaces } from './document-spaces'
import type { SpaceId } from './ids'
import type { DocumentId } from './space/documents'
import { makeActor, openTestEcho } from './testing/fixtures'
import { objectDocumentsOf, rootOf } from './testing/internals'

describe('Echo.spaceOfDocument', () => {
  it('names the space of its root and of every document its root lists, as the list changes', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const space = await echo.createSpace(actor, 'Work')
    const root = rootOf(space)
    expect(echo.spaceOfDocument(root.documentId)).toBe(space.id)
    const note = await space.createNote(actor, 'Plan', 'text')
    expect(note.ok).toBe(true)
    const listed = Object.keys(root.doc().documents) as DocumentId[]
    expect(listed.length).toBe(2)
    for (const doc of listed) expect(echo.spaceOfDocument(doc)).toBe(space.id)
    const [objects] = objectDocumentsOf(space)
    expect(objects && echo.spaceOfDocument(objects.documentId)).toBe(space.id)
    expect(echo.spaceOfDocument('4NMNnkMhL8jXrdJ9jamS58PAVdXu' as DocumentId)).toBeUndefined()

    const text = listed.find((doc) => root.doc().documents[doc] === 'text')
    if (text === undefined) throw new Error('no text document listed')
    root.change((doc) => {
      Reflect.deleteProperty(doc.documents, text)
    })
    expect(echo.spaceOfDocument(text)).toBeUndefined()
    await echo.close()
  })

  it('keeps a document with the space that claimed it first when another root lists it too', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const mine = await echo.createSpace(actor, 'Mine')
    const theirs = await echo.createSpace(actor, 'Theirs')
    await mine.createNote(actor, 'Secret', 'words')
    const [stolen] = Object.keys(rootOf(mine).doc().documents) as DocumentId[]
    if (stolen === undefined) throw new Error('no document listed')
    rootOf(theirs).change((doc) => {
      doc.documents[stolen] = 'objects'
    })
    expect(echo.spaceOfDocument(stolen)).toBe(mine.id)
    rootOf(theirs).change((doc) => {
      Reflect.deleteProperty(doc.documents, stolen)
    })
    expect(echo.spaceOfDocument(stolen)).toBe(mine.id)
    await echo.close()
  })

  it('keeps a root with its own space whatever another root lists', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const mine = await echo.createSpace(actor, 'Mine')
    const theirs = await echo.createSpace(actor, 'Theirs')
    const victim = rootOf(mine).documentId
    rootOf(theirs).change((doc) => {
      doc.documents[victim] = 'objects'
    })
    expect(echo.spaceOfDocument(victim)).toBe(mine.id)
    await echo.close()
  })

  it('lists nothing for junk in `documents` and still answers for the root', async () => {
    const echo = openTestEcho()
    const theirs = await echo.createSpace(makeActor(), 'Theirs')
    const root = rootOf(theirs)
    expect(() => {
      root.change((doc) => {
        ;(doc as unknown as Record<string, unknown>).documents = null
      })
    }).not.toThrow()
    expect(echo.spaceOfDocument(root.documentId)).toBe(theirs.id)
    await echo.close()
  })
})

describe('DocumentSpaces', () => {
  /** Enough of a root's handle: its id, its document, and the change event. */
  const fakeRoot = (documents: Record<string, string>) => {
    let listener: ((event: { patches: { path: unknown[] }[] }) => void) | undefined
    const doc = { documents }
    return {
      handle: {
        documentId: 'root-doc',
        doc: () => doc,
        on: (_: string, fn: typeof listener) => (listener = fn),
        off: () => (listener = undefined),
      } as unknown as Parameters<DocumentSpaces['follow']>[1],
      list: (id: string) => {
        doc.documents[id] = 'text'
        listener?.({ patches: [{ path: ['documents', id] }] })
      },
      touch: () => listener?.({ patches: [{ path: ['documents'] }] }),
    }
  }

  it('says when a root lists a document it did not list before, so a document made first is offered then', () => {
    let calls = 0
    const spaces = new DocumentSpaces({ listed: () => calls++ })
    const root = fakeRoot({ a: 'objects' })
    spaces.follow('space-1' as SpaceId, root.handle)
    expect(calls).toBe(1)
    root.touch()
    expect(calls).toBe(1)
    root.list('b')
    expect(calls).toBe(2)
    expect(spaces.spaceOf('b' as DocumentId)).toBe('space-1')
  })
})
