import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { bytesEqual, utf8 } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { keyPairFromSeed } from '../keys/keys'
import type { RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf, parseRecoveryPhrase } from '../recovery/recovery-phrase'
import type { CreateInput } from './identity-store'
import { identityStores, phraseOf } from '../testing/identity-stores'

const clock = new ManualClock(1_800_000_000_000)
const input: CreateInput = { profile: { displayName: 'Noor', avatar: { colour: '#336699' } }, deviceName: 'Laptop' }
const stores = identityStores('halo-backup', clock)
const storeOn = stores.storeOn
const created = () => stores.created(input)
const secretOf = (phrase: string): RecoverySecret => {
  const parsed = parseRecoveryPhrase(phrase)
  if (!parsed.ok) throw parsed.error
  return parsed.value
}

// ---- The attack of the security review (finding 5), with only what any same-origin script has. ----

const rawRecords = (databaseName: string): Promise<unknown[]> =>
  new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName)
    request.onerror = () => reject(new Error(String(request.error)))
    request.onsuccess = () => {
      const db = request.result
      const names = [...db.objectStoreNames]
      const transaction = db.transaction(names, 'readonly')
      const records: unknown[] = []
      for (const name of names) {
        const all = transaction.objectStore(name).getAll()
        all.onsuccess = () => records.push(...(all.result as unknown[]))
      }
      transaction.oncomplete = () => {
        db.close()
        resolve(records)
      }
      transaction.onerror = () => reject(new Error(String(transaction.error)))
    }
  })

/** Every value anywhere inside the records (keys, byte arrays, strings). */
const leaves = (value: unknown, out: unknown[] = []): unknown[] => {
  out.push(value)
  if (value !== null && typeof value === 'object' && !(value instanceof CryptoKey) && !ArrayBuffer.isView(value)) {
    for (const inner of Object.values(value)) leaves(inner, out)
  }
  return out
}

/**
 * Decrypts every sealed-looking record with every stored key, under every label
 * the (public) source code uses and none: what an XSS does with `crypto.subtle`.
 */
const everythingThatDecrypts = async (databaseName: string): Promise<Uint8Array[]> => {
  const found = leaves(await rawRecords(databaseName))
  const keys = found.filter((value): value is CryptoKey => value instanceof CryptoKey)
  const sealed = found.filter(
    (value): value is { iv: Uint8Array; ciphertext: Uint8Array } =>
      typeof value === 'object' && value !== null && 'iv' in value && 'ciphertext' in value,
  )
  const labels = [undefined, ...['identity', 'device', 'wrapping', 'self'].map((s) => `commonplace/halo/secret/${s}`)]
  const plaintexts: Uint8Array[] = []
  for (const key of keys) {
    for (const { iv, ciphertext } of sealed) {
      for (const label of labels) {
        try {
          const aad = label === undefined ? {} : { additionalData: utf8(label) as BufferSource }
          const params = { name: 'AES-GCM', iv: iv as BufferSource, ...aad }
          plaintexts.push(new Uint8Array(await crypto.subtle.decrypt(params, key, ciphertext as BufferSource)))
        } catch {
          // Not this key or label.
        }
      }
    }
  }
  return plaintexts
}

/** Whether any stored record gives the phrase, the recovery secret or the identity key's seed. */
const leaksIdentity = async (databaseName: string, phrase: string): Promise<boolean> => {
  const secret = secretOf(phrase)
  const identityKey = identityKeyPairOf(secret).publicKey
  const asText = JSON.stringify(await rawRecords(databaseName), (_, value: unknown) =>
    ArrayBuffer.isView(value) ? Array.from(value as Uint8Array) : value,
  )
  if (asText.includes(phrase) || asText.includes(phrase.split(' ').slice(0, 3).join(' '))) return true
  for (const plaintext of await everythingThatDecrypts(databaseName)) {
    if (bytesEqual(plaintext, secret)) return true
    if (plaintext.length === 16 && identityKeyPairOf(plaintext as RecoverySecret).publicKey === identityKey) return true
    if (plaintext.length === 32 && keyPairFromSeed(plaintext).publicKey === identityKey) return true
  }
  return false
}

