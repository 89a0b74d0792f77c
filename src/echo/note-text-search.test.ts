import { updateText } from '@automerge/automerge/slim'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Echo } from './echo'
import type { ObjectId } from './ids'
import type { Space } from './space/space'
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { objectDocumentsOf, repoOf, rootOf } from './testing/internals'
import { pairedAdapters, whenPeer } from './testing/paired-network'

const opened: Echo[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((echo) => echo.close()))
})

const open = (options: { name?: string; peerId?: string } = {}): Echo => {
  const echo = openTestEcho(options)
  opened.push(echo)
  return echo
}

const everything = { access: () => true, announce: () => true }

/** Connects two devices; `lose` says which documents' messages from A to B are lost (A never sends them). */
const connect = async (a: Echo, b: Echo, lose: (doc: string) => boolean = () => false) => {
  const [toB, toA] = pairedAdapters()
  const send = toB.send.bind(toB)
  toB.send = (message) => {
    if (!('documentId' in message && lose(message.documentId))) send(message)
  }
  a.replicate(toB, { access: () => true, announce: (_peer, doc) => !lose(doc) })
  b.replicate(toA, everything)
  await Promise.all([whenPeer(repoOf(a), repoOf(b).peerId), whenPeer(repoOf(b), repoOf(a).peerId)])
}

const opening = async (echo: Echo, space: Space): Promise<Space> => {
  const reopened = await echo.openSpace(space.id)
  if (!reopened.ok) throw reopened.error
  return reopened.value
}

const typeInto = async (space: Space, actor: ReturnType<typeof makeActor>, note: ObjectId, text: string) => {
  const opened = await space.noteText(actor, note)
  if (!opened.ok) throw opened.error
  opened.value.handle.change((doc) => updateText(doc, ['text'], text))
}

const titlesFound = async (echo: Echo, space: Space, word: string): Promise<string[]> => {
  await echo.textsSettled()
  return (await space.find({ type: 'note', text: word })).map((note) => note.fields.title)
}

const actor = makeActor()

describe("a note's text is searchable however it comes", () => {
  it('typed here after the page was reopened', async () => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    await first.close()

    const next = open({ name })
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']))
  })

  it('from a peer after the page was reopened, for a text no one here opened', async () => {
    const name = uniqueDatabaseName()
    const a = open({ peerId: 'cp1.aa.1' })
    const b = open({ peerId: 'cp1.bb.2', name })
    const garden = await a.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    await connect(a, b)
    const adopted = await b.adoptSpace({ identity: actor.identity, spaceId: garden.id, rootUrl: rootOf(garden).url })
    if (!adopted.ok) throw adopted.error
    await adopted.value.loaded()
    expect(await titlesFound(b, adopted.value, 'tomatoes')).toEqual(['Plan'])
    await b.close()

    const next = open({ peerId: 'cp1.bb.3', name })
    const reopened = await opening(next, garden)
    await connect(a, next)
    await typeInto(garden, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']))
  })

  it('a note indexed before its text came: the text is asked for when the space next opens with a peer', async () => {
    const name = uniqueDatabaseName()
    const a = open({ peerId: 'cp1.aa.1' })
    const b = open({ peerId: 'cp1.bb.2', name })
    const garden = await a.createSpace(actor, 'Garden')
    expect((await garden.createNote(actor, 'Plan', 'tomatoes')).ok).toBe(true)
    await a.flush()
    const listed = rootOf(garden).doc().documents
    // The page closes before the note's text came (here A never sends it).
    await connect(a, b, (doc) => listed[doc] === 'text')
    const adopted = await b.adoptSpace({ identity: actor.identity, spaceId: garden.id, rootUrl: rootOf(garden).url })
    if (!adopted.ok) throw adopted.error
    await adopted.value.loaded()
    await b.settled()
    expect(await adopted.value.find({ type: 'note' })).toHaveLength(1)
    await b.close()

    // Reopened with no peer, then with one that sends everything.
    const next = open({ peerId: 'cp1.bb.3', name })
    const reopened = await opening(next, garden)
    expect(await titlesFound(next, reopened, 'tomatoes')).toEqual([])
    await connect(a, next)
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'tomatoes')).toEqual(['Plan']))
  })

  it.each([1, 20])('%i other objects naming the same text do not take it from its note', async (count) => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    // What a member's device can write: objects that are no valid note (no title) naming the note's text, listed first.
    const [objects] = objectDocumentsOf(garden)
    objects?.change((doc) => {
      for (let n = 0; n < count; n++) {
        doc.objects[`0junk${n}`] = {
          type: 'note',
          fields: { text: made.value.fields.text },
        }
      }
    })
    await first.close()

    const next = open({ name })
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']))
  })

  it('a text named by twenty valid notes indexes at most eight of them again when it changes', async () => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    const [objects] = objectDocumentsOf(garden)
    objects?.change((doc) => {
      for (let n = 0; n < 20; n++) {
        // Ids listed before the note's.
        const id = n.toString(16).padStart(32, '0')
        doc.objects[id] = { ...made.value, id, fields: { ...made.value.fields } }
      }
    })
    await first.settled()
    expect(await garden.find({ type: 'note', text: 'tomatoes' })).toHaveLength(21)
    await first.close()

    const next = open({ name })
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect((await titlesFound(next, reopened, 'basil')).length).toBeGreaterThan(0))
    expect((await titlesFound(next, reopened, 'basil')).length).toBeLessThanOrEqual(8)
  })
})
