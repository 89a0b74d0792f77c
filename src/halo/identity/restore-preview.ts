/**
 * What a restore would write, shown to the person before anything is written:
 * a phrase with a typo can pass the BIP-39 checksum (about 1 in 16 single-word
 * typos do) and stand for another, empty identity.
 */
import * as v from 'valibot'
import type { Clock } from '../../base'
import type { Credential } from '../credentials/credential'
import { fingerprint } from '../identifiers/fingerprint'
import type { IdentityKey } from '../keys/keys'
import type { RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf } from '../recovery/recovery-phrase'
import type { StoredSnapshot } from '../storage/halo-database'
import { latestProfile } from './profile'
import { trustedSet } from './trust'
import { storedIdentitySecret } from './unlock'

export interface RestorePreview {
  readonly identityKey: IdentityKey
  readonly fingerprint: string
  /** The latest profile name found in the file or in this browser's damaged records; undefined if none. */
  readonly displayName: string | undefined
  /** What this browser holds now, when it holds anything (a damaged identity). */
  readonly stored: StoredIdentity | undefined
}

interface StoredIdentity {
  /** The identity the damaged records name (or whose secret they hold); undefined if unreadable. */
  readonly fingerprint: string | undefined
  readonly sameIdentity: boolean
  /** Another identity's secret still opens here: the restore is refused rather than delete it. */
  readonly otherSecretOpens: boolean
}

const namedIdentity = v.object({ identityKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) })

/** The identity whose secret still opens in `snapshot`, if any. */
export const openableStoredIdentity = async (snapshot: StoredSnapshot): Promise<IdentityKey | undefined> => {
  const secret = await storedIdentitySecret(snapshot)
  return secret === undefined ? undefined : identityKeyPairOf(secret).publicKey
}

const storedIdentity = async (snapshot: StoredSnapshot, target: IdentityKey): Promise<StoredIdentity> => {
  const openable = await openableStoredIdentity(snapshot)
  const record = v.safeParse(namedIdentity, snapshot.identity)
  const named = openable ?? (record.success ? (record.output.identityKey as IdentityKey) : undefined)
  return {
    fingerprint: named === undefined ? undefined : fingerprint(named),
    sameIdentity: named === target,
    otherSecretOpens: openable !== undefined && openable !== target,
  }
}

export const previewRestore = async (
  snapshot: StoredSnapshot,
  secret: RecoverySecret,
  received: readonly Credential[],
  clock: Clock,
): Promise<RestorePreview> => {
  const identityKey = identityKeyPairOf(secret).publicKey
  const known = trustedSet(identityKey, [...snapshot.credentials, ...received], clock).accepted
  const empty = snapshot.identity === undefined && snapshot.secrets.size === 0
  return {
    identityKey,
    fingerprint: fingerprint(identityKey),
    displayName: latestProfile(identityKey, known)?.displayName,
    stored: empty ? undefined : await storedIdentity(snapshot, identityKey),
  }
}
