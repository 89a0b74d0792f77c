import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { parseObjectId, type Space, type SpaceId } from '../../echo'
import { typeText } from '../../echo/testing/text'
import { IdentityStore, type HaloIdentity } from '../../halo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'

const open = clientsClosedAfterEach()
const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }
type Browser = ReturnType<typeof fakeBrowser>

const haloOf = async (browser: Browser): Promise<HaloIdentity> => {
  const store = new IdentityStore({ locks: browser.edges.locks, databaseName: browser.databases.halo })
  const state = await store.load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  return state.identity
}

type NoteText = Extract<Awaited<ReturnType<Space['noteText']>>, { ok: true }>['value']

/** A note's writable text document in `client`'s ECHO (an editor's handle, without CodeMirror). */
const noteTextIn = async (client: Client, halo: HaloIdentity, spaceId: string, noteId: string): Promise<NoteText> => {
  const echo = await clientInternals(client)?.echo()
  if (echo === undefined) throw new Error('no client internals')
  const space = await echo.openSpace(spaceId as SpaceId)
  if (!space.ok) throw space.error
  const objectId = parseObjectId(noteId)
  if (objectId === undefined) throw new Error(`bad note id ${noteId}`)
  const text = await space.value.noteText({ identity: halo.identityKey, signer: halo.signer }, objectId)
  if (!text.ok) throw text.error
  return text.value
}

const textReads = (note: NoteText, expected: string) =>
  until(new Polled(() => (note.handle.doc().text === expected ? true : undefined)), (value) => value === true)

/** Resolves once no document bytes moved on the network for `ms` (what the old, activity-based status waited for). */
const quietFor = (network: FakeTrystero, ms: number) => {
  const documentFrames = () => network.deliveries.filter((each) => each.action === 'cp.am').length
  let seen = documentFrames()
  let since = performance.now()
  return until(
    new Polled(() => {
      const now = documentFrames()
      if (now !== seen) [seen, since] = [now, performance.now()]
      return performance.now() - since >= ms ? true : undefined
    }),
    (value) => value === true,
  )
}

/** A laptop with an identity and a note with some text, and a phone linked to it that holds it all. */
const laptopAndPhone = async () => {
  const network = new FakeTrystero({ reconnect: true })
  const laptopBrowser = fakeBrowser(network)
  const laptop = await open(laptopBrowser.edges)
  expectOk(await laptop.identity.create(profile, 'Laptop'))
  const laptopSpace = await personalSpace(laptop)
  const phoneBrowser = fakeBrowser(network)
  const phone = await open(phoneBrowser.edges)
  const firstFrom = network.deliveries.length
  expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
  await until(phone.identity.state, (state) => state.kind === 'ready')
  const laptopHalo = await haloOf(laptopBrowser)
  const noteId = expectOk(await laptopSpace.createNote('Journal'))
  const laptopText = await noteTextIn(laptop, laptopHalo, laptopSpace.id, noteId)
  // Typed a piece at a time: a history of many changes, as an editor makes.
  let text = ''
  for (let line = 0; line < 200; line++) {
    text += `line ${String(line)} of the journal\n`
    typeText(laptopText, text)
  }
  const phoneSpace = await personalSpace(phone)
  await until(phoneSpace.notes(''), (notes) => notes?.some((note) => note.id === noteId) === true)
  const phoneHalo = await haloOf(phoneBrowser)
  await textReads(await noteTextIn(phone, phoneHalo, phoneSpace.id, noteId), text)
  await until(laptop.sync.overall, (status) => status.kind === 'up-to-date')
  await until(phone.sync.overall, (status) => status.kind === 'up-to-date')
  return {
    network,
    laptop,
    laptopBrowser,
    laptopSpace,
    laptopText,
    phone,
    phoneBrowser,
    phoneHalo,
    noteId,
    text,
    firstFrom,
  }
}

describe('sync status by heads', () => {
  it('stays "Syncing…" while the phone has not confirmed a large change, and is up to date once its heads match', async () => {
    const { network, laptop, laptopBrowser, laptopText, phone, phoneBrowser, phoneHalo, noteId, laptopSpace } =
      await laptopAndPhone()
    const [phonePage, laptopId] = [phoneBrowser.trystero.selfId, laptopBrowser.trystero.selfId]
    // Whatever the phone says to the laptop waits: the laptop's change reaches the phone, its answer does not.
    network.hold(phonePage, laptopId)
    const large = 'a long paragraph of the journal. '.repeat(1_000)
    typeText(laptopText, large)
    await until(laptop.sync.overall, (status) => status.kind === 'syncing')
    const phoneSpace = await personalSpace(phone)
    await textReads(await noteTextIn(phone, phoneHalo, phoneSpace.id, noteId), large)
    // Long after the last document byte moved, the laptop still has not heard the phone's heads.
    await quietFor(network, 2_500)
    expect(laptop.sync.overall.get()).toEqual({ kind: 'syncing' })
    expect(laptop.sync.space(laptopSpace.id).get()).toEqual({ kind: 'syncing' })
    network.release(phonePage, laptopId)
    expect(await until(laptop.sync.overall, (status) => status.kind === 'up-to-date')).toEqual({
      kind: 'up-to-date',
      devices: 1,
    })
  }, 30_000)

  it('keeps sync state across a reopen: the phone catching up after it sends fewer bytes than the first full sync', async () => {
    const { network, laptopText, phone, phoneBrowser, noteId, text, firstFrom } = await laptopAndPhone()
    const documentBytes = (from: number, page: string) =>
      network.deliveries
        .slice(from)
        .filter((each) => each.action === 'cp.am' && (each.from === page || each.to === page))
        .reduce((sum, each) => sum + each.bytes, 0)
    const first = documentBytes(firstFrom, phoneBrowser.trystero.selfId)
    await phone.close()
    // One line more while the phone is away: the next meeting has something to sync.
    const more = `${text}one line more\n`
    typeText(laptopText, more)
    const reopenedTab = phoneBrowser.openTab()
    const reopenFrom = network.deliveries.length
    const reopened = await open(reopenedTab.edges)
    await until(reopened.identity.state, (state) => state.kind === 'ready')
    const phoneSpace = await personalSpace(reopened)
    await textReads(await noteTextIn(reopened, await haloOf(phoneBrowser), phoneSpace.id, noteId), more)
    await until(reopened.sync.overall, (status) => status.kind === 'up-to-date')
    const second = documentBytes(reopenFrom, reopenedTab.trystero.selfId)
    console.info(`document bytes: first sync ${String(first)}, after the reopen ${String(second)}`)
    // Measured: 3,920 of 19,862 bytes; without kept sync state (the storage id was null) 10,667 of 20,513.
    expect(second).toBeLessThan(first / 3)
  }, 30_000)
})
