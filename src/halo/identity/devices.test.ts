import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueCredential } from '../credentials/issue'
import { generateKeyPair } from '../keys/keys'
import { listDevices } from './devices'
import type { HaloIdentity } from './halo-identity'
import { IdentityStore } from './identity-store'

const clock = new ManualClock(1_800_000_000_000)
const opened: IdentityStore[] = []
const store = (databaseName = `halo-devices-${crypto.randomUUID()}`) => {
  const created = new IdentityStore({ databaseName, clock })
  opened.push(created)
  return { store: created, databaseName }
}
afterEach(() => {
  for (const each of opened.splice(0)) each.close()
})

const phraseOf = async (identity: HaloIdentity) => {
  const phrase = await identity.recoveryPhrase()
  if (!phrase.ok) throw phrase.error
  return phrase.value
}

/** Two devices of one identity that have exchanged credentials, as the personal space will do. */
const twoDevices = async (): Promise<{ laptop: HaloIdentity; phone: HaloIdentity; laptopDb: string }> => {
  const first = store()
  const created = await first.store.create({
    profile: { displayName: 'Sam', avatar: { colour: '#123456' } },
    deviceName: 'Laptop',
  })
  if (!created.ok) throw created.error
  const laptop = created.value.identity
  clock.advance(1000)
  const restored = await store().store.restoreFromPhrase(await phraseOf(laptop), {
    confirmedIdentity: laptop.identityKey,
    deviceName: 'Phone',
  })
  if (!restored.ok) throw restored.error
  const phone = restored.value
  await laptop.receive(phone.credentials.get())
  await phone.receive(laptop.credentials.get())
  return { laptop, phone, laptopDb: first.databaseName }
}

const namesOf = (identity: HaloIdentity) =>
  identity.devices().map((d) => [d.name, d.isThisDevice, d.revokedAt === undefined ? 'active' : 'revoked'])

describe('devices of an identity', () => {
  it('lists every device with its name, this device first', async () => {
    const { laptop, phone } = await twoDevices()
    expect(namesOf(laptop)).toEqual([
      ['Laptop', true, 'active'],
      ['Phone', false, 'active'],
    ])
    expect(namesOf(phone)).toEqual([
      ['Phone', true, 'active'],
      ['Laptop', false, 'active'],
    ])
  })

  it('renames this device and another one, and the names survive a reload', async () => {
    const { laptop, phone, laptopDb } = await twoDevices()
    let changes = 0
    laptop.credentials.subscribe(() => changes++)
    await laptop.refresh()
    expect(changes).toBe(0)
    clock.advance(1000)
    expect((await laptop.renameDevice(laptop.deviceKey, 'Work laptop')).ok).toBe(true)
    expect((await laptop.renameDevice(phone.deviceKey, 'Old phone')).ok).toBe(true)
    const rejected = await laptop.renameDevice(phone.deviceKey, '')
    expect(rejected.ok ? 'ok' : rejected.error.code).toBe('invalid-input')
    expect(changes).toBe(2)
    const state = await store(laptopDb).store.load()
    const reloaded = state.status === 'ready' ? state.identity : laptop
    expect(reloaded).not.toBe(laptop)
    expect(namesOf(reloaded)).toEqual([
      ['Work laptop', true, 'active'],
      ['Old phone', false, 'active'],
    ])
  })

  it('refuses a name that is not well-formed Unicode with a typed error, and stores nothing', async () => {
    const { laptop } = await twoDevices()
    const before = laptop.credentials.get()
    const result = await laptop.renameDevice(laptop.deviceKey, 'Ada\ud800')
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid-input')
    expect(laptop.credentials.get()).toBe(before)
  })

  it('revokes another device: its signatures stop counting, here and after sync', async () => {
    const { laptop, phone } = await twoDevices()
    const signedByPhone = issueCredential({
      issuer: phone.identityKey,
      subject: phone.identityKey,
      assertion: { kind: 'Profile', displayName: 'Sam (phone)', avatar: { colour: '#654321' } },
      signer: phone.signer,
      clock,
    })
    expect(laptop.verify(signedByPhone).ok).toBe(true)
    clock.advance(1000)
    const revoked = await laptop.revokeDevice(phone.deviceKey)
    expect(revoked.ok && revoked.value.assertion.kind).toBe('DeviceRevoked')
    expect(namesOf(laptop)).toEqual([
      ['Laptop', true, 'active'],
      ['Phone', false, 'revoked'],
    ])
    const check = laptop.verify(signedByPhone)
    expect(check.ok ? 'ok' : check.error.reason).toBe('revoked')
    expect(await laptop.receive([signedByPhone])).toEqual({ accepted: 0, ignored: 1 })
    await phone.receive(laptop.credentials.get())
    expect(phone.verify(signedByPhone).ok).toBe(false)
  })

  it('refuses to revoke itself, an unknown device, or one already revoked', async () => {
    const { laptop, phone } = await twoDevices()
    const codeOf = async (device: string) => {
      const result = await laptop.revokeDevice(device as typeof laptop.deviceKey)
      return result.ok ? 'ok' : result.error.code
    }
    expect(await codeOf(laptop.deviceKey)).toBe('cannot-revoke-this-device')
    expect(await codeOf(generateKeyPair().publicKey)).toBe('device-not-found')
    expect(await codeOf(phone.deviceKey)).toBe('ok')
    expect(await codeOf(phone.deviceKey)).toBe('device-not-found')
  })

  it('folds to the same list whatever order the credentials arrive in', async () => {
    const { laptop } = await twoDevices()
    await laptop.renameDevice(laptop.deviceKey, 'A')
    await laptop.renameDevice(laptop.deviceKey, 'B')
    const credentials = laptop.credentials.get()
    const expected = listDevices(laptop.identityKey, laptop.deviceKey, credentials)
    fc.assert(
      fc.property(fc.shuffledSubarray([...credentials], { minLength: credentials.length }), (shuffled) => {
        expect(listDevices(laptop.identityKey, laptop.deviceKey, shuffled)).toEqual(expected)
      }),
      { seed: 0xde71ce, numRuns: 50 },
    )
  })
})
