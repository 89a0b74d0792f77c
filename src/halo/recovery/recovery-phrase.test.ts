import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../base'
import type { RecoverySecret } from './recovery-phrase'
import { identityKeyPairOf, newRecoverySecret, parseRecoveryPhrase, recoveryPhraseOf } from './recovery-phrase'

const problemOf = (text: string) => {
  const result = parseRecoveryPhrase(text)
  return result.ok ? 'ok' : result.error.problem
}

describe('recovery phrase', () => {
  it('encodes 128 bits as the BIP-39 English test vector does', () => {
    // BIP-39 reference vector: entropy 7f7f...7f.
    const secret = fromHex('7f'.repeat(16)) as RecoverySecret
    expect(recoveryPhraseOf(secret)).toBe('legal winner thank year wave sausage worth useful legal winner thank yellow')
  })

  it('derives a fixed identity key from a fixed secret (checked with Python hmac + cryptography)', () => {
    const pair = identityKeyPairOf(fromHex('00'.repeat(16)) as RecoverySecret)
    expect(toHex(pair.secretKey)).toBe('5c2ccd059a4e87b77a561733d9e9dca2f9c1d2c23c623dff61f14ab6c8aae569')
    expect(pair.publicKey).toBe('81cb57bc27ec0bdc517f980d0b77d8e97fcd6c420ba5eaa9d71be2f67f5b80de')
  })

  it('restores the same identity key from the phrase however it is typed', () => {
    const secret = newRecoverySecret()
    const phrase = recoveryPhraseOf(secret)
    const typed = `  ${phrase.toUpperCase().replaceAll(' ', '\n  ')} `
    const parsed = parseRecoveryPhrase(typed)
    expect(parsed.ok && identityKeyPairOf(parsed.value).publicKey).toBe(identityKeyPairOf(secret).publicKey)
  })

  it('says what is wrong with a phrase', () => {
    const phrase = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
    expect(problemOf(phrase)).toBe('ok')
    expect(problemOf('legal winner thank')).toBe('word-count')
    expect(problemOf(phrase.replace('sausage', 'sausages'))).toBe('unknown-word')
    const typo = parseRecoveryPhrase(phrase.replace('sausage', 'sausages'))
    expect(typo.ok ? undefined : typo.error.wordIndex).toBe(5)
    expect(problemOf(phrase.replace('yellow', 'winner'))).toBe('checksum')
  })
})
