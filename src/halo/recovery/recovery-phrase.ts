/**
 * The recovery phrase IS the identity: 12 BIP-39 English words encode 128 bits
 * of recovery entropy, and the identity key's seed is HKDF-SHA-256 of it. So the
 * phrase alone restores the same identity key in a fresh, offline browser
 * profile, with no peer to ask for anything.
 *
 * ARCHITECTURE.md section 4 suggests a separate recovery key registered by a
 * credential. We chose otherwise: a fresh profile cannot learn which identity
 * a recovery key speaks for, nor fetch that credential, until the mesh and the
 * personal space exist, and even then only if another device is online. The
 * cost: the phrase is as powerful as the identity key (leaking it is losing the
 * identity), and it cannot be rotated without a new identity.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { Brand, Result } from '../../base'
import { AppError, err, ok, utf8 } from '../../base'
import type { IdentityKey, KeyPair } from '../keys/keys'
import { keyPairFromSeed } from '../keys/keys'

/** 128 bits: the security level of Ed25519 itself, in 12 words a person can write down. */
const RECOVERY_ENTROPY_BYTES = 16
export const RECOVERY_PHRASE_WORDS = 12

export type RecoverySecret = Brand<Uint8Array, 'RecoverySecret'>

export type PhraseProblem = 'word-count' | 'unknown-word' | 'checksum'

export class RecoveryPhraseInvalid extends AppError<'recovery-phrase-invalid'> {
  readonly problem: PhraseProblem
  /** For 'unknown-word': the 0-based position of the first word not in the list. */
  readonly wordIndex: number | undefined
  constructor(problem: PhraseProblem, message: string, wordIndex?: number) {
    super('recovery-phrase-invalid', message)
    this.problem = problem
    this.wordIndex = wordIndex
  }
}

export const newRecoverySecret = (): RecoverySecret =>
  crypto.getRandomValues(new Uint8Array(RECOVERY_ENTROPY_BYTES)) as RecoverySecret

export const recoverySecretFromBytes = (bytes: Uint8Array): RecoverySecret | undefined =>
  bytes.length === RECOVERY_ENTROPY_BYTES ? (bytes as RecoverySecret) : undefined

const SALT = utf8('commonplace/halo')
const INFO = utf8('identity-key/v1')

/** The identity key pair that a recovery secret stands for. */
export const identityKeyPairOf = (secret: RecoverySecret): KeyPair<IdentityKey> =>
  keyPairFromSeed<IdentityKey>(hkdf(sha256, secret, SALT, INFO, 32))

export const recoveryPhraseOf = (secret: RecoverySecret): string => entropyToMnemonic(secret, wordlist)

/** Reads a phrase as a person types it: any case, extra spaces, line breaks. */
export const parseRecoveryPhrase = (text: string): Result<RecoverySecret, RecoveryPhraseInvalid> => {
  const words = text.normalize('NFKD').toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length !== RECOVERY_PHRASE_WORDS) {
    return err(new RecoveryPhraseInvalid('word-count', `expected ${RECOVERY_PHRASE_WORDS} words, got ${words.length}`))
  }
  const unknown = words.findIndex((word) => !wordlist.includes(word))
  if (unknown >= 0) {
    return err(new RecoveryPhraseInvalid('unknown-word', `word ${unknown + 1} is not in the word list`, unknown))
  }
  const phrase = words.join(' ')
  if (!validateMnemonic(phrase, wordlist)) {
    return err(new RecoveryPhraseInvalid('checksum', 'the words do not fit together; check for a typo'))
  }
  return ok(mnemonicToEntropy(phrase, wordlist) as RecoverySecret)
}
