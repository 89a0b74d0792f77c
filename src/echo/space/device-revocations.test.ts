import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base'
import type { DeviceKey, KeyPair } from '../../halo'
import { generateKeyPair, issueCredential } from '../../halo'
import type { Actor } from '../membership/entries'
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

    expect(await recordDeviceRevocations(echo, laptop, [phone.signer.key.publicKey])).toBe(2)
    // A second pass finds a revocation that counts in each space and writes nothing.
    expect(await recordDeviceRevocations(echo, laptop, [phone.signer.key.publicKey])).toBe(0)
    // What the phone did before stands; what it signs now has no effect.
    expect(work.roleOf(bob)).toBe('editor')
    work.admit(phone, carol, 'editor')
    home.admit(phone, carol, 'editor')
    expect([work.roleOf(carol), home.roleOf(carol)]).toEqual([undefined, undefined])
    expect(work.membership.get().ignored.map((entry) => entry.reason)).toEqual(['revoked-device'])
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
