import 'fake-indexeddb/auto'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { fingerprint } from '../identifiers/fingerprint'
import { identityKeyPairOf, parseRecoveryPhrase, recoveryPhraseOf } from '../recovery/recovery-phrase'
import type { RecoverySecret } from '../recovery/recovery-phrase'
import { openHaloDatabase } from '../storage/halo-database'
import type { CreateInput } from './identity-store'
import { dumpHaloDatabase, identityStores, phraseOf } from '../testing/identity-stores'

const clock = new ManualClock(1_800_000_000_000)
const input: CreateInput = { profile: { displayName: 'Lin', avatar: { colour: '#ff8800' } }, deviceName: 'Phone' }
const PASSWORD = 'a long enough password'
const stores = identityStores('halo-preview', clock)
const storeOn = stores.storeOn
const created = async () => {
  const made = await stores.created(input)
  return { ...made, phrase: await phraseOf(made.identity) }
}

/** The first one-word change of `phrase` that still passes the BIP-39 checksum: a typo nothing catches. */
const typoThatPasses = (phrase: string, position: number): string => {
  const words = phrase.split(' ')
  for (const word of wordlist) {
    if (word === words[position]) continue
    const typo = words.map((w, i) => (i === position ? word : w)).join(' ')
    if (parseRecoveryPhrase(typo).ok) return typo
  }
  throw new Error('no passing typo')
}

const dump = dumpHaloDatabase

const harm = async (databaseName: string, how: 'device-secret' | 'wrapping-key') => {
  const db = openHaloDatabase(databaseName)
  await (how === 'device-secret' ? db.secrets.delete('device') : db.wrapping.clear())
  db.close()
}

describe('a restore shows what it will write and asks first', () => {
  it('about 1 in 16 one-word typos pass the checksum (measured over every word of the list)', () => {
    const phrase = recoveryPhraseOf(new Uint8Array(16).fill(7) as RecoverySecret)
    const words = phrase.split(' ')
    const passing = wordlist.filter(
      (word) => word !== words[4] && parseRecoveryPhrase(words.map((w, i) => (i === 4 ? word : w)).join(' ')).ok,
    ).length
    // 4 checksum bits: 2047 other words, about 128 pass.
    expect(passing / (wordlist.length - 1)).toBeGreaterThan(1 / 20)
    expect(passing / (wordlist.length - 1)).toBeLessThan(1 / 13)
  })

  it('a typo that passes the checksum previews another fingerprint, and is not restored unless confirmed', async () => {
    const { identity, phrase } = await created()
    const typo = typoThatPasses(phrase, 5)
    const { store, databaseName } = storeOn()

    const right = await store.previewPhrase(phrase)
    expect(right.ok && right.value).toEqual({
      identityKey: identity.identityKey,
      fingerprint: identity.fingerprint,
      // A phrase carries no profile, and this browser knows nothing of the identity.
      displayName: undefined,
      stored: undefined,
    })
    const wrong = await store.previewPhrase(typo)
    expect(wrong.ok && wrong.value.fingerprint).not.toBe(identity.fingerprint)

    // The person saw and confirmed their own fingerprint; the words they submit have a typo.
    const refused = await store.restoreFromPhrase(typo, { confirmedIdentity: identity.identityKey, deviceName: 'x' })
    expect(refused.ok ? 'restored' : refused.error.code).toBe('restore-not-confirmed')
    expect(await dump(databaseName)).toEqual({ identity: [], secrets: [], credentials: [], wrapping: 0 })
    expect((await store.load()).status).toBe('none')
  })

  // Three PBKDF2 runs of 600,000 iterations: seconds on a loaded machine.
  it('a file preview names the identity it holds', { timeout: 30_000 }, async () => {
    const { identity } = await created()
    const file = await identity.exportFile(PASSWORD)
    if (!file.ok) throw file.error
    const preview = await storeOn().store.previewFile(file.value, PASSWORD)
    expect(preview.ok && [preview.value.fingerprint, preview.value.displayName]).toEqual([identity.fingerprint, 'Lin'])
    const wrong = await storeOn().store.previewFile(file.value, 'not the password')
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('wrong-password')
  })
})

describe('a restore into a damaged store', () => {
  it('never deletes another identity secret that still opens, and says whose it is', async () => {
    const { identity, phrase, databaseName } = await created()
    await harm(databaseName, 'device-secret')
    const before = await dump(databaseName)
    const { store } = storeOn(databaseName)
    expect((await store.load()).status).toBe('damaged')

    const typo = typoThatPasses(phrase, 11)
    const typoSecret = parseRecoveryPhrase(typo)
    if (!typoSecret.ok) throw typoSecret.error
    const typoKey = identityKeyPairOf(typoSecret.value).publicKey
    const preview = await store.previewPhrase(typo)
    expect(preview.ok && preview.value.stored).toEqual({
      fingerprint: identity.fingerprint,
      sameIdentity: false,
      otherSecretOpens: true,
    })
    const refused = await store.restoreFromPhrase(typo, { confirmedIdentity: typoKey, deviceName: 'x' })
    expect(refused.ok ? 'restored' : refused.error.code).toBe('would-replace-identity')
    expect(!refused.ok && 'storedFingerprint' in refused.error && refused.error.storedFingerprint).toBe(
      identity.fingerprint,
    )
    expect(await dump(databaseName)).toEqual(before)

    // The right words: the same identity, with the name this browser still knew.
    const same = await store.previewPhrase(phrase)
    expect(same.ok && [same.value.displayName, same.value.stored?.sameIdentity]).toEqual(['Lin', true])
    const restored = await store.restoreFromPhrase(phrase, {
      confirmedIdentity: identity.identityKey,
      deviceName: 'Phone again',
    })
    expect(restored.ok && restored.value.identityKey).toBe(identity.identityKey)
  })

  it('replaces records whose secret no longer opens, after saying whose they were', async () => {
    const { identity, databaseName } = await created()
    const other = await created()
    await harm(databaseName, 'wrapping-key')
    const { store } = storeOn(databaseName)
    const preview = await store.previewPhrase(other.phrase)
    expect(preview.ok && preview.value.stored).toEqual({
      fingerprint: fingerprint(identity.identityKey),
      sameIdentity: false,
      otherSecretOpens: false,
    })
    const restored = await store.restoreFromPhrase(other.phrase, {
      confirmedIdentity: other.identity.identityKey,
      deviceName: 'x',
    })
    expect(restored.ok && restored.value.identityKey).toBe(other.identity.identityKey)
  })
})
