import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import type { InviteJoin, InviteJoinState } from './invites-api'
import { storedOf } from './testing/stored-of'

const WAIT = { timeout: 60_000 }

const person = async (open: ReturnType<typeof clientsClosedAfterEach>, network: FakeTrystero, name: string) => {
  const client = await open(fakeBrowser(network).edges)
  expectOk(await client.identity.create({ displayName: name, avatar: { colour: '#2f5d50' } }, 'Laptop'))
  return client
}

const settled = (join: InviteJoin): Promise<InviteJoinState> =>
  until(join.state, (state) => ['joined', 'failed', 'refused'].includes(state.kind))

/** Reads the link on `guest`, waits for a host's offer, accepts, and resolves with where the join ended. */
const joinWith = async (
  guest: Client,
  url: string,
): Promise<{ join: InviteJoin; found: InviteJoinState; end: InviteJoinState }> => {
  const join = expectOk(await guest.invites.join(expectOk(guest.invites.read(url))))
  const found = await until(join.state, (state) => ['found', 'failed', 'joined', 'refused'].includes(state.kind))
  if (found.kind === 'found') expectOk(await join.accept())
  const end = await settled(join)
  // A refusal keeps looking (nobody can check it: it carries no log); the page would stay until left.
  if (end.kind === 'refused') join.cancel()
  return { join, found, end }
}

