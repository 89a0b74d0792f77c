// A linked phone keeps what arrived whole from the laptop, though nothing changed it after it arrived.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { parseObjectId, type SpaceId } from '../../echo'
import { typeText } from '../../echo/testing/text'
import { IdentityStore } from '../../halo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'

const open = clientsClosedAfterEach()
const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }

/** Types `text` into the note through its text document, as the editor does. */
const typeInto = async (client: Client, browser: ReturnType<typeof fakeBrowser>, spaceId: string, noteId: string) => {
  const state = await new IdentityStore({ locks: browser.edges.locks, databaseName: browser.databases.halo }).load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  const echo = await clientInternals(client)?.echo()
  const space = await echo?.openSpace(spaceId as SpaceId)
  const objectId = parseObjectId(noteId)
  if (space?.ok !== true || objectId === undefined) throw new Error('no space or note')
  const text = await space.value.noteText(
    { identity: state.identity.identityKey, signer: state.identity.signer },
    objectId,
  )
  if (!text.ok) throw text.error
  typeText(text.value, 'Text written on the laptop')
}

/** What `client` shows of its personal space: the task titles, the note titles and the note's Markdown. */
const shown = async (client: Client, noteId: string) => {
  const space = await personalSpace(client)
  const tasks = await until(space.tasks(''), (items) => items !== undefined && items.length > 0)
  const notes = await until(space.notes(''), (items) => items !== undefined && items.length > 0)
  const markdown = expectOk(await space.noteMarkdown(noteId))
  return {
    id: space.id,
    tasks: tasks?.map((task) => task.title),
    notes: notes?.map((note) => note.title),
    text: await markdown.blob.text(),
  }
}

/** A laptop with a task and a note with text, then a phone linked to it that shows them all and does nothing else. */
const phoneShowingLaptopSpace = async () => {
  const network = new FakeTrystero({ reconnect: true })
  const laptopBrowser = fakeBrowser(network)
  const laptop = await open(laptopBrowser.edges)
  expectOk(await laptop.identity.create(profile, 'Laptop'))
  const laptopSpace = await personalSpace(laptop)
  expectOk(await laptopSpace.createTask('Task from the laptop'))
  const noteId = expectOk(await laptopSpace.createNote('Note from the laptop'))
  await typeInto(laptop, laptopBrowser, laptopSpace.id, noteId)
  expectOk(await laptop.spaces.flush())

  const phoneBrowser = fakeBrowser(network)
  const phone = await open(phoneBrowser.edges)
  expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
  const onPhone = await shown(phone, noteId)
  expect(onPhone).toMatchObject({
    id: laptopSpace.id,
    tasks: ['Task from the laptop'],
    notes: ['Note from the laptop'],
  })
  expect(onPhone.text).toContain('Text written on the laptop')
  return { network, phone, phoneBrowser, noteId, onPhone }
}

describe('a linked phone, reopened offline on its storage', () => {
  it('shows the space, the task and the note text it received after a clean close', async () => {
    const { network, phone, phoneBrowser, noteId, onPhone } = await phoneShowingLaptopSpace()
    await phone.close()
    network.setDown(true)

    const reopened = await open(phoneBrowser.openTab().edges)
    expect(await shown(reopened, noteId)).toEqual(onPhone)
  }, 30_000)

  it('shows them after its tab was killed once pagehide had flushed (no close)', async () => {
    const { network, phone, phoneBrowser, noteId, onPhone } = await phoneShowingLaptopSpace()
    // What the page does on pagehide; the tab's close never runs. It is left as it is (its locks held, as a tab the
    // browser has not yet reaped), and another tab of the profile reads the storage, as a reload would.
    expectOk(await phone.spaces.flush())
    network.setDown(true)

    const reopened = await open(phoneBrowser.openTab().edges)
    expect(await shown(reopened, noteId)).toEqual(onPhone)
  }, 30_000)
})
