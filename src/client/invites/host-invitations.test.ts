// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { Cell, ok } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import {
  generateKeyPair,
  invitationKey,
  invitationRoom,
  inviteRendezvous,
  linkRoom,
  newLinkSecret,
  type IdentityKey,
} from '../../halo'
import type { AuthenticatedPeer } from '../../mesh'
import type { LinkEdges } from '../linking/ports'
import { hostInvitations } from './host-invitations'
import { invitationRoomEntry, type Actor, type Space } from '../../echo'
import { rootOf } from '../../echo/testing/internals'

const HOUR = 60 * 60_000

/** Edges whose rooms only count joins and leaves, and whose timers fire when the test says. */
const countingEdges = (clock: ManualClock) => {
  const rooms = { open: 0, left: 0 }
  const joined: { roomId: string; password: string }[] = []
  const timers = new Set<{ at: number; fire: () => void }>()
  const edges: LinkEdges = {
    clock,
    after: (ms, fire) => {
      const timer = { at: clock.now() + ms, fire }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    openRoom: (room) => {
      rooms.open++
      joined.push({ roomId: room.roomId, password: room.password })
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
    invitationRoom,
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
  return { edges, rooms, joined, advanceTo }
}

/** `who` hosts the invitations of `space` alone: no root URL, no swarm secret, every chain taken as valid. */
const hostOnly = (who: Actor, space: Space, edges: LinkEdges): (() => void) =>
  hostInvitations({
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

describe('hosting invitations', () => {
  it('joins the room of an invitation while it lasts, and leaves it once its until has passed, with no change to the log', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const ada = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    const secret = newLinkSecret()
    const until = T0 + HOUR
    const issued = space.invite(
      ada,
      { key: invitationKey(secret).publicKey, role: 'editor', uses: 1, until },
      invitationRoomEntry(space.id, secret),
    )
    expect(issued.ok).toBe(true)
    const { edges, rooms, advanceTo } = countingEdges(clock)
    const stop = hostOnly(ada, space, edges)
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

  it("hosts from the root's signed rendezvous, in the room a guest derives from its link, and nothing for a member who may not share", async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const ada = makeActor()
    const eve = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, eve.identity, 'editor')
    const secret = newLinkSecret()
    space.invite(
      ada,
      { key: invitationKey(secret).publicKey, role: 'editor', uses: 1, until: T0 + HOUR },
      invitationRoomEntry(space.id, secret),
    )
    // Two invitations whose root entry the invite key did not sign: none (made before rooms came from R_K), and
    // another K's rendezvous written under this key by a member; neither is hosted.
    space.invite(ada, { key: invitationKey(newLinkSecret()).publicKey, role: 'viewer', uses: 1, until: T0 + HOUR })
    const forged = generateKeyPair().publicKey
    space.invite(
      ada,
      { key: forged, role: 'viewer', uses: 1, until: T0 + HOUR },
      invitationRoomEntry(space.id, newLinkSecret()),
    )
    const hosting = (who: typeof ada) => {
      const { edges, rooms, joined } = countingEdges(clock)
      const stop = hostOnly(who, space, edges)
      stop()
      return { open: rooms.open, joined }
    }
    // The guest's room: from the rendezvous its link's K gives (join-invite.ts).
    const guestRoom = invitationRoom(space.id, inviteRendezvous(secret))
    expect(hosting(ada)).toEqual({ open: 1, joined: [guestRoom] })
    expect(hosting(eve)).toEqual({ open: 0, joined: [] })
    await echo.close()
  })

  it('hosts the same room after an editor deletes, then overwrites, the root’s entry (review 16, K3)', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const ada = makeActor()
    const carl = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, carl.identity, 'admin')
    const secret = newLinkSecret()
    const key = invitationKey(secret).publicKey
    space.invite(ada, { key, role: 'editor', uses: 1, until: T0 + HOUR }, invitationRoomEntry(space.id, secret))
    const { edges, joined } = countingEdges(clock)
    const stops = [ada, carl].map((who) => hostOnly(who, space, edges))
    // Eve's synced changes as the mesh applies them to this device's root (an editor writes the root, P30).
    const root = rootOf(space)
    root.change((doc) => {
      if (doc.inviteRooms !== undefined) Reflect.deleteProperty(doc.inviteRooms, key)
    })
    root.change((doc) => {
      if (doc.inviteRooms !== undefined) doc.inviteRooms[key] = invitationRoomEntry(space.id, newLinkSecret())
    })
    for (const stop of stops) stop()
    // Ada, who wiped K, and Carl each joined the room a guest derives from its link, once, and no other.
    const guestRoom = invitationRoom(space.id, inviteRendezvous(secret))
    expect(joined).toEqual([guestRoom, guestRoom])
    expect(space.invitationRooms.get()).toEqual(new Map([[key, inviteRendezvous(secret)]]))
    await echo.close()
  })
})