const nothingStored = { registered: false, listed: false, boxes: 0 }

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

  it('the inviter is offline: another admin admits the guest, and they edit live', WAIT, async () => {
    const network = new FakeTrystero()
    const ada = await person(open, network, 'Ada')
    const carol = await person(open, network, 'Carol')
    const bob = await person(open, network, 'Bob')
    const garden = expectOk(await ada.spaces.create('Garden plans'))
    const forCarol = expectOk(await ada.invites.create(garden.id, { role: 'admin' }))
    expect((await joinWith(carol, forCarol.url)).end).toEqual({ kind: 'joined', spaceId: garden.id })
    const forBob = expectOk(await ada.invites.create(garden.id, { role: 'editor', uses: 2 }))
    // Carol's copy of the root holds the invitation and its K before Ada goes, and Ada's Profile, which Ada's
    // open space signed into the log.
    const onCarolList = expectOk(await carol.invites.open(garden.id))
    await until(onCarolList, (list) => list.some((each) => each.id === forBob.id))
    onCarolList.close()
    expectOk(await ada.spaces.open(garden.id))
    const carolSees = expectOk(await carol.spaces.open(garden.id))
    await until(carolSees.members, (list) => list.some((member) => member.displayName === 'Ada'))
    await ada.close()

    const { found, end } = await joinWith(bob, forBob.url)
    // Carol hosts, and shows Ada's Profile as Ada signed it into the log.
    expect(found).toMatchObject({ kind: 'found', spaceName: 'Garden plans', role: 'editor', inviter: { name: 'Ada' } })
    expect(end).toEqual({ kind: 'joined', spaceId: garden.id })
    const onCarol = expectOk(await carol.spaces.open(garden.id))
    const onBob = expectOk(await bob.spaces.open(garden.id))
    expectOk(await onBob.createTask('Bob was let in by Carol'))
    await until(onCarol.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Bob was let in by Carol') === true)
    expectOk(await onCarol.createTask('Carol answers'))
    await until(onBob.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Carol answers') === true)
  })

  it(
    'single use: a second guest is refused as used, with nothing stored, and the first guest opening it again just opens the space',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const ada = await person(open, network, 'Ada')
      const bob = await person(open, network, 'Bob')
      const dave = await person(open, network, 'Dave')
      const garden = expectOk(await ada.spaces.create('Garden plans'))
      const invite = expectOk(await ada.invites.create(garden.id, { role: 'viewer' }))
      expect((await joinWith(bob, invite.url)).end).toEqual({ kind: 'joined', spaceId: garden.id })

      const second = await joinWith(dave, invite.url)
      expect(second.end).toMatchObject({ kind: 'refused', problem: { code: 'invitation-used' } })
      expect(await storedOf(dave, garden.id)).toEqual(nothingStored)

      const again = await joinWith(bob, invite.url)
      expect(again.end).toEqual({ kind: 'joined', spaceId: garden.id })
      const echo = await clientInternals(ada)?.echo()
      const space = await echo?.openSpace(garden.id as never)
      const members = space?.ok === true ? space.value.membership.get().members : []
      expect(members.map((member) => member.role).sort()).toEqual(['owner', 'viewer'])
    },
  )

  it(
    'a cancelled invitation is refused as cancelled and an expired one before anyone is asked; nothing is stored',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const ada = await person(open, network, 'Ada')
      const bob = await person(open, network, 'Bob')
      const garden = expectOk(await ada.spaces.create('Garden plans'))
      const cancelled = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
      expectOk(await ada.invites.cancel(garden.id, cancelled.id))
      const list = expectOk(await ada.invites.open(garden.id))
      expect(list.get()).toEqual([])
      list.close()
      const refused = await joinWith(bob, cancelled.url)
      expect(refused.end).toMatchObject({ kind: 'refused', problem: { code: 'invitation-cancelled' } })
      expect(await storedOf(bob, garden.id)).toEqual(nothingStored)

      // The link's expiry is whole seconds: one made to last 1 ms reads as expired at once.
      const expired = expectOk(await ada.invites.create(garden.id, { role: 'editor', expiresInMs: 1 }))
      const read = expectOk(bob.invites.read(expired.url))
      expect(read.expired).toBe(true)
      const joined = await bob.invites.join(read)
      expect(joined).toMatchObject({ ok: false, error: { code: 'invitation-expired' } })
      expect(await storedOf(bob, garden.id)).toEqual(nothingStored)
      expect(bob.invites.read('#/join/not-a-link')).toMatchObject({ ok: false, error: { code: 'malformed-link' } })
    },
  )

  it(
    'a browser with no identity sees the invitation, makes its identity with the name given on Join, and edits live',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const ada = await person(open, network, 'Ada')
      const bea = await open(fakeBrowser(network).edges)
      await until(bea.identity.state, (state) => state.kind === 'none')
      const garden = expectOk(await ada.spaces.create('Garden plans'))
      const cancelled = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
      expectOk(await ada.invites.cancel(garden.id, cancelled.id))
      const refused = expectOk(await bea.invites.join(expectOk(bea.invites.read(cancelled.url))))
      expect(await settled(refused)).toMatchObject({ kind: 'refused', problem: { code: 'invitation-cancelled' } })
      refused.cancel()
      // A refused join made no identity.
      expect(bea.identity.state.get().kind).toBe('none')

      const invite = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
      const join = expectOk(await bea.invites.join(expectOk(bea.invites.read(invite.url))))
      const found = await until(join.state, (state) => state.kind === 'found' || state.kind === 'failed')
      expect(found).toMatchObject({ kind: 'found', spaceName: 'Garden plans', inviter: { name: 'Ada' } })
      expect(bea.identity.state.get().kind).toBe('none')
      expect(await join.accept({ displayName: '  ' })).toMatchObject({
        ok: false,
        error: { code: 'display-name-required' },
      })
      expect(bea.identity.state.get().kind).toBe('none')
      expectOk(await join.accept({ displayName: 'Bea' }))
      expect(await settled(join)).toEqual({ kind: 'joined', spaceId: garden.id })
      const ready = bea.identity.state.get()
      expect(ready.kind === 'ready' && ready.identity.displayName).toBe('Bea')
      const onBea = expectOk(await bea.spaces.open(garden.id))
      const onAda = expectOk(await ada.spaces.open(garden.id))
      expectOk(await onBea.createTask('Bea was here'))
      await until(onAda.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Bea was here') === true)
      expectOk(await onAda.createTask('Welcome, Bea'))
      await until(onBea.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Welcome, Bea') === true)
    },
  )
})
