import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { generateKeyPair, issueCredential } from '../../halo'
import { makeDeviceActor } from '../testing/device-actor'
import { openTestEcho, T0 } from '../testing/fixtures'

describe('membership questions the handshake asks of an open space', () => {
  it('answers role and device revocation synchronously from the fold', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const laptop = makeDeviceActor(alice, clock)
    const phone = makeDeviceActor(alice, clock)
    const space = await echo.createSpace(laptop, 'Work')
    const phoneKey = phone.signer.key.publicKey
    expect(space.role(alice.publicKey).get()).toBe('owner')
    expect(space.roleOf(generateKeyPair().publicKey)).toBeUndefined()
    expect(space.isDeviceRevoked(phoneKey)).toBe(false)

    expect(space.recordDeviceRevocation(laptop, phoneKey).ok).toBe(true)
    expect(space.isDeviceRevoked(phoneKey)).toBe(true)
    expect(space.isDeviceRevoked(laptop.signer.key.publicKey)).toBe(false)
    await echo.close()
  })

  it("does not count a stranger's revocation of a member's device", async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const laptop = makeDeviceActor(alice, clock)
    const space = await echo.createSpace(laptop, 'Work')
    const mallory = generateKeyPair()
    const laptopKey = laptop.signer.key.publicKey
    space.append(
      issueCredential({
        issuer: mallory.publicKey,
        subject: laptopKey,
        assertion: { kind: 'DeviceRevoked' },
        signer: { key: mallory },
        clock,
      }),
    )
    expect(space.isDeviceRevoked(laptopKey)).toBe(false)
    await echo.close()
  })
})
