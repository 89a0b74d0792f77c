/**
 * The identity key at the moment an operation needs it: from this device's
 * copy while it keeps one (before a backup), otherwise from the recovery phrase
 * the person types. Nothing of it is kept in memory after the operation.
 */
import type { Result } from '../../base'
import { err, ok } from '../../base'
import { fingerprint } from '../identifiers/fingerprint'
import type { IdentityKey, KeyPair } from '../keys/keys'
import type { RecoveryPhraseInvalid, RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf, parseRecoveryPhrase } from '../recovery/recovery-phrase'
import type { HaloStorage } from '../storage/halo-database'
import { NotThisIdentity, UnlockNeeded } from './errors'
import { keptIdentitySecret } from './unlock'

/** What the person gives to act as the identity once this device no longer keeps its secret. */
export interface IdentityUnlock {
  readonly recoveryPhrase: string
}

export type UnlockProblem = UnlockNeeded | RecoveryPhraseInvalid | NotThisIdentity

export interface OpenedIdentitySecret {
  readonly secret: RecoverySecret
  readonly keyPair: KeyPair<IdentityKey>
}

/** A phrase must parse and stand for `identityKey`: a typo that passes the checksum is another identity. */
export const secretFromPhrase = (
  phrase: string,
  identityKey: IdentityKey,
): Result<OpenedIdentitySecret, RecoveryPhraseInvalid | NotThisIdentity> => {
  const parsed = parseRecoveryPhrase(phrase)
  if (!parsed.ok) return parsed
  const keyPair = identityKeyPairOf(parsed.value)
  if (keyPair.publicKey !== identityKey) return err(new NotThisIdentity(fingerprint(keyPair.publicKey)))
  return ok({ secret: parsed.value, keyPair })
}

export const openIdentitySecret = async (
  storage: HaloStorage,
  identityKey: IdentityKey,
  unlock: IdentityUnlock | undefined,
): Promise<Result<OpenedIdentitySecret, UnlockProblem>> => {
  if (unlock !== undefined) return secretFromPhrase(unlock.recoveryPhrase, identityKey)
  const kept = await keptIdentitySecret(await storage.read(), identityKey)
  return kept === undefined ? err(new UnlockNeeded()) : ok({ secret: kept, keyPair: identityKeyPairOf(kept) })
}
