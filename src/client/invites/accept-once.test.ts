// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../base'
import { issueInvitationUse } from '../../echo'
import { decodeJoinLinkOf, generateKeyPair, invitationKey, type IdentityKey } from '../../halo'
import { INVITE_CHANNEL, readInviteFrame, writeInviteFrame } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { hostAs, inviteLink } from './testing/test-host'
import { stranger } from './testing/stranger-host'

const FLOOD = 200

/** Resolves once `read` is true (polled: frames arrive without an event here). */
const when = (read: () => boolean) => until(new Polled(() => (read() ? true : undefined)), (done) => done === true)

/**
 * Review 12 F5 (N9): each `accept` frame cost a host a full fold of the log (54 ms at 303 entries). A host now judges
 * one admission per guest connection: after a refused one, nothing that connection sends is answered or judged.
 */
describe('a guest that sends accept after accept on one connection', () => {
  it(
    'is judged once: a valid admission sent after a refused one is ignored, and a new connection is judged again',
    { timeout: 60_000 },
    async () => {
      const network = new FakeTrystero()
      // The host checks expiry by its own clock, the one its countersignature carries: the link is valid now.
      const echo = openTestEcho({ clock: systemClock })
      const adaKeys = generateKeyPair<IdentityKey>()
      const ada = makeActor(adaKeys)
      const space = await echo.createSpace(ada, 'Garden plans')
      for (let at = 0; at < 300; at++) space.admit(ada, makeActor().identity, 'viewer')
      const { url, delegation } = inviteLink(space, ada)
      const link = decodeJoinLinkOf('space', url)
      if (!link.ok) throw link.error
      const stop = hostAs(network.page('ada'), space, adaKeys)
      const entries = () => space.logValues().length
      const before = entries()

      /** A guest on its own connection: what the host answered it, and a send that times the answer to it. */
      const guest = async (page: string) => {
        const party = stranger(network.page(page), url, true, generateKeyPair<IdentityKey>())
        const answers: string[] = []
        party.channel.subscribe((data) => {
          const frame = readInviteFrame(data, 'host')
          if (frame !== undefined) answers.push(frame.t === 'refused' ? `refused:${frame.code}` : frame.t)
        })
        await when(() => answers.includes('offer'))
        const [host] = party.peers
        const use = (heads: readonly string[]) =>
          issueInvitationUse({
            invitationKey: invitationKey(link.value.secret),
            space: space.id,
            invitation: delegation.id,
            heads: heads as never,
            guest: party.identity.publicKey,
            role: 'editor',
            clock: systemClock,
          })
        const sent = () => network.deliveries.filter((each) => each.from === page && each.action === INVITE_CHANNEL)
        const accept = (member: unknown) =>
          party.channel.send(writeInviteFrame({ v: 1, t: 'accept', member } as never), host ?? '')
        return { party, answers, use, sent, accept }
      }

      // Mallory's first accept names a parent the log does not hold: refused, before any fold.
      const mallory = await guest('mallory')
      let started = performance.now()
      await mallory.accept(mallory.use(['f'.repeat(64)]))
      await when(() => mallory.answers.length === 2)
      const refusedIn = performance.now() - started
      expect(mallory.answers).toEqual(['offer', 'refused:invitation-refused'])
      // Then a valid admission, and a flood of them, on the same connection: none is judged or answered.
      const valid = mallory.use(space.membership.get().heads)
      const counted = mallory.sent().length
      started = performance.now()
      for (let at = 0; at < FLOOD; at++) await mallory.accept(valid)
      await when(() => mallory.sent().length >= counted + FLOOD)
      const perFrame = (performance.now() - started) / FLOOD
      expect(mallory.answers).toEqual(['offer', 'refused:invitation-refused'])
      expect(space.roleOf(mallory.party.identity.publicKey)).toBeUndefined()
      expect(entries()).toBe(before)

      // The same kind of admission on a new connection is judged, and admits (the fold's preview, then the write).
      const bea = await guest('bea')
      started = performance.now()
      await bea.accept(bea.use(space.membership.get().heads))
      await when(() => space.roleOf(bea.party.identity.publicKey) !== undefined)
      const admittedIn = performance.now() - started
      expect(space.roleOf(bea.party.identity.publicKey)).toBe('editor')
      expect(entries()).toBe(before + 2)
      console.info(
        `${String(before)} log entries: a refused accept answered in ${refusedIn.toFixed(1)} ms; ` +
          `${String(FLOOD)} accepts after it on that connection, ${(perFrame * 1000).toFixed(0)} µs each ` +
          `(sent, delivered and dropped); an admission on a new connection ${admittedIn.toFixed(1)} ms`,
      )
      await Promise.all([mallory.party.leave(), bea.party.leave()])
      stop()
      await echo.close()
    },
  )
})
