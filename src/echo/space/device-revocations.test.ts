import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { Cell } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, KeyPair, PublicKey } from '../../halo'
import { decodeCredential, generateKeyPair, issueCredential, resolveRevocations } from '../../halo'
import type { Actor } from '../membership/entries'
import { issueMember } from '../membership/entries'
import { makeDeviceActor } from '../testing/device-actor'
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { toPlain } from './documents'
import type { Space } from './space'
import { carryDeviceRevocations, recordDeviceRevocations } from './device-revocations'
import { rootOf } from '../testing/internals'

const deviceOf = makeDeviceActor

/** HALO's revocation of `device`, made with the phrase (the identity key) or by one of the identity's devices. */
const haloRevocation = (identity: KeyPair, by: Actor | 'phrase', device: Actor, clock: ManualClock): Credential =>
  issueCredential({
    issuer: identity.publicKey,
    subject: device.signer.key.publicKey,
    assertion: { kind: 'DeviceRevoked' },
    signer: by === 'phrase' ? { key: identity } : by.signer,
    clock,
  })

/**
 * A thief's copy of `revocation` (same id, its own proof): `thief`'s device authorizes the revocation's signer again
 * and puts that authorization under it as its chain, so the copy counts only while the thief's device stands.
 */
const thiefsCopy = (identity: KeyPair, thief: Actor, revocation: Credential, clock: ManualClock): Credential => {
  const chain = issueCredential({
    issuer: identity.publicKey,
    subject: revocation.proof.signer,
    assertion: { kind: 'AuthorizedDevice' },
    signer: thief.signer,
    clock,
  })
  return { ...revocation, proof: { ...revocation.proof, chain } }
}

/** What `recordDeviceRevocations` is given: the devices HALO holds revoked, with the revocations that hold them. */
const holdingOf = (identity: KeyPair, credentials: readonly Credential[]) =>
  resolveRevocations(identity.publicKey, credentials).holding

/** The DeviceRevoked entries of a space's log, as "signer->device" (signer: the device key, or "phrase"). */
const revocationsIn = (space: Space, identity: KeyPair, names: ReadonlyMap<PublicKey, string>): string[] =>
  Object.values(rootOf(space).doc().log)
    .flatMap((stored) => {
      const entry = decodeCredential(toPlain(stored))
      return entry.ok ? [entry.value] : []
    })
    .filter((entry) => entry.assertion.kind === 'DeviceRevoked')
    .map((entry) => {
      const signer = entry.proof.signer === identity.publicKey ? 'phrase' : (names.get(entry.proof.signer) ?? '?')
      return `${signer}${entry.parents.length > 0 ? ' placed' : ''}->${names.get(entry.subject) ?? '?'}`
    })
    .sort()

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

    const revoked = holdingOf(alice, [haloRevocation(alice, laptop, phone, clock)])
    // Per space: the laptop's own revocation, placed at the heads, and HALO's, copied.
    expect(await recordDeviceRevocations(echo, laptop, revoked)).toBe(4)
    // A second pass finds a revocation that counts in each space and writes nothing.
    expect(await recordDeviceRevocations(echo, laptop, revoked)).toBe(0)
    // What the phone did before stands; what it signs now has no effect.
    expect(work.roleOf(bob)).toBe('editor')
    const refused = [work.admit(phone, carol, 'editor'), home.admit(phone, carol, 'editor')]
    expect(refused.map((result) => (result.ok ? 'written' : result.error.message))).toEqual([
      expect.stringContaining('revoked-device'),
      expect.stringContaining('revoked-device'),
    ])
    // A thief's copy of the app writes it anyway: the log keeps it, without effect.
    const { heads } = work.membership.get()
    const carolInWork = issueMember({
      actor: phone,
      space: work.id,
      subject: carol,
      role: 'editor',
      parents: heads,
      clock,
    })
    work.append(carolInWork)
    expect([work.roleOf(carol), home.roleOf(carol)]).toEqual([undefined, undefined])
    // (HALO's copy, without parents, may sort before the genesis and be ignored there; it counts all the same.)
    const voided = work.membership.get().ignored.filter((entry) => entry.reason === 'revoked-device')
    expect(voided.map((entry) => entry.id)).toEqual([carolInWork.id])
    await echo.close()
  })

  it('copies, never signs, a revocation another device made, so it stops counting when the phrase revokes that device', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const [laptop, phone, tablet] = [deviceOf(alice, clock), deviceOf(alice, clock), deviceOf(alice, clock)]
    const names = new Map(
      [laptop, phone, tablet].map((each, index) => [
        each.signer.key.publicKey,
        ['laptop', 'phone', 'tablet'][index] ?? '?',
      ]),
    )
    const space = await echo.createSpace(laptop, 'Work')
    const [bob, carol] = [generateKeyPair().publicKey, generateKeyPair().publicKey]
    space.admit(laptop, bob, 'editor')
    // The thief's phone revokes the laptop in HALO; the owner's tablet carries what HALO shows.
    const thief = haloRevocation(alice, phone, laptop, clock)
    await recordDeviceRevocations(echo, tablet, holdingOf(alice, [thief]))
    expect(revocationsIn(space, alice, names)).toEqual(['phone->laptop'])
    // The owner revokes the phone with the phrase: HALO now holds only the phone revoked, and so does the space.
    const byPhrase = haloRevocation(alice, 'phrase', phone, clock)
    await recordDeviceRevocations(echo, tablet, holdingOf(alice, [thief, byPhrase]))
    expect(revocationsIn(space, alice, names)).toEqual(['phone->laptop', 'phrase->phone', 'tablet placed->phone'])
    space.admit(laptop, carol, 'editor')
    expect([space.roleOf(bob), space.roleOf(carol)]).toEqual(['editor', 'editor'])
    await echo.close()
  })

  it.each(['the copy', 'the real one'])(
    "writes a revocation and a thief's copy of it (its chain put through the thief's device) side by side, %s first",
    async (first) => {
      const clock = new ManualClock(T0)
      const echo = openTestEcho({ clock })
      const alice = generateKeyPair()
      const [laptop, phone, tablet, desk] = [
        deviceOf(alice, clock),
        deviceOf(alice, clock),
        deviceOf(alice, clock),
        deviceOf(alice, clock),
      ]
      const names = new Map([
        [laptop.signer.key.publicKey, 'laptop'],
        [phone.signer.key.publicKey, 'phone'],
        [tablet.signer.key.publicKey, 'tablet'],
        [desk.signer.key.publicKey, 'desk'],
      ])
      const space = await echo.createSpace(desk, 'Work')
      // The laptop revokes the thief's tablet; the thief's phone re-attaches that revocation through itself.
      const byLaptop = haloRevocation(alice, laptop, tablet, clock)
      const copy = thiefsCopy(alice, phone, byLaptop, clock)
      // The desk carried one of them (heard first); in a later session HALO holds both, then the phrase revokes the
      // phone.
      await recordDeviceRevocations(echo, desk, holdingOf(alice, [first === 'the copy' ? copy : byLaptop]))
      expect(revocationsIn(space, alice, names)).toEqual(['laptop->tablet'])
      await recordDeviceRevocations(echo, desk, holdingOf(alice, [copy, byLaptop]))
      expect(revocationsIn(space, alice, names)).toEqual(['laptop->tablet', 'laptop->tablet'])
      await recordDeviceRevocations(
        echo,
        desk,
        holdingOf(alice, [copy, byLaptop, haloRevocation(alice, 'phrase', phone, clock)]),
      )
      // The copy stops counting with the phone; the laptop's own still holds the tablet revoked.
      const refused = space.admit(tablet, generateKeyPair().publicKey, 'editor')
      expect(refused.ok ? 'written' : refused.error.message).toContain('revoked-device')
      await echo.close()
    },
  )

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

