import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import type { Client } from '../client'
import { clientsClosedAfterEach, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import type { InviteJoin, InviteJoinState } from './invites-api'

const WAIT = { timeout: 60_000 }

const person = async (open: ReturnType<typeof clientsClosedAfterEach>, network: FakeTrystero, name: string) => {
  const client = await open(fakeBrowser(network).edges)
  expectOk(await client.identity.create({ displayName: name, avatar: { colour: '#2f5d50' } }, 'Laptop'))
  return client
}

const settled = (join: InviteJoin): Promise<InviteJoinState> =>
  until(join.state, (state) => state.kind === 'joined' || state.kind === 'failed')

/** Reads the link on `guest`, waits for a host's offer, accepts, and resolves with where the join ended. */
const joinWith = async (
  guest: Client,
  url: string,
): Promise<{ join: InviteJoin; found: InviteJoinState; end: InviteJoinState }> => {
  const join = expectOk(await guest.invites.join(expectOk(guest.invites.read(url))))
  const found = await until(join.state, (state) => ['found', 'failed', 'joined'].includes(state.kind))
  if (found.kind === 'found') expectOk(await join.accept())
  return { join, found, end: await settled(join) }
}

const hasTask = (client: Client, spaceId: string, title: string) =>
  client.spaces.open(spaceId).then(async (opened) => {
    const session = expectOk(opened)
    await until(session.tasks(''), (tasks) => tasks?.some((task) => task.title === title) === true)
    return session
  })

describe('invitations between two people over the in-memory Trystero', () => {
  const open = clientsClosedAfterEach()

  it(
    'Ada invites Bob as an editor: Bob sees who invited him to what, joins, and both edit live both ways',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const ada = await person(open, network, 'Ada')
      const bob = await person(open, network, 'Bob')
      const garden = expectOk(await ada.spaces.create('Garden plans'))
      const onAda = expectOk(await ada.spaces.open(garden.id))
      expectOk(await onAda.createTask('Written by Ada'))
      const invite = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
      expect(invite.url).toMatch(/#\/join\/[A-Za-z0-9_-]{94}$/)
      const listed = expectOk(await ada.invites.open(garden.id))
      expect(listed.get()).toMatchObject([{ id: invite.id, role: 'editor', usesLeft: 1 }])

      const { found, end } = await joinWith(bob, invite.url)
      expect(found).toMatchObject({
        kind: 'found',
        spaceName: 'Garden plans',
        role: 'editor',
        inviter: { name: 'Ada' },
      })
      expect(end).toEqual({ kind: 'joined', spaceId: garden.id })
      await until(listed, (list) => list.length === 0)
      listed.close()

      const onBob = await hasTask(bob, garden.id, 'Written by Ada')
      expectOk(await onBob.createTask('Written by Bob'))
      await until(onAda.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Written by Bob') === true)
      expectOk(await onAda.createTask('Ada again'))
      await until(onBob.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Ada again') === true)
    },
  )
})