describe('the identity secret on this device', () => {
  it('is kept only until the backup is saved: then no stored record decrypts to the phrase or the secret', async () => {
    const { identity, databaseName } = await created()
    const phrase = await phraseOf(identity)
    expect(identity.backup.get()).toBe('needed')
    // The attack works while the copy is kept (so the check below can see a leak) ...
    expect(await leaksIdentity(databaseName, phrase)).toBe(true)

    expect((await identity.confirmBackup()).ok).toBe(true)
    expect(identity.backup.get()).toBe('saved')
    // ... and finds nothing once the person has saved the backup.
    expect(await leaksIdentity(databaseName, phrase)).toBe(false)
    // The device still opens, and signs day to day with its own key and chain.
    const state = await storeOn(databaseName).store.load()
    expect(state.status === 'ready' && state.identity.backup.get()).toBe('saved')
    const reopened = state.status === 'ready' ? state.identity : identity
    clock.advance(1000)
    expect((await reopened.updateProfile({ displayName: 'Noor A.', avatar: { colour: '#336699' } })).ok).toBe(true)
    expect(reopened.profile?.displayName).toBe('Noor A.')
  })

  // PBKDF2 of 600,000 iterations to write and to read the file: seconds on a loaded machine.
  it(
    'is never stored by a restore from the phrase or an import of the file (the person holds them)',
    { timeout: 30_000 },
    async () => {
      const { identity } = await created()
      const phrase = await phraseOf(identity)
      const file = await identity.exportFile('a long enough password')
      if (!file.ok) throw file.error

      const byPhrase = storeOn()
      const restored = await byPhrase.store.restoreFromPhrase(phrase, {
        confirmedIdentity: identity.identityKey,
        deviceName: 'Phone',
      })
      expect(restored.ok && restored.value.backup.get()).toBe('saved')
      expect(await leaksIdentity(byPhrase.databaseName, phrase)).toBe(false)

      const byFile = storeOn()
      const imported = await byFile.store.importFile(file.value, 'a long enough password', {
        confirmedIdentity: identity.identityKey,
        deviceName: 'Tablet',
      })
      expect(imported.ok && imported.value.backup.get()).toBe('saved')
      expect(await leaksIdentity(byFile.databaseName, phrase)).toBe(false)
    },
  )

  it(
    'after the backup, revoking, showing the phrase and exporting ask for the phrase and check it',
    { timeout: 30_000 },
    async () => {
      const { identity } = await created()
      const phrase = await phraseOf(identity)
      const phone = await storeOn().store.restoreFromPhrase(phrase, {
        confirmedIdentity: identity.identityKey,
        deviceName: 'Phone',
      })
      if (!phone.ok) throw phone.error
      await identity.receive(phone.value.credentials.get())
      expect((await identity.confirmBackup()).ok).toBe(true)

      const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code)
      expect(codeOf(await identity.recoveryPhrase())).toBe('identity-unlock-needed')
      expect(codeOf(await identity.exportFile('a long enough password'))).toBe('identity-unlock-needed')
      expect(codeOf(await identity.revokeDevice(phone.value.deviceKey))).toBe('identity-unlock-needed')

      // A typo the checksum catches, and a valid phrase of another identity (a typo it does not catch).
      const words = phrase.split(' ')
      const typo = [...words.slice(0, 11), words[11] === 'zoo' ? 'abandon' : 'zoo'].join(' ')
      const other = await created()
      const otherPhrase = await phraseOf(other.identity)
      const foreign = await identity.revokeDevice(phone.value.deviceKey, { recoveryPhrase: otherPhrase })
      expect(codeOf(foreign)).toBe('not-this-identity')
      expect(identity.devices().every((device) => device.revokedAt === undefined)).toBe(true)
      const mistyped = await identity.recoveryPhrase({ recoveryPhrase: typo })
      expect(['recovery-phrase-invalid', 'not-this-identity']).toContain(codeOf(mistyped))

      expect(await identity.recoveryPhrase({ recoveryPhrase: phrase.toUpperCase() })).toEqual({
        ok: true,
        value: phrase,
      })
      expect(codeOf(await identity.exportFile('a long enough password', { recoveryPhrase: phrase }))).toBe('ok')
      const revoked = await identity.revokeDevice(phone.value.deviceKey, { recoveryPhrase: phrase })
      expect(revoked.ok && revoked.value.proof.signer).toBe(identity.identityKey)
    },
  )

  // Three PBKDF2 runs of 600,000 iterations: seconds on a loaded machine.
  it(
    'kept behind a passphrase: asked for instead of the phrase, and no stored key opens it',
    { timeout: 30_000 },
    async () => {
      const { identity, databaseName } = await created()
      const phrase = await phraseOf(identity)
      expect((await identity.confirmBackup()).ok).toBe(true)
      const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code)
      const passphrase = 'river glass lantern'

      expect(codeOf(await identity.keepWithPassphrase('short', { recoveryPhrase: phrase }))).toBe('weak-password')
      const other = await phraseOf((await created()).identity)
      expect(codeOf(await identity.keepWithPassphrase(passphrase, { recoveryPhrase: other }))).toBe('not-this-identity')
      expect(codeOf(await identity.keepWithPassphrase(passphrase, { recoveryPhrase: phrase }))).toBe('ok')
      expect(identity.backup.get()).toBe('locked')
      expect(await leaksIdentity(databaseName, phrase)).toBe(false)

      expect(codeOf(await identity.recoveryPhrase())).toBe('identity-unlock-needed')
      expect(codeOf(await identity.recoveryPhrase({ passphrase: 'not the passphrase' }))).toBe('wrong-password')
      expect(await identity.recoveryPhrase({ passphrase })).toEqual({ ok: true, value: phrase })
      const state = await storeOn(databaseName).store.load()
      expect(state.status === 'ready' && state.identity.backup.get()).toBe('locked')

      expect((await identity.forgetPassphrase()).ok).toBe(true)
      expect(identity.backup.get()).toBe('saved')
      expect(codeOf(await identity.recoveryPhrase({ passphrase }))).toBe('identity-unlock-needed')
    },
  )

  it('another tab learns that the backup was saved', async () => {
    const { identity, databaseName } = await created()
    const state = await storeOn(databaseName).store.load()
    const otherTab = state.status === 'ready' ? state.identity : identity
    expect(otherTab).not.toBe(identity)
    expect(otherTab.backup.get()).toBe('needed')
    expect((await identity.confirmBackup()).ok).toBe(true)
    await otherTab.refresh()
    expect(otherTab.backup.get()).toBe('saved')
    const asked = await otherTab.recoveryPhrase()
    expect(asked.ok ? 'ok' : asked.error.code).toBe('identity-unlock-needed')
  })
})
