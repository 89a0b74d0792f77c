// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { Cell, ok, toBase64Url } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { invitationKey, linkRoom, newLinkSecret, type IdentityKey } from '../../halo'
import type { AuthenticatedPeer } from '../../mesh'
import type { LinkEdges } from '../linking/ports'
import { hostInvitations } from './host-invitations'

const HOUR = 60 * 60_000

/** Edges whose rooms only count joins and leaves, and whose timers fire when the test says. */
const countingEdges = (clock: ManualClock) => {
  const rooms = { open: 0, left: 0 }
  const timers = new Set<{ at: number; fire: () => void }>()
  const edges: LinkEdges = {
    clock,
    after: (ms, fire) => {
      const timer = { at: clock.now() + ms, fire }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    openRoom: () => {
      rooms.open++
      return {
        selfId: 'host',
        authenticated: new Cell<ReadonlyMap<string, AuthenticatedPeer>>(new Map()),
        channel: () => ({ send: () => Promise.resolve(), subscribe: () => () => undefined }),
        leave: () => {
          rooms.left++
          return Promise.resolve()
        },
      }
    },
    linkRoom,
    verifyPeerDevice: () => Promise.resolve(ok({ identity: 'x' as IdentityKey })),
    repoId: (device) => `cp1.${device}.abcdefgh`,
  }
  /** Moves the clock to `at` and fires every timer due by then. */
  const advanceTo = (at: number): void => {
    clock.advance(at - clock.now())
    for (const timer of [...timers]) {
      if (timer.at > at) continue
      timers.delete(timer)
      timer.fire()
    }
  }
  return { edges, rooms, advanceTo }
}

describe('hosting invitations', () => {
  it('joins the room of an invitation while it lasts, and leaves it once its until has passed, with no change to the log', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const ada = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    const secret = newLinkSecret()
    const until = T0 + HOUR
    const issued = space.invite(ada, {
      key: invitationKey(secret).publicKey,
      role: 'editor',
      uses: 1,
      until,
      secret: toBase64Url(secret),
    })
    expect(issued.ok).toBe(true)
    const { edges, rooms, advanceTo } = countingEdges(clock)
    const stop = hostInvitations({
      host: {
        actor: ada,
        identityKey: ada.identity as IdentityKey,
        deviceKey: ada.identity,
        chain: null,
        sign: () => Promise.resolve(''),
        profile: () => null,
      },
      edges,
      spaces: () => [space],
      onChange: (listener) => space.membership.subscribe(listener),
      rootUrlOf: () => undefined,
      secret: () => undefined,
      verifyChain: () => Promise.resolve(ok({ identity: 'x' as IdentityKey })),
    })
    expect(rooms).toEqual({ open: 1, left: 0 })
    advanceTo(until - 1)
    expect(rooms).toEqual({ open: 1, left: 0 })
    // Past until: the host looks again by itself, and leaves the room 10 s later (a welcome may be going out).
    advanceTo(until + 1)
    advanceTo(until + 11_000)
    expect(rooms).toEqual({ open: 1, left: 1 })
    stop()
    await echo.close()
  })

  it('hosts nothing for a member who may not share, nor for a K that is not the invitation’s', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const ada = makeActor()
    const eve = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, eve.identity, 'editor')
    const secret = newLinkSecret()
    const other = newLinkSecret()
    // The root names another K than the delegation's invite key.
    space.invite(ada, {
      key: invitationKey(secret).publicKey,
      role: 'editor',
      uses: 1,
      until: T0 + HOUR,
      secret: toBase64Url(other),
    })
    const hosting = (who: typeof ada) => {
      const { edges, rooms } = countingEdges(clock)
      const stop = hostInvitations({
        host: {
          actor: who,
          identityKey: who.identity as IdentityKey,
          deviceKey: who.identity,
          chain: null,
          sign: () => Promise.resolve(''),
          profile: () => null,
        },
        edges,
        spaces: () => [space],
        onChange: (listener) => space.membership.subscribe(listener),
        rootUrlOf: () => undefined,
        secret: () => undefined,
        verifyChain: () => Promise.resolve(ok({ identity: 'x' as IdentityKey })),
      })
      stop()
      return rooms.open
    }
    expect(hosting(ada)).toBe(0)
    expect(hosting(eve)).toBe(0)
    await echo.close()
  })
})
