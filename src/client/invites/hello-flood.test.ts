// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, type IdentityKey } from '../../halo'
import { INVITE_CHANNEL, readInviteFrame, writeInviteFrame } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { hostAs, inviteLink } from './testing/test-host'
import { stranger } from './testing/stranger-host'

const HELLOS = 200

/**
 * Review 13 G3 and G8: a guest who proved K streams 19-byte hellos. Before, each one made every host build and send
 * the whole log (200 hellos drew 41.7 MB at 303 entries), for a cancelled or used link as well, whose holder then
 * read the member list, names and every other invitation.
 */
describe('a guest that floods a host with hellos', () => {
  it(
    'gets one offer per connection (a few repeats at most), and for a cancelled link a refusal without the log',
    { timeout: 60_000 },
    async () => {
      const network = new FakeTrystero()
      const echo = openTestEcho()
      const adaKeys = generateKeyPair<IdentityKey>()
      const ada = makeActor(adaKeys)
      const space = await echo.createSpace(ada, 'Garden plans')
      for (let at = 0; at < 100; at++) space.admit(ada, makeActor().identity, 'viewer')
      const live = inviteLink(space, ada).url
      const dead = inviteLink(space, ada, { cancelled: true }).url
      const stop = hostAs(network.page('ada'), space, adaKeys)

      /** Mallory proves the link's K, waits for the first answer, then says hello `HELLOS` times. */
      const flood = async (url: string, page: string) => {
        const mallory = stranger(network.page(page), url, true, generateKeyPair<IdentityKey>())
        const answers: string[] = []
        mallory.channel.subscribe((data) => {
          const frame = readInviteFrame(data, 'host')
          if (frame !== undefined) answers.push(frame.t === 'refused' ? `refused:${frame.code}` : frame.t)
        })
        await until(new Polled(() => (answers.length > 0 ? true : undefined)), (heard) => heard === true)
        const [host] = mallory.peers
        for (let at = 0; at < HELLOS; at++)
          await mallory.channel.send(writeInviteFrame({ v: 1, t: 'hello' }), host ?? '')
        // Every hello reached the host (a frame is counted as it is handed over), and so did any answer to it.
        await until(
          new Polled(() =>
            network.deliveries.filter((each) => each.from === page && each.action === INVITE_CHANNEL).length >= HELLOS
              ? true
              : undefined,
          ),
          (done) => done === true,
        )
        await mallory.leave()
        return { answers, bytes: network.bytes({ from: 'ada', to: page, action: INVITE_CHANNEL }) }
      }

      const offered = await flood(live, 'mallory')
      const oneOffer = writeInviteFrame({
        v: 1,
        t: 'offer',
        spaceName: space.name,
        role: 'editor',
        delegation: null,
        profile: null,
        heads: [],
        log: space.logValues(),
      }).length
      expect(oneOffer).toBeGreaterThan(50_000)
      expect(offered.answers.every((answer) => answer === 'offer')).toBe(true)
      expect(offered.answers.length).toBeLessThanOrEqual(3)
      expect(offered.bytes).toBeLessThan(4 * oneOffer)

      const refused = await flood(dead, 'eve')
      expect(refused.answers.every((answer) => answer === 'refused:invitation-cancelled')).toBe(true)
      expect(refused.answers.length).toBeLessThanOrEqual(3)
      expect(refused.bytes).toBeLessThan(1_000)
      console.info(
        `${String(HELLOS)} hellos, ${String(space.logValues().length)} log entries: offer ${String(oneOffer)} B;` +
          ` live link ${String(offered.answers.length)} answers = ${String(offered.bytes)} B;` +
          ` cancelled link ${String(refused.answers.length)} answers = ${String(refused.bytes)} B`,
      )
      stop()
      await echo.close()
    },
  )
})
