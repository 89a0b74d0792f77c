import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import type { JoinState, OfferState } from '../devices-api'
import { clientsClosedAfterEach, expectOk, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'

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
})
