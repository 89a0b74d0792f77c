import { updateText } from '@automerge/automerge/slim'
import { generateAutomergeUrl, parseAutomergeUrl, type AutomergeUrl } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Echo } from './echo'
import type { ObjectId } from './ids'
import type { EchoObject } from './schema/echo-object'
import type { Space } from './space/space'
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { dbOf, documentsOf, objectDocumentsOf, repoOf, rootOf } from './testing/internals'
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

/**
 * Connects two devices. A offers B the documents `offer` picks (B asks for the others), and never sends those `lose`
 * picks, not even when asked.
 */
const connect = async (
  a: Echo,
  b: Echo,
  {
    lose = () => false,
    offer = () => true,
  }: { lose?: (doc: string) => boolean; offer?: (doc: string) => boolean } = {},
) => {
  const [toB, toA] = pairedAdapters()
  const send = toB.send.bind(toB)
  toB.send = (message) => {
    if (!('documentId' in message && lose(message.documentId))) send(message)
  }
  a.replicate(toB, { access: () => true, announce: (_peer, doc) => offer(doc) && !lose(doc) })
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
/** A text named by more than 8 objects is indexed again at most every 5 s (opening it counts as a change). */
const CONTESTED = { timeout: 10_000 }

/** A's space "Garden" with the note "Plan", adopted by B (storage `name`) and indexed with its text; B closed. */
const adoptedThenClosed = async () => {
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
  return { name, a, garden, made: made.value }
}

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
    const { name, a, garden, made } = await adoptedThenClosed()

    const next = open({ peerId: 'cp1.bb.3', name })
    const reopened = await opening(next, garden)
    await connect(a, next)
    await typeInto(garden, actor, made.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']))
  })

  it('from a peer before the space was opened here, after the page was reopened', async () => {
    const { name, a, garden, made } = await adoptedThenClosed()

    // Talking to A before it opens the space: A's edit of the text arrives first.
    const next = open({ peerId: 'cp1.bb.3', name })
    await connect(a, next)
    await typeInto(garden, actor, made.id, 'tomatoes and basil')
    const text = parseAutomergeUrl(made.fields.text as AutomergeUrl).documentId
    await vi.waitFor(() => expect(repoOf(next).handles[text]?.doc()).toEqual({ text: 'tomatoes and basil' }))
    const reopened = await opening(next, garden)
    await reopened.loaded()
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
    const isText = (doc: string) => listed[doc] === 'text'
    // The page closes before the note's text came (here A never sends it).
    await connect(a, b, { lose: isText })
    const adopted = await b.adoptSpace({ identity: actor.identity, spaceId: garden.id, rootUrl: rootOf(garden).url })
    if (!adopted.ok) throw adopted.error
    await adopted.value.loaded()
    await b.settled()
    expect(await adopted.value.find({ type: 'note' })).toHaveLength(1)
    await b.close()

    // Reopened and indexed with no peer; then a peer that sends a text only when asked for it.
    const next = open({ peerId: 'cp1.bb.3', name })
    const reopened = await opening(next, garden)
    await reopened.loaded()
    await next.settled()
    expect(await titlesFound(next, reopened, 'tomatoes')).toEqual([])
    await connect(a, next, { offer: (doc) => !isText(doc) })
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'tomatoes')).toEqual(['Plan']))
  })

  it.each([1, 20])('%i objects that are no note, naming the same text, do not take it from its note', async (count) => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    // What a member's device can write: objects that are no valid note (no title) naming the note's text, listed first.
    const [objects] = objectDocumentsOf(garden)
    objects?.change((doc) => {
      for (let n = 0; n < count; n++)
        doc.objects[`0junk${n}`] = { type: 'note', fields: { text: made.value.fields.text } }
    })
    await first.close()

    const next = open({ name })
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']), CONTESTED)
  })

  /** Writes `count` valid notes into `space`, each named `Copy n` and naming the text of `note`, listed before it. */
  const copiesOf = (space: Space, note: EchoObject, count: number) => {
    const [objects] = objectDocumentsOf(space)
    objects?.change((doc) => {
      for (let n = 0; n < count; n++) {
        const id = n.toString(16).padStart(32, '0')
        doc.objects[id] = { ...note, id, fields: { ...note.fields, title: `Copy ${n}` } }
      }
    })
  }

  it('a text named by twenty valid notes: each is indexed again, the note too, at most once per 5 s', async () => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    copiesOf(garden, made.value, 20)
    await first.settled()
    expect(await garden.find({ type: 'note', text: 'tomatoes' })).toHaveLength(21)
    await first.close()

    const next = open({ name })
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toHaveLength(21), CONTESTED)
    expect(await titlesFound(next, reopened, 'basil')).toContain('Plan')
    // The next change waits for its turn, then reaches all of them.
    await typeInto(reopened, actor, made.value.id, 'tomatoes and beans')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'beans')).toHaveLength(21), CONTESTED)
  }, 30_000)

  it("another space's notes naming a text are not its owners: they neither take it nor read it", async () => {
    const name = uniqueDatabaseName()
    const first = open({ name })
    const garden = await first.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    const shed = await first.createSpace(actor, 'Shed')
    copiesOf(shed, made.value, 9)
    await first.close()

    const next = open({ name })
    const theirs = await opening(next, shed)
    await theirs.loaded()
    const reopened = await opening(next, garden)
    await typeInto(reopened, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(async () => expect(await titlesFound(next, reopened, 'basil')).toEqual(['Plan']))
    expect(await titlesFound(next, theirs, 'basil')).toEqual([])
  })

  it('reaches a live search, while whole lists are not told to read the index again for it', async () => {
    const echo = open()
    const garden = await echo.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    await echo.textsSettled()
    const titles = (list: ReturnType<Space['query']>) => {
      const state = list.get()
      return state.status === 'ready' ? state.objects.map((note) => note.fields.title) : undefined
    }
    const search = garden.query({ type: 'note', text: 'basil' })
    const notes = garden.query({ type: 'note' })
    await vi.waitFor(() => expect([titles(search), titles(notes)]).toEqual([[], ['Plan']]))
    // Whole lists read the index again when a heads row of their space is written (query-index.ts).
    let headsWritten = 0
    const count = () => {
      headsWritten += 1
    }
    dbOf(echo).indexedDocs.hook('creating', count)
    dbOf(echo).indexedDocs.hook('updating', count)

    await typeInto(garden, actor, made.value.id, 'tomatoes and basil')
    await vi.waitFor(() => expect(titles(search)).toEqual(['Plan']))
    expect(headsWritten).toBe(0)

    // A change of the note itself is their business.
    expect((await garden.update(actor, made.value.id, 'note', { title: 'Plan B' })).ok).toBe(true)
    await echo.settled()
    expect(headsWritten).toBe(1)
    await vi.waitFor(() => expect([titles(search), titles(notes)]).toEqual([['Plan B'], ['Plan B']]))
    search.close()
    notes.close()
  })

  it('flags a note whose text is on its way or not listed (yet) by its space, not a deleted one', async () => {
    const echo = open()
    const garden = await echo.createSpace(actor, 'Garden')
    const made = await garden.createNote(actor, 'Plan', 'tomatoes')
    if (!made.ok) throw made.error
    const gone = await garden.createNote(actor, 'Gone', 'weeds')
    if (!gone.ok) throw gone.error
    expect((await garden.delete(actor, gone.value.id)).ok).toBe(true)
    const [objects] = objectDocumentsOf(garden)
    const stray = '1'.repeat(32)
    objects?.change((doc) => {
      doc.objects[stray] = { ...made.value, id: stray, fields: { title: 'Stray', text: generateAutomergeUrl() } }
    })
    // Every text document leaves this tab's memory, as after a reload: indexing again finds none of them loaded.
    for (const text of [made.value.fields.text, gone.value.fields.text]) {
      documentsOf(echo).remove(parseAutomergeUrl(text as AutomergeUrl).documentId)
    }
    await echo.rebuildIndex(garden)
    const flagged = async (id: string) => (await dbOf(echo).objects.get(`${garden.id}/${id}`))?.textWaiting
    expect(await flagged(made.value.id)).toBe(1)
    expect(await flagged(gone.value.id)).toBeUndefined()
    // Its root may list it later: a page closed before the root's change came would never look again.
    expect(await flagged(stray)).toBe(1)
  })
})
