// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../../echo/testing/fixtures'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { generateKeyPair, type IdentityKey } from '../../halo'
import { INVITE_CHANNEL, readInviteFrame, writeInviteFrame } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { PER_GUEST, PER_ROOM } from './offer-budget'
import { hostAs, inviteLink } from './testing/test-host'
import { stranger, type IdentityPair } from './testing/stranger-host'

const RECONNECTS = 20
const WAIT = { timeout: 120_000 }
const echoes: ReturnType<typeof openTestEcho>[] = []
afterEach(async () => {
  await Promise.all(echoes.splice(0).map((echo) => echo.close()))
})

const when = (read: () => boolean) => until(new Polled(() => (read() ? true : undefined)), (done) => done === true)

/** Ada's space of 100 viewers and a live link to it, hosted by Ada on a clock that moves only when the test says. */
const setup = async () => {
  const network = new FakeTrystero()
  const echo = openTestEcho({ clock: systemClock })
  echoes.push(echo)
  const adaKeys = generateKeyPair<IdentityKey>()
  const ada = makeActor(adaKeys)
  const space = await echo.createSpace(ada, 'Garden plans')
  for (let at = 0; at < 100; at++) space.admit(ada, makeActor().identity, 'viewer')
  const link = inviteLink(space, ada)
  const clock = new ManualClock(Date.now())
  const stop = hostAs(network.page('ada'), space, adaKeys, clock)
  let pages = 0
  /**
   * A guest of the link connects as `identity`, waits for the host's first answer, says hello twice, and leaves
   * once they reached the host (or stays, `stay`); returns what it heard: `offer` or `refused:<code>`.
   */
  const connect = async (identity: IdentityPair, { stay = false } = {}) => {
    const page = `guest-${String(pages++)}`
    const guest = stranger(network.page(page), link.url, true, identity)
    const heard: string[] = []
    guest.channel.subscribe((data) => {
      const frame = readInviteFrame(data, 'host')
      if (frame !== undefined) heard.push(frame.t === 'refused' ? `refused:${frame.code}` : frame.t)
    })
    await when(() => heard.length > 0)
    const [host] = guest.peers
    const hello = async (times: number) => {
      const before = network.deliveries.filter((each) => each.from === page && each.action === INVITE_CHANNEL).length
      for (let at = 0; at < times; at++) await guest.channel.send(writeInviteFrame({ v: 1, t: 'hello' }), host ?? '')
      await when(
        () =>
          network.deliveries.filter((each) => each.from === page && each.action === INVITE_CHANNEL).length >=
          before + times,
      )
    }
    await hello(2)
    if (!stay) await guest.leave()
    return { heard, hello, leave: guest.leave }
  }
  const offers = (heard: readonly string[]) => heard.filter((each) => each === 'offer').length
  return { network, clock, connect, offers, stop }
}

/**
 * Review 14 H2: one answer per connection (3 sends) left connections unlimited: 20 reconnects of a K holder drew 60
 * offers (4.4 MB at 105 entries, about 3 MB per connection at 1,500).
 */
describe('a guest that connects again and again', () => {
  it(
    `as one identity gets the offers of ${String(PER_GUEST.burst)} connections (a retry), then one a minute`,
    WAIT,
    async () => {
      const { network, clock, connect, offers, stop } = await setup()
      const mallory = generateKeyPair<IdentityKey>()
      const heard: string[][] = []
      for (let at = 0; at < RECONNECTS; at++) heard.push((await connect(mallory)).heard)
      const total = heard.reduce((sum, each) => sum + offers(each), 0)
      console.info(
        `one identity: ${String(RECONNECTS)} connections drew ${String(total)} offers,` +
          ` ${String(network.bytes({ from: 'ada', action: INVITE_CHANNEL }))} bytes from the host`,
      )
      // The first and its retry are answered as before (the unasked offer and two hellos); the rest hear it is busy.
      expect(heard.slice(0, PER_GUEST.burst).map(offers)).toEqual([3, 3])
      expect(heard.slice(PER_GUEST.burst).every((each) => each.join() === 'refused:host-busy')).toBe(true)
      expect(total).toBe(3 * PER_GUEST.burst)

      // A guest kept waiting gets its offer on a hello once its minute has passed.
      const waiting = await connect(mallory, { stay: true })
      expect(waiting.heard).toEqual(['refused:host-busy'])
      clock.advance(PER_GUEST.everyMs)
      await waiting.hello(1)
      await when(() => waiting.heard.includes('offer'))
      await waiting.leave()
      stop()
    },
  )

  it(`under a new identity each time gets the offers of the room’s ${String(PER_ROOM.burst)}`, WAIT, async () => {
    const { connect, offers, stop } = await setup()
    let total = 0
    for (let at = 0; at < RECONNECTS; at++) total += offers((await connect(generateKeyPair<IdentityKey>())).heard)
    console.info(`new identities: ${String(RECONNECTS)} connections drew ${String(total)} offers`)
    expect(total).toBe(3 * PER_ROOM.burst)
    stop()
  })
})
