import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base'
import type { DeviceKey, KeyPair } from '../../halo'
import { generateKeyPair, issueCredential } from '../../halo'
import type { Actor } from '../membership/entries'
import { issueMember } from '../membership/entries'
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { recordDeviceRevocations } from './device-revocations'

/** A device of `identity`, authorized by the identity key, signing with its chain. */
const deviceOf = (identity: KeyPair, clock: ManualClock): Actor => {
  const key = generateKeyPair<DeviceKey>()
  const chain = issueCredential({
    issuer: identity.publicKey,
    subject: key.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: identity },
    clock,
  })
  return { identity: identity.publicKey, signer: { key, chain } }
}

describe("recording an identity's device revocations in its spaces", () => {
  it('writes one revocation per space, from the heads on, and the revoked device stops counting there', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const laptop = deviceOf(alice, clock)
    const phone = deviceOf(alice, clock)
    const work = await echo.createSpace(makeActor(alice), 'Work')
    const home = await echo.createSpace(laptop, 'Home')
    const [bob, carol] = [generateKeyPair().publicKey, generateKeyPair().publicKey]
    work.admit(phone, bob, 'editor')

    const revoked = new Map([[phone.signer.key.publicKey, []]])
    expect(await recordDeviceRevocations(echo, laptop, revoked)).toBe(2)
    // A second pass finds a revocation that counts in each space and writes nothing.
    expect(await recordDeviceRevocations(echo, laptop, revoked)).toBe(0)
    // What the phone did before stands; what it signs now has no effect.
    expect(work.roleOf(bob)).toBe('editor')
    const refused = [work.admit(phone, carol, 'editor'), home.admit(phone, carol, 'editor')]
    expect(refused.map((result) => (result.ok ? 'written' : result.error.message))).toEqual([
      expect.stringContaining('revoked-device'),
      expect.stringContaining('revoked-device'),
    ])
    expect(work.membership.get().ignored).toEqual([])
    // A thief's copy of the app writes it anyway: the log keeps it, without effect.
    const { heads } = work.membership.get()
    work.append(issueMember({ actor: phone, space: work.id, subject: carol, role: 'editor', parents: heads, clock }))
    expect([work.roleOf(carol), home.roleOf(carol)]).toEqual([undefined, undefined])
    expect(work.membership.get().ignored.map((entry) => entry.reason)).toEqual(['revoked-device'])
    await echo.close()
  })

  it("lets the phrase holder's revocation, carried as evidence, outrank a thief's device in a space", async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const [laptop, phone] = [deviceOf(alice, clock), deviceOf(alice, clock)]
    const keyOf = (actor: Actor) => actor.signer.key.publicKey
    const space = await echo.createSpace(laptop, 'Work')
    const [bob, carol, mallory] = [
      generateKeyPair().publicKey,
      generateKeyPair().publicKey,
      generateKeyPair().publicKey,
    ]
    // The phone is stolen: the thief admits Bob, then revokes the laptop in the space.
    space.admit(phone, bob, 'editor')
    space.recordDeviceRevocation(phone, keyOf(laptop))
    // The owner restores from the phrase on a new device; HALO revokes the phone with the identity key.
    const fresh = deviceOf(alice, clock)
    const byPhrase = issueCredential({
      issuer: alice.publicKey,
      subject: keyOf(phone),
      assertion: { kind: 'DeviceRevoked' },
      signer: { key: alice },
      clock,
    })
    expect(await recordDeviceRevocations(echo, fresh, new Map([[keyOf(phone), [byPhrase]]]))).toBe(2)
    // The thief answers by revoking the new device, and keeps admitting people.
    space.recordDeviceRevocation(phone, keyOf(fresh))
    space.admit(phone, mallory, 'owner')
    space.admit(laptop, carol, 'editor')
    expect([space.roleOf(bob), space.roleOf(carol), space.roleOf(mallory)]).toEqual(['editor', 'editor', undefined])
    await echo.close()
  })

  it('writes nothing where the identity is not a member', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const laptop = deviceOf(alice, clock)
    const space = await echo.createSpace(laptop, 'Work')
    const other = deviceOf(generateKeyPair(), clock)
    const stranger = space.recordDeviceRevocation(other, other.signer.key.publicKey)
    expect(stranger.ok ? 'ok' : stranger.error.code).toBe('not-allowed')
    await echo.close()
  })
})
