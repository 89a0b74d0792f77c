import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals } from '../client'
import { clientsClosedAfterEach, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import type { InviteJoin, InviteJoinState } from './invites-api'
import { storedOf } from './testing/stored-of'
import { recordedOffer, strangerHost } from './testing/stranger-host'

const WAIT = { timeout: 90_000 }

/** Every state the join passes through, from now on. */
const history = (join: InviteJoin): InviteJoinState[] => {
  const seen = [join.state.get()]
  join.state.subscribe((state) => seen.push(state))
  return seen
}

describe('a stranger who saw the invitation link plays its host', () => {
  const open = clientsClosedAfterEach()

  const people = async () => {
    const network = new FakeTrystero()
    const adaBrowser = fakeBrowser(network)
    const ada = await open(adaBrowser.edges)
    expectOk(await ada.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const bob = await open(fakeBrowser(network).edges)
    expectOk(await bob.identity.create({ displayName: 'Bob', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const garden = expectOk(await ada.spaces.create('Garden plans'))
    const link = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
    const mallory = fakeBrowser(network).edges.trystero
    /** Ada's laptop comes back online (a new tab of her profile). */
    const adaBack = async () => {
      const back = await open(adaBrowser.openTab().edges)
      await until(back.identity.state, (state) => state.kind === 'ready')
      return back
    }
    return { ada, bob, garden, link, mallory, adaBack }
  }

  /**
   * Bob opens the link while only the stranger answers: he is told nobody from the space is online, never that
   * Ada invited him, and stores nothing; once Ada is back he joins the real space with the stranger still there.
   */
  const fooledNever = async (
    { bob, garden, link, adaBack }: Awaited<ReturnType<typeof people>>,
    stranger: { seen: { hellos: number; accepts: number } },
  ) => {
    const join = expectOk(await bob.invites.join(expectOk(bob.invites.read(link.url))))
    const states = history(join)
    // Its refusal is shown ('refused', it cannot be checked) but ends nothing: the join keeps looking.
    await until(join.state, (state) => ['unreachable', 'refused'].includes(state.kind) && stranger.seen.hellos > 1)
    expect(states.map((state) => state.kind)).not.toContain('found')
    expect(states.map((state) => state.kind)).not.toContain('failed')
    expect(await join.accept()).toMatchObject({ ok: false, error: { code: 'invitation-not-ready' } })
    expect(stranger.seen.accepts).toBe(0)
    expect(await storedOf(bob, garden.id)).toEqual({ registered: false, listed: false, boxes: 0 })

    await adaBack()
    const found = await until(join.state, (state) => state.kind === 'found' || state.kind === 'failed')
    expect(found).toMatchObject({ kind: 'found', spaceName: 'Garden plans', role: 'editor', inviter: { name: 'Ada' } })
    expectOk(await join.accept())
    expect(await until(join.state, (state) => state.kind === 'joined' || state.kind === 'failed')).toEqual({
      kind: 'joined',
      spaceId: garden.id,
    })
    expect(stranger.seen.accepts).toBe(0)
    expect(clientInternals(bob)?.spaceSecret(garden.id as never)?.generation).toBe(1)
  }

  it(
    'offering its own invitation under Ada’s name is not believed, and Bob still joins Ada’s space',
    WAIT,
    async () => {
      const setup = await people()
      await setup.ada.close()
      const stranger = strangerHost(setup.mallory, setup.link.url, { offer: {} })
      await fooledNever(setup, stranger)
      await stranger.leave()
    },
  )

  it('replaying the offer a real host made it (Ada’s invitation, profile and log) is not believed', WAIT, async () => {
    const setup = await people()
    const recorder = recordedOffer(setup.mallory, setup.link.url)
    const recorded = await recorder.offer
    await recorder.leave()
    expect(recorded.log.length).toBeGreaterThan(1)
    await setup.ada.close()
    const stranger = strangerHost(setup.mallory, setup.link.url, { offer: recorded })
    await fooledNever(setup, stranger)
    await stranger.leave()
  })

  it('its refusal ("cancelled") is shown but does not end the join', WAIT, async () => {
    const setup = await people()
    await setup.ada.close()
    const stranger = strangerHost(setup.mallory, setup.link.url, { refuse: 'invitation-cancelled' })
    await fooledNever(setup, stranger)
    await stranger.leave()
  })
})
