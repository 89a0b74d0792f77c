import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { PublicKey } from '../../halo'
import { dbOf, rootOf } from '../../echo/testing/internals'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import type { JoinState, LinkJoin, OfferState } from '../devices-api'
import { clientsClosedAfterEach, expectOk, personalSpace } from '../testing/client-harness'
import { fakeBrowser, refuseWrites, until } from '../testing/fake-edges'

const WAIT = { timeout: 30_000 }

describe('linking two clients over the in-memory Trystero', () => {
  const open = clientsClosedAfterEach()

  it(
    'B opens A link, both show one code, Allow: B holds the identity and A personal space, and edits flow both ways',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const a = await open(fakeBrowser(network).edges)
      expectOk(await a.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
      const personalA = await personalSpace(a)
      expectOk(await personalA.createTask('Written on A'))
      const b = await open(fakeBrowser(network).edges)
      await until(b.identity.state, (state) => state.kind === 'none')

      const started = performance.now()
      const offer = expectOk(await a.devices.offerLink())
      const invitation = expectOk(b.devices.readLink(offer.url))
      const join = expectOk(await b.devices.join(invitation))
      await until(join.state, (state) => state.kind === 'found')
      expectOk(await join.request('Phone'))
      const confirmA = await until(offer.state, (state: OfferState) => state.kind === 'confirm')
      const confirmB = await until(join.state, (state: JoinState) => state.kind === 'confirm')
      expect(confirmA.kind === 'confirm' && confirmB.kind === 'confirm' && confirmA.code === confirmB.code).toBe(true)
      offer.allow()
      await until(join.state, (state) => ['linked', 'failed'].includes(state.kind))
      expect(join.state.get()).toEqual({ kind: 'linked' })
      const readyA = a.identity.state.get()
      const readyB = await until(b.identity.state, (state) => state.kind === 'ready')
      if (readyA.kind !== 'ready' || readyB.kind !== 'ready') throw new Error('not ready')
      expect(readyB.identity.identityKey).toBe(readyA.identity.identityKey)
      expect(readyB.identity.backup).toBe('linked')
      const personalB = await personalSpace(b)
      expect(personalB.id).toBe(personalA.id)
      const visible = performance.now() - started
      await until(personalB.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Written on A') === true)
      expectOk(await personalB.createTask('Written on B'))
      await until(personalA.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Written on B') === true)
      console.info(`link opened -> personal space visible: ${visible.toFixed(0)} ms`)
    },
  )

  /** Offers a link on `from`, joins it on `to` (every join state recorded from the start), asks as Phone. */
  const joinAsPhone = async (from: Client, to: Client) => {
    await until(to.identity.state, (state) => state.kind === 'none')
    const offer = expectOk(await from.devices.offerLink())
    const join: LinkJoin = expectOk(await to.devices.join(expectOk(to.devices.readLink(offer.url))))
    const states: JoinState[] = [join.state.get()]
    join.state.subscribe((state) => states.push(state))
    await until(join.state, (state) => state.kind === 'found')
    expectOk(await join.request('Phone'))
    await until(offer.state, (state) => state.kind === 'confirm')
    return { offer, join, states }
  }

  it('the join screen counts every space of the identity as it arrives: 3 of 3, then linked', WAIT, async () => {
    const network = new FakeTrystero()
    const laptop = await open(fakeBrowser(network).edges)
    expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    await personalSpace(laptop)
    for (const name of ['Garden', 'Work']) {
      const space = expectOk(await laptop.spaces.open(expectOk(await laptop.spaces.create(name)).id))
      expectOk(await space.createTask(`A task in ${name}`))
    }
    await until(laptop.spaces.list, (spaces) => spaces?.length === 3)
    const phone = await open(fakeBrowser(network).edges)
    const { offer, join, states } = await joinAsPhone(laptop, phone)
    offer.allow()
    await until(join.state, (state) => state.kind === 'linked' || state.kind === 'failed')
    const receiving = states.filter((state) => state.kind === 'receiving')
    expect(receiving.some((state) => state.total === 3)).toBe(true)
    expect(receiving.at(-1)).toEqual({ kind: 'receiving', done: 3, total: 3 })
    expect(states.at(-1)).toEqual({ kind: 'linked' })
    const names = (await until(phone.spaces.list, (spaces) => spaces?.length === 3))?.map((space) => space.name)
    expect(names?.toSorted()).toEqual(['Garden', 'Personal', 'Work'])
    // The mesh's own count (the spaces it adopted, the personal one came with the link) agrees once it is done.
    expect(await until(phone.receiving, (now) => now.done === 2)).toEqual({ done: 2, total: 2 })
  })

  it('a failed store of the identity leaves nothing: the personal space adopted for it goes again', WAIT, async () => {
    const network = new FakeTrystero()
    const laptop = await open(fakeBrowser(network).edges)
    expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const personal = await personalSpace(laptop)
    expectOk(await personal.createTask('Written on A'))
    const phoneBrowser = fakeBrowser(network)
    const phone = await open(phoneBrowser.edges)
    const { offer, join } = await joinAsPhone(laptop, phone)
    // The phone's HALO storage refuses to write (a full disk): createLinked fails after the personal space came.
    const restore = refuseWrites(phoneBrowser.databases.halo)
    try {
      offer.allow()
      const ended = await until(join.state, (state) => state.kind === 'linked' || state.kind === 'failed')
      expect(ended.kind === 'failed' && ended.problem.code).toBe('storage-quota-exceeded')
    } finally {
      restore()
    }
    expect(phone.identity.state.get().kind).toBe('none')
    const laptopEcho = await clientInternals(laptop)?.echo()
    const phoneEcho = await clientInternals(phone)?.echo()
    if (laptopEcho === undefined || phoneEcho === undefined) throw new Error('no echo')
    const space = expectOk(await laptopEcho.openSpace(personal.id as never))
    const root = rootOf(space)
    const documents = [root.documentId, ...Object.keys(root.doc().documents)]
    expect(documents.length).toBeGreaterThan(1)
    const ada = laptop.identity.state.get()
    if (ada.kind !== 'ready') throw new Error('no identity on the laptop')
    expect(await phoneEcho.listSpaces(ada.identity.identityKey as PublicKey)).toEqual([])
    // Whatever the phone still held is written now: no chunk of the personal root or of any document it lists.
    expectOk(await phoneEcho.flush())
    const left = await dbOf(phoneEcho)
      .chunks.filter((chunk) => documents.includes(chunk.key[0] ?? ''))
      .count()
    expect(left).toBe(0)
    expect(await dbOf(phoneEcho).spaces.count()).toBe(0)
    expect(await dbOf(phoneEcho).logEntries.count()).toBe(0)
    expect(await dbOf(phoneEcho).objects.count()).toBe(0)
  })
})
