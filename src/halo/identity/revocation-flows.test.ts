import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential } from '../credentials/credential'
import { issueCredential } from '../credentials/issue'
import type { PublicKey } from '../keys/keys'
import type { HaloIdentity } from './halo-identity'
import { IdentityStore } from './identity-store'

const clock = new ManualClock(1_800_000_000_000)
const opened: IdentityStore[] = []
const open = (databaseName = `halo-revocation-${crypto.randomUUID()}`) => {
  const store = new IdentityStore({ databaseName, clock })
  opened.push(store)
  return { store, databaseName }
}
afterEach(() => {
  for (const each of opened.splice(0)) each.close()
})

const ready = <T>(result: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!result.ok) throw result.error
  return result.value
}

/** What a thief holding `stolen` (its device key and chain, not the phrase) can sign: a revocation of `device`. */
const thiefRevokes = (stolen: HaloIdentity, device: PublicKey): Credential =>
  issueCredential({
    issuer: stolen.identityKey,
    subject: device,
    assertion: { kind: 'DeviceRevoked' },
    signer: stolen.signer,
    clock,
  })

/** What a reload opens: a revoked device opens `removed` (readable, signing nothing). */
const statusAfterReload = async (databaseName: string) => {
  const state = await open(databaseName).store.load()
  return state.status === 'ready' && state.identity.removed ? 'removed' : state.status
}

const stateOf = (identity: HaloIdentity): string[] =>
  identity
    .devices()
    .map((d) => `${d.name ?? '?'}: ${d.revokedAt === undefined ? 'active' : 'revoked'}`)
    .sort()

/** Sam's laptop, where the identity was made, and a phone restored from the phrase a second later; the laptop knows the phone. */
const laptopAndPhone = async () => {
  const first = open()
  const laptop = ready(
    await first.store.create({ profile: { displayName: 'Sam', avatar: { colour: '#123456' } }, deviceName: 'Laptop' }),
  ).identity
  const words = ready(await laptop.recoveryPhrase())
  clock.advance(1000)
  const phone = ready(
    await open().store.restoreFromPhrase(words, { confirmedIdentity: laptop.identityKey, deviceName: 'Phone' }),
  )
  await laptop.receive(phone.credentials.get())
  return { first, laptop, words, phone }
}

describe('a thief with one device, and the owner with the phrase', () => {
  it('the thief locks the owner out only until the phrase revokes the stolen device', async () => {
    const { first, laptop, words, phone } = await laptopAndPhone()
    await phone.receive(laptop.credentials.get())

    // The phone is stolen. The thief revokes the laptop, and the personal space carries it there.
    clock.advance(1000)
    await laptop.receive([thiefRevokes(phone, laptop.deviceKey)])
    expect(await statusAfterReload(first.databaseName)).toBe('removed')

    // The owner restores from the phrase on a new device; the thief revokes that one too.
    clock.advance(1000)
    const fresh = ready(
      await open().store.restoreFromPhrase(words, { confirmedIdentity: laptop.identityKey, deviceName: 'New laptop' }),
    )
    await fresh.receive(laptop.credentials.get())
    await fresh.receive([thiefRevokes(phone, fresh.deviceKey)])
    expect(stateOf(fresh)).toEqual(['Laptop: revoked', 'New laptop: revoked', 'Phone: active'])

    // The phrase holder revokes the stolen phone: everything the thief revoked stands again.
    clock.advance(1000)
    ready(await fresh.revokeDevice(phone.deviceKey, { recoveryPhrase: words }))
    expect(stateOf(fresh)).toEqual(['Laptop: active', 'New laptop: active', 'Phone: revoked'])
    await laptop.receive(fresh.credentials.get())
    expect(await statusAfterReload(first.databaseName)).toBe('ready')
    expect(stateOf(laptop)).toEqual(['Laptop: active', 'New laptop: active', 'Phone: revoked'])

    // Whatever the thief signs later, in any order, changes nothing.
    await laptop.receive([thiefRevokes(phone, laptop.deviceKey), thiefRevokes(phone, fresh.deviceKey)])
    expect(await statusAfterReload(first.databaseName)).toBe('ready')
  })

  it('a thief who makes the stolen device revoke itself cannot keep the phrase from settling it', async () => {
    const { first, laptop, words, phone } = await laptopAndPhone()
    // The phone revokes itself, then the laptop: both end revoked, so the phone looks already dealt with.
    clock.advance(1000)
    await laptop.receive([thiefRevokes(phone, phone.deviceKey), thiefRevokes(phone, laptop.deviceKey)])
    expect(stateOf(laptop)).toEqual(['Laptop: revoked', 'Phone: revoked'])
    // Revoked by devices only: the device list says the identity key can still settle it.
    expect(laptop.devices().map((d) => d.revokedByIdentityKey)).toEqual([false, false])

    clock.advance(1000)
    const fresh = ready(
      await open().store.restoreFromPhrase(words, { confirmedIdentity: laptop.identityKey, deviceName: 'New laptop' }),
    )
    await fresh.receive(laptop.credentials.get())
    ready(await fresh.revokeDevice(phone.deviceKey, { recoveryPhrase: words }))
    await laptop.receive(fresh.credentials.get())
    expect(stateOf(laptop)).toEqual(['Laptop: active', 'New laptop: active', 'Phone: revoked'])
    const settled = laptop.devices().find((d) => d.key === phone.deviceKey)
    expect(settled?.revokedByIdentityKey).toBe(true)
    expect(await statusAfterReload(first.databaseName)).toBe('ready')
    // Revoked by the identity key, it is revoked for good: there is nothing left to revoke.
    const again = await fresh.revokeDevice(phone.deviceKey, { recoveryPhrase: words })
    expect(again.ok ? 'ok' : again.error.code).toBe('device-not-found')
  })
})
