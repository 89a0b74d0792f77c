import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { verifyCredential } from '../credentials/verify'
import { openHaloDatabase } from '../storage/halo-database'
import type { CreateInput } from './identity-store'
import { dumpHaloDatabase, identityStores, phraseOf } from '../testing/identity-stores'

const clock = new ManualClock(1_800_000_000_000)
const input: CreateInput = { profile: { displayName: 'Lin', avatar: { colour: '#ff8800' } }, deviceName: 'Phone' }
const PASSWORD = 'a long enough password'
const stores = identityStores('halo-recovery', clock)
const freshStore = stores.storeOn
const original = () => stores.created(input)

/** Everything stored, as comparable data. */
const dump = dumpHaloDatabase

describe('restore from the recovery phrase', () => {
  it('gives the same identity key and a new device key authorized by it, in a fresh profile', async () => {
    const { identity } = await original()
    const { store } = freshStore()
    const restored = await store.restoreFromPhrase(await phraseOf(identity), {
      confirmedIdentity: identity.identityKey,
      deviceName: 'New laptop',
      profile: { displayName: 'Lin again', avatar: { colour: '#000000' } },
    })
    if (!restored.ok) throw restored.error
    expect(restored.value.identityKey).toBe(identity.identityKey)
    expect(restored.value.deviceKey).not.toBe(identity.deviceKey)
    const chain = restored.value.signer.chain
    expect(chain !== undefined && verifyCredential(chain, { clock }).ok).toBe(true)
    expect(chain?.proof.signer).toBe(identity.identityKey)
    expect(restored.value.profile?.displayName).toBe('Lin again')
    expect(await phraseOf(restored.value, { recoveryPhrase: await phraseOf(identity) })).toBe(await phraseOf(identity))
  })

  it('over a damaged identity keeps what still holds of it (profile, devices)', async () => {
    const { identity, databaseName } = await original()
    const phrase = await phraseOf(identity)
    const db = openHaloDatabase(databaseName)
    await db.wrapping.clear()
    db.close()
    const { store } = freshStore(databaseName)
    expect((await store.load()).status).toBe('damaged')
    const restored = await store.restoreFromPhrase(phrase, {
      confirmedIdentity: identity.identityKey,
      deviceName: 'Phone, restored',
    })
    if (!restored.ok) throw restored.error
    expect(restored.value.profile).toEqual(input.profile)
    expect(restored.value.devices().map((d) => [d.name, d.isThisDevice])).toEqual([
      ['Phone, restored', true],
      ['Phone', false],
    ])
  })

  it('refuses to replace a working identity, and a mistyped phrase, changing nothing', async () => {
    const { identity, databaseName } = await original()
    const before = await dump(databaseName)
    const { store } = freshStore(databaseName)
    const again = await store.restoreFromPhrase(await phraseOf(identity), {
      confirmedIdentity: identity.identityKey,
      deviceName: 'x',
    })
    expect(again.ok ? 'ok' : again.error.code).toBe('identity-exists')
    const typo = await freshStore().store.restoreFromPhrase('legal winner thank', {
      confirmedIdentity: identity.identityKey,
      deviceName: 'x',
    })
    expect(typo.ok ? 'ok' : typo.error.code).toBe('recovery-phrase-invalid')
    expect(await dump(databaseName)).toEqual(before)
  })
})

// Each file costs a PBKDF2 of 600,000 iterations to write and to read: seconds on a loaded machine.
describe('export to a file and import it', { timeout: 30_000 }, () => {
  it('imports the same identity, with its profile and devices, in a fresh profile', async () => {
    const { identity } = await original()
    const file = await identity.exportFile(PASSWORD)
    if (!file.ok) throw file.error
    const { store } = freshStore()
    const imported = await store.importFile(file.value, PASSWORD, {
      confirmedIdentity: identity.identityKey,
      deviceName: 'Desktop',
    })
    if (!imported.ok) throw imported.error
    expect(imported.value.identityKey).toBe(identity.identityKey)
    expect(imported.value.deviceKey).not.toBe(identity.deviceKey)
    expect(imported.value.profile).toEqual(input.profile)
    expect(imported.value.devices().map((d) => d.name)).toEqual(['Desktop', 'Phone'])
  })

  it('with a wrong password or a damaged file: a typed error and nothing stored changes', async () => {
    const { identity } = await original()
    const file = await identity.exportFile(PASSWORD)
    if (!file.ok) throw file.error
    const target = freshStore()
    const damagedTarget = await original()
    const harm = openHaloDatabase(damagedTarget.databaseName)
    await harm.secrets.delete('device')
    harm.close()
    const damagedBefore = await dump(damagedTarget.databaseName)

    const wrong = await target.store.importFile(file.value, 'not the password', {
      confirmedIdentity: identity.identityKey,
      deviceName: 'x',
    })
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('wrong-password')
    const cut = await target.store.importFile(
      file.value.replace(/"ciphertext": "(.)/, '"ciphertext": "-$1'),
      PASSWORD,
      {
        confirmedIdentity: identity.identityKey,
        deviceName: 'x',
      },
    )
    expect(cut.ok ? 'ok' : cut.error.code).toBe('identity-file-damaged')
    expect((await target.store.load()).status).toBe('none')

    const intoDamaged = freshStore(damagedTarget.databaseName).store
    const refused = await intoDamaged.importFile(file.value, 'still not the password', {
      confirmedIdentity: identity.identityKey,
      deviceName: 'x',
    })
    expect(refused.ok ? 'ok' : refused.error.code).toBe('wrong-password')
    expect(await dump(damagedTarget.databaseName)).toEqual(damagedBefore)
  })
})
