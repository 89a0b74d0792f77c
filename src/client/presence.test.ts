import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { FakeRoom, FakeTrystero } from '../mesh/testing/fake-trystero'
import { FakeTrystero as Network } from '../mesh/testing/fake-trystero'
import type { Client } from './client'
import type { PersonHere, SpaceSession } from './spaces-api'
import { clientsClosedAfterEach, expectOk } from './testing/client-harness'
import { fakeBrowser, until } from './testing/fake-edges'
import { haloOf, shareSpace } from './testing/share-space'

const open = clientsClosedAfterEach()

const person = async (network: FakeTrystero, displayName: string) => {
  const browser = fakeBrowser(network)
  const client: Client = await open(browser.edges)
  expectOk(await client.identity.create({ displayName, avatar: { colour: '#1f5fa8' } }, 'Laptop'))
  return { client, browser }
}

const names = (people: readonly PersonHere[]): (string | undefined)[] => people.map((one) => one.displayName)

/** Ada's space shared with Bo (an editor unless said), a note in it, both with the space open. */
const sharedGarden = async (role: 'editor' | 'viewer' = 'editor') => {
  const network = new Network({ reconnect: true })
  const ada = await person(network, 'Ada')
  const bo = await person(network, 'Bo')
  const created = expectOk(await ada.client.spaces.create('Garden plans'))
  const adaSpace = expectOk(await ada.client.spaces.open(created.id))
  const noteId = expectOk(await adaSpace.createNote('Beds'))
  await shareSpace(ada, bo, created.id, role)
  await until(bo.client.spaces.list, (list) => list?.some((space) => space.id === created.id) === true)
  const boSpace = expectOk(await bo.client.spaces.open(created.id))
  const boNotes = boSpace.notes('')
  await until(boNotes, (items) => items?.some((note) => note.id === noteId) === true)
  boNotes.close()
  const boIdentity = (await haloOf(bo.browser)).identityKey
  return { network, ada, bo, spaceId: created.id, adaSpace, boSpace, noteId, boIdentity }
}

/** Ada's connection to Bo in the space's room, to play a hostile Bo on it. */
const roomOf = (network: FakeTrystero, ada: { browser: ReturnType<typeof fakeBrowser> }, bo: string): FakeRoom => {
  const room = network
    .roomsOf(ada.browser.trystero)
    .find((each) => each.appId === 'commonplace/1' && each.linked.has(bo))
  if (room === undefined) throw new Error('Ada meets Bo in no space room')
  return room
}

const here = (space: SpaceSession, people: string[]) =>
  until(space.presence, (now) => names(now).join() === people.join())

