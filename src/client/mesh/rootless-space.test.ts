// A device whose registry lists a space whose root it never stored (a page closed between an older adoption's row
// and its root's save) gets the root from a peer again, and the space opens there with its objects.
import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import type { SpaceId } from '../../echo'
import { openTestEcho } from '../../echo/testing/fixtures'
import { dbOf } from '../../echo/testing/internals'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import type { Client } from '../client'
import { clientsClosedAfterEach, echoOf, expectOk, linkDevice } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'

const open = clientsClosedAfterEach()
const WAIT = { timeout: 20_000, interval: 100 }

const titlesOf = (items: readonly { title: string }[] | undefined): string[] => items?.map((task) => task.title) ?? []

/** The task titles `client` shows in the space, once it opens there. */
const tasksIn = async (client: Client, spaceId: string): Promise<string[]> => {
  const space = expectOk(await client.spaces.open(spaceId))
  return titlesOf(await until(space.tasks(''), (items) => items !== undefined && items.length > 0))
}

/** Deletes the stored chunks of the space's root from a closed profile's ECHO database, leaving its registry row. */
const dropRoot = async (databaseName: string, spaceId: SpaceId): Promise<void> => {
  const echo = openTestEcho({ name: databaseName })
  try {
    const row = await dbOf(echo).spaces.get(spaceId)
    if (row === undefined) throw new Error('the space is not registered')
    const root = row.rootUrl.replace(/^automerge:/, '')
    expect(
      await dbOf(echo)
        .chunks.filter((chunk) => chunk.key[0] === root)
        .delete(),
    ).toBeGreaterThan(0)
    expect(await echo.lacksRoot(spaceId)).toBe(true)
  } finally {
    await echo.close()
  }
}

describe('a registered space whose root is not stored on this device', () => {
  it('is adopted again from its room: the root comes from a peer and the space opens with its objects', async () => {
    const network = new FakeTrystero({ reconnect: true })
    const laptopBrowser = fakeBrowser(network)
    const laptop = await open(laptopBrowser.edges)
    expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop'))
    const created = expectOk(await laptop.spaces.create('Garden plans'))
    expectOk(await expectOk(await laptop.spaces.open(created.id)).createTask('Water the beans'))
    const phoneBrowser = fakeBrowser(network)
    const phone = await open(phoneBrowser.edges)
    expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
    await until(phone.spaces.list, (list) => list?.some((space) => space.id === created.id) === true)
    expect(await tasksIn(phone, created.id)).toEqual(['Water the beans'])
    expectOk(await phone.spaces.flush())
    await phone.close()

    // The phone's storage as an older adoption closed too early left it: the row, and no root.
    await dropRoot(phoneBrowser.databases.echo, created.id as SpaceId)

    const reopened = await open(phoneBrowser.openTab().edges)
    await vi.waitFor(async () => {
      expect(await (await echoOf(reopened)).lacksRoot(created.id as SpaceId)).toBe(false)
    }, WAIT)
    expect(await tasksIn(reopened, created.id)).toEqual(['Water the beans'])
    // Its row is the one it had: it is still listed, under its name.
    const row = await until(reopened.spaces.list, (list) => list?.some((space) => space.id === created.id) === true)
    expect(row?.find((space) => space.id === created.id)?.name).toBe('Garden plans')
  }, 60_000)
})
