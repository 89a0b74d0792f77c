/**
 * The identity key at the moment an operation needs it: from this device's
 * copy while it keeps one (before a backup), otherwise from what the person
 * gives: the recovery phrase, or the passphrase of a copy they chose to keep
 * here. Nothing of it is kept in memory after the operation.
 */
import * as v from 'valibot'
import type { Result } from '../../base'
import { err, ok } from '../../base'
import { fingerprint } from '../identifiers/fingerprint'
import type { IdentityKey, KeyPair } from '../keys/keys'
import type { IdentityFileError } from '../recovery/identity-file'
import { readIdentityFile } from '../recovery/identity-file'
import type { RecoveryPhraseInvalid, RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf, parseRecoveryPhrase } from '../recovery/recovery-phrase'
import type { HaloStorage, StoredSnapshot } from '../storage/halo-database'
import { NotThisIdentity, UnlockNeeded } from './errors'
import { keptIdentitySecret } from './unlock'

/** What the person gives to act as the identity once this device no longer keeps its secret openly. */
export type IdentityUnlock = { readonly recoveryPhrase: string } | { readonly passphrase: string }

export type UnlockProblem = UnlockNeeded | RecoveryPhraseInvalid | NotThisIdentity | IdentityFileError

export interface OpenedIdentitySecret {
  readonly secret: RecoverySecret
  readonly keyPair: KeyPair<IdentityKey>
}

const opened = (secret: RecoverySecret, identityKey: IdentityKey): Result<OpenedIdentitySecret, NotThisIdentity> => {
  const keyPair = identityKeyPairOf(secret)
  if (keyPair.publicKey !== identityKey) return err(new NotThisIdentity(fingerprint(keyPair.publicKey)))
  return ok({ secret, keyPair })
}

/** A phrase must parse and stand for `identityKey`: a typo that passes the checksum is another identity. */
const secretFromPhrase = (
  phrase: string,
  identityKey: IdentityKey,
): Result<OpenedIdentitySecret, RecoveryPhraseInvalid | NotThisIdentity> => {
  const parsed = parseRecoveryPhrase(phrase)
  return parsed.ok ? opened(parsed.value, identityKey) : parsed
}

const lockedRecord = v.object({ slot: v.literal('locked'), file: v.string() })

const secretFromPassphrase = async (
  snapshot: StoredSnapshot,
  passphrase: string,
  identityKey: IdentityKey,
): Promise<Result<OpenedIdentitySecret, UnlockProblem>> => {
  const record = v.safeParse(lockedRecord, snapshot.secrets.get('locked'))
  if (!record.success) return err(new UnlockNeeded())
  const file = await readIdentityFile(record.output.file, passphrase)
  return file.ok ? opened(file.value.secret, identityKey) : file
}

export const openIdentitySecret = async (
  storage: HaloStorage,
  identityKey: IdentityKey,
  unlock: IdentityUnlock | undefined,
): Promise<Result<OpenedIdentitySecret, UnlockProblem>> => {
  if (unlock !== undefined && 'recoveryPhrase' in unlock) return secretFromPhrase(unlock.recoveryPhrase, identityKey)
  const snapshot = await storage.read()
  if (unlock !== undefined) return secretFromPassphrase(snapshot, unlock.passphrase, identityKey)
  const kept = await keptIdentitySecret(snapshot, identityKey)
  return kept === undefined ? err(new UnlockNeeded()) : ok({ secret: kept, keyPair: identityKeyPairOf(kept) })
}