describe('presence', () => {
  it('shows who is here, then who has a note open, and forgets a device whose connection closed', async () => {
    const { bo, adaSpace, boSpace, noteId } = await sharedGarden()
    // Alone is only us; then the other member once a device of theirs is connected and heard.
    expect(names(await here(adaSpace, ['Ada', 'Bo']))).toEqual(['Ada', 'Bo'])
    expect((await here(boSpace, ['Bo', 'Ada']))[0]?.me).toBe(true)
    expect(adaSpace.openedBy(noteId).get()).toEqual([])
    const closeNote = boSpace.opening(noteId)
    const opened = await until(adaSpace.openedBy(noteId), (people) => people.length === 1)
    expect(names(opened)).toEqual(['Bo'])
    // Bo does not see himself as "someone else" in the note.
    expect(boSpace.openedBy(noteId).get()).toEqual([])
    closeNote()
    await until(adaSpace.openedBy(noteId), (people) => people.length === 0)
    // Bo's page goes: its connection closes and Ada is on her own again.
    await bo.client.close()
    expect(names(await here(adaSpace, ['Ada']))).toEqual(['Ada'])
  }, 30_000)

  it('shows a viewer too: reading a note is being in it', async () => {
    const { adaSpace, boSpace, noteId } = await sharedGarden('viewer')
    await here(adaSpace, ['Ada', 'Bo'])
    expect(boSpace.canWrite.get()).toBe(false)
    boSpace.opening(noteId)
    expect(names(await until(adaSpace.openedBy(noteId), (people) => people.length === 1))).toEqual(['Bo'])
  }, 30_000)

  it('forgets a page that crashed once its heartbeat falls silent, with no word from its connection', async () => {
    const { bo, adaSpace } = await sharedGarden()
    await here(adaSpace, ['Ada', 'Bo'])
    const started = performance.now()
    bo.browser.trystero.crash()
    await here(adaSpace, ['Ada'])
    // The swarm's heartbeat timeout is 3.5 s (Trystero itself notices after 10-12 s).
    expect(performance.now() - started).toBeLessThan(6_000)
  }, 30_000)

  it('leaves no ghost when a page reloads: the new page is here, the old one gone within the heartbeat', async () => {
    const { network, bo, adaSpace, boSpace, noteId } = await sharedGarden()
    await here(adaSpace, ['Ada', 'Bo'])
    boSpace.opening(noteId)
    await until(adaSpace.openedBy(noteId), (people) => people.length === 1)
    // The page goes without a word (a reload that could not leave): its connections die and nobody is told, and
    // its locks are freed as a closed page's are. Then the profile opens again in a new page.
    const rooms = network.roomsOf(bo.browser.trystero)
    bo.browser.trystero.crash()
    for (const room of rooms) room.linked.clear()
    await bo.client.close()
    const reloaded = await open(bo.browser.openTab().edges)
    await until(reloaded.identity.state, (state) => state.kind === 'ready')
    const started = performance.now()
    const again = expectOk(await reloaded.spaces.open(boSpace.id))
    await here(again, ['Bo', 'Ada'])
    // The old page had the note open; the new one has not opened it: once the old is silent, nobody has.
    await until(adaSpace.openedBy(noteId), (people) => people.length === 0)
    expect(performance.now() - started).toBeLessThan(6_000)
    const people = await until(adaSpace.presence, (now) => now[1]?.devices === 1)
    expect(names(people)).toEqual(['Ada', 'Bo'])
  }, 30_000)

  it('drops a forged, oversized or foreign frame, and believes only what the connection itself says', async () => {
    const { network, ada, bo, adaSpace, noteId } = await sharedGarden()
    await here(adaSpace, ['Ada', 'Bo'])
    const boPeer = bo.browser.trystero.selfId
    const room = roomOf(network, ada, boPeer)
    const noteOf = adaSpace.openedBy(noteId)
    // A foreign object id (no object of this space), then an oversized frame, then junk: nothing is believed.
    room.receive(boPeer, 'cp.open', JSON.stringify({ v: 1, open: ['0'.repeat(32)] }))
    room.receive(boPeer, 'cp.open', JSON.stringify({ v: 1, open: [noteId], pad: 'x'.repeat(2_000) }))
    room.receive(boPeer, 'cp.open', JSON.stringify({ v: 1, open: [noteId], extra: true }))
    room.receive(boPeer, 'cp.open', new Uint8Array([1, 2, 3]))
    // A peer that never passed the handshake names the note: it is no one here.
    room.receive('peer-impostor', 'cp.open', JSON.stringify({ v: 1, open: [noteId] }))
    // Then a valid frame: it is applied, so the ones before had their chance and were dropped.
    room.receive(boPeer, 'cp.open', JSON.stringify({ v: 1, open: ['0'.repeat(32), noteId] }))
    const opened = await until(noteOf, (people) => people.length === 1)
    expect(names(opened)).toEqual(['Bo'])
    expect(names(adaSpace.presence.get())).toEqual(['Ada', 'Bo'])
  }, 30_000)

  it('a removed member is gone at once, and a follower tab reports the note it has open', async () => {
    const { bo, adaSpace, boSpace, noteId, boIdentity } = await sharedGarden()
    await here(adaSpace, ['Ada', 'Bo'])
    // Bo's second tab follows: the leader sends what that tab has open.
    const tab = bo.browser.openTab()
    const second = await open(tab.edges)
    await until(second.identity.state, (state) => state.kind === 'ready')
    const secondSpace = expectOk(await second.spaces.open(boSpace.id))
    expect(second.tabRole.get()).toBe('follower')
    secondSpace.opening(noteId)
    await until(adaSpace.openedBy(noteId), (people) => people.length === 1)
    // The follower tab hears who is here from the leader.
    await here(secondSpace, ['Bo', 'Ada'])
    expectOk(await adaSpace.removeMember(boIdentity))
    // The same turn: the membership fold no longer has Bo, so presence has not waited for the mesh.
    expect(names(adaSpace.presence.get())).toEqual(['Ada'])
    expect(adaSpace.openedBy(noteId).get()).toEqual([])
  }, 30_000)
})
