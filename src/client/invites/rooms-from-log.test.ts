// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { toBase64Url, utf8 } from '../../base'
import {
  encodeSpaceLink,
  generateKeyPair,
  invitationKey,
  newLinkSecret,
  type IdentityKey,
  type PublicKey,
} from '../../halo'
import { readInviteFrame } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { invitationRoomEntry } from '../../echo'
import { stranger } from './testing/stranger-host'
import { hostAs, inviteLink } from './testing/test-host'

const HOUR = 60 * 60_000

const hkdf = async (secret: Uint8Array, salt: string, info: string): Promise<Uint8Array> => {
  const key = await crypto.subtle.importKey('raw', Uint8Array.from(secret), 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: Uint8Array.from(utf8(salt)), info: Uint8Array.from(utf8(info)) },
    key,
    256,
  )
  return new Uint8Array(bits)
}

/** The room as it came from the log before (review 13 G4): `invitationRoom(spaceId, I_K)` of a590281. */
const roomFromLog = async (spaceId: string, inviteKey: string): Promise<{ roomId: string; password: string }> => {
  const seed = await hkdf(utf8(`${spaceId}|${inviteKey}`), 'commonplace/swarm/v1', 'commonplace/invitation/v1/room')
  return {
    roomId: toBase64Url(await hkdf(seed, 'commonplace/swarm/v1', 'room')),
    password: toBase64Url(await hkdf(seed, 'commonplace/swarm/v1', 'password')),
  }
}

const heard = <T>(read: () => T | undefined) => until(new Polled(read), (value) => value !== undefined)

/**
 * Review 13 G4 (and G8): Mallory holds a cancelled link. Its refusal used to carry the log, and the room of every
 * other open invitation came from the log's invite keys, so she stood in an admin invitation's room and its host
 * greeted her. Now the refusal is a code, and the room comes from R_K, which the log does not give.
 */
describe('a log holder looks for the rooms of open invitations', () => {
  it(
    'finds none from the log, and a cancelled link’s refusal names no other invitation or member',
    { timeout: 60_000 },
    async () => {
      const network = new FakeTrystero()
      const echo = openTestEcho()
      const adaKeys = generateKeyPair<IdentityKey>()
      const ada = makeActor(adaKeys)
      const space = await echo.createSpace(ada, 'Garden plans')
      const carol = makeActor()
      space.admit(ada, carol.identity, 'editor')
      const dead = inviteLink(space, ada, { cancelled: true }).url
      const adminSecret = newLinkSecret()
      const until = Date.now() + HOUR
      const admin = invitationKey(adminSecret).publicKey
      space.invite(ada, { key: admin, role: 'admin', uses: 1, until }, invitationRoomEntry(space.id, adminSecret))
      const adaPage = network.page('ada')
      const stop = hostAs(adaPage, space, adaKeys)

      // The cancelled link's holder proves K and is refused: a code, nothing of the space.
      const holder = stranger(network.page('mallory'), dead, true, generateKeyPair<IdentityKey>())
      const frames: string[] = []
      holder.channel.subscribe((data) => frames.push(data))
      const refusal = await heard(() => frames.map((data) => readInviteFrame(data, 'host')).find(Boolean))
      expect(refusal).toEqual({ v: 1, t: 'refused', code: 'invitation-cancelled' })
      for (const named of [admin, carol.identity, adaKeys.publicKey])
        expect(frames.some((data) => data.includes(named))).toBe(false)
      await holder.leave()

      // Worse: Mallory holds the whole log (an earlier guest's offer, a removed member's copy). Every room the log
      // gave before, for every invitation in it, is empty: Ada is not there.
      const keys = space
        .logValues()
        .flatMap((entry) =>
          (entry as { assertion?: { kind?: string } }).assertion?.kind === 'DelegatedInvitation'
            ? [(entry as { subject: PublicKey }).subject]
            : [],
        )
      expect(keys).toContain(admin)
      const fromLog = await Promise.all(keys.map((key) => roomFromLog(space.id, key)))

      // The admin link's holder, in the room its K gives, is offered by Ada: she hosts it, and in no room of those.
      const url = encodeSpaceLink({ spaceId: space.id as string as PublicKey, secret: adminSecret, expiresAt: until })
      const guest = stranger(network.page('carl'), url, true, generateKeyPair<IdentityKey>())
      const offers: string[] = []
      guest.channel.subscribe((data) => {
        if (readInviteFrame(data, 'host')?.t === 'offer') offers.push(data)
      })
      await heard(() => (offers.length > 0 ? true : undefined))
      const hosted = network.roomsOf(adaPage).map((room) => room.roomId)
      expect(hosted).toHaveLength(2)
      expect(hosted.filter((roomId) => fromLog.some((room) => room.roomId === roomId))).toEqual([])
      await guest.leave()
      stop()
      await echo.close()
    },
  )

  it(
    'a party between guest and host in an invitation room gets the handshake through but no frame: the binding refuses it',
    { timeout: 60_000 },
    async () => {
      const network = new FakeTrystero()
      const echo = openTestEcho()
      const adaKeys = generateKeyPair<IdentityKey>()
      const space = await echo.createSpace(makeActor(adaKeys), 'Garden plans')
      const link = inviteLink(space, makeActor(adaKeys)).url
      const adaPage = network.page('ada')
      const stop = hostAs(adaPage, space, adaKeys)
      // Bob's connection to Ada ends at a stranger's certificate (review 13 G4's relay: she knows the room).
      const bobPage = network.page('bob')
      network.interpose(bobPage, adaPage.selfId)
      const bob = stranger(bobPage, link, true, generateKeyPair<IdentityKey>())
      await heard(() =>
        bob.peers.length > 0 && network.roomsOf(bobPage).every((room) => room.linked.size === 0) ? true : undefined,
      )
      expect(bob.authenticated.get().size).toBe(0)
      expect(
        network.deliveries.filter((each) => each.from === 'ada' && each.to === 'bob').map((each) => each.action),
      ).not.toContain('cp.invite')
      await bob.leave()
      stop()
      await echo.close()
    },
  )
})
