/**
 * From what is stored to an open identity, or to the exact reason it cannot be
 * opened. Every record is treated as untrusted: it may be missing, truncated or
 * overwritten by anything that could write to this origin's IndexedDB.
 */
import * as v from 'valibot'
import type { Clock } from '../../base'
import type { Credential } from '../credentials/credential'
import { VerifiedCache } from '../credentials/verified-cache'
import type { DeviceKey, IdentityKey, KeyPair } from '../keys/keys'
import { keyPairFromSeed } from '../keys/keys'
import type { RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf, recoverySecretFromBytes } from '../recovery/recovery-phrase'
import type { StoredSnapshot } from '../storage/halo-database'
import { isEmptySnapshot } from '../storage/halo-database'
import { openSecret } from '../storage/key-wrapping'
import type { DamageReason } from './errors'
import { IdentityDamaged } from './errors'
import { trustedSet } from './trust'

export interface Unlocked {
  readonly secret: RecoverySecret
  readonly identity: KeyPair<IdentityKey>
  readonly device: KeyPair<DeviceKey>
  /** This device's AuthorizedDevice credential: the chain attached to everything it signs. */
  readonly chain: Credential
  readonly credentials: readonly Credential[]
  /** Devices the identity has revoked. */
  readonly revoked: ReadonlySet<string>
  /** Signatures already checked while opening, so the identity does not check them again. */
  readonly verified: VerifiedCache
}

const identityRecord = v.object({
  slot: v.literal('self'),
  version: v.literal(1),
  identityKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  deviceKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  createdAt: v.number(),
})
const sealed = v.object({ iv: v.instance(Uint8Array), ciphertext: v.instance(Uint8Array) })

const damaged = (reason: DamageReason, detail: string) => new IdentityDamaged(reason, detail)

const openSlot = async (key: CryptoKey, snapshot: StoredSnapshot, slot: 'identity' | 'device') => {
  const record = snapshot.secrets.get(slot)
  if (record === undefined)
    return damaged(slot === 'identity' ? 'missing-identity-secret' : 'missing-device-secret', slot)
  const parsed = v.safeParse(sealed, record)
  const bytes = parsed.success ? await openSecret(key, slot, parsed.output) : undefined
  return bytes ?? damaged('unreadable-secret', `the ${slot} secret does not open`)
}

/** 'none' only when nothing at all is stored: the one case where a first run may create an identity. */
export const unlock = async (snapshot: StoredSnapshot, clock: Clock): Promise<Unlocked | IdentityDamaged | 'none'> => {
  if (isEmptySnapshot(snapshot)) return 'none'
  if (snapshot.identity === undefined) return damaged('missing-identity-record', 'other HALO records exist')
  const record = v.safeParse(identityRecord, snapshot.identity)
  if (!record.success) return damaged('malformed-identity-record', v.summarize(record.issues))
  const key = snapshot.wrappingKey
  if (!(key instanceof CryptoKey)) return damaged('missing-wrapping-key', 'the key that seals the secrets is gone')

  const identitySecret = await openSlot(key, snapshot, 'identity')
  if (identitySecret instanceof IdentityDamaged) return identitySecret
  const deviceSeed = await openSlot(key, snapshot, 'device')
  if (deviceSeed instanceof IdentityDamaged) return deviceSeed
  const secret = recoverySecretFromBytes(identitySecret)
  if (secret === undefined || deviceSeed.length !== 32) return damaged('unreadable-secret', 'a secret has a wrong size')
  const identity = identityKeyPairOf(secret)
  const device = keyPairFromSeed<DeviceKey>(deviceSeed)
  if (identity.publicKey !== record.output.identityKey || device.publicKey !== record.output.deviceKey) {
    return damaged('key-mismatch', 'the secrets do not belong to the recorded keys')
  }

  const verified = new VerifiedCache()
  const { accepted, revoked } = trustedSet(identity.publicKey, snapshot.credentials, clock, verified)
  if (revoked.has(device.publicKey)) return damaged('this-device-revoked', 'another device revoked this one')
  const chain = accepted.find(
    (credential) => credential.assertion.kind === 'AuthorizedDevice' && credential.subject === device.publicKey,
  )
  if (chain === undefined) return damaged('missing-device-authorization', 'no valid AuthorizedDevice for this device')
  return { secret, identity, device, chain, credentials: accepted, revoked, verified }
}