describe("carrying HALO's revocations into the spaces as they change", () => {
  const setUp = async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = generateKeyPair()
    const [laptop, phone, tablet] = [deviceOf(alice, clock), deviceOf(alice, clock), deviceOf(alice, clock)]
    const names = new Map([
      [laptop.signer.key.publicKey, 'laptop'],
      [phone.signer.key.publicKey, 'phone'],
      [tablet.signer.key.publicKey, 'tablet'],
    ])
    const work = await echo.createSpace(laptop, 'Work')
    const hidden = await echo.createSpace(laptop, 'Hidden')
    await echo.archive(hidden.id, true)
    const inSpaces = () => [revocationsIn(work, alice, names), revocationsIn(hidden, alice, names)]
    return { clock, echo, alice, laptop, phone, tablet, work, inSpaces }
  }

  it('carries a later, stronger revocation of a device already recorded, into archived spaces too', async () => {
    const { clock, echo, alice, laptop, phone, inSpaces } = await setUp()
    const halo = new Cell<readonly Credential[]>([])
    const carrier = carryDeviceRevocations(echo, laptop, halo)
    const byLaptop = haloRevocation(alice, laptop, phone, clock)
    halo.set([byLaptop])
    await carrier.settled()
    expect(inSpaces()).toEqual([
      ['laptop placed->phone', 'laptop->phone'],
      ['laptop placed->phone', 'laptop->phone'],
    ])
    halo.set([byLaptop, haloRevocation(alice, 'phrase', phone, clock)])
    await carrier.settled()
    const all = ['laptop placed->phone', 'laptop->phone', 'phrase->phone']
    expect(inSpaces()).toEqual([all, all])
    carrier.stop()
    await echo.close()
  })

  it("carries a revocation heard after a thief's copy of it (its chain put through the thief's device)", async () => {
    const { clock, echo, alice, laptop, phone, tablet, inSpaces } = await setUp()
    const byPhone = haloRevocation(alice, phone, tablet, clock)
    const copy = thiefsCopy(alice, deviceOf(alice, clock), byPhone, clock)
    const halo = new Cell<readonly Credential[]>([copy])
    const carrier = carryDeviceRevocations(echo, laptop, halo)
    await carrier.settled()
    halo.set([copy, byPhone])
    await carrier.settled()
    // Both copies, so the phone's stays once the thief's device is revoked.
    const both = ['phone->tablet', 'phone->tablet']
    expect(inSpaces()).toEqual([both, both])
    carrier.stop()
    await echo.close()
  })

  it('carries on start what HALO held already, since a write may have been lost when a tab closed', async () => {
    const { clock, echo, alice, laptop, phone, inSpaces } = await setUp()
    const halo = new Cell<readonly Credential[]>([haloRevocation(alice, 'phrase', phone, clock)])
    const carrier = carryDeviceRevocations(echo, laptop, halo)
    await carrier.settled()
    const both = ['laptop placed->phone', 'phrase->phone']
    expect(inSpaces()).toEqual([both, both])
    // Nothing new: another change writes nothing more.
    halo.set([...halo.get()])
    await carrier.settled()
    expect(inSpaces()).toEqual([both, both])
    carrier.stop()
    await echo.close()
  })
})
