/**
 * From what is stored to an open identity, or to the exact reason it cannot be
 * opened. Every record is treated as untrusted: it may be missing, truncated or
 * overwritten by anything that could write to this origin's IndexedDB.
 */
import * as v from 'valibot'
import type { Clock } from '../../base'
import type { Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import { verifyCredential } from '../credentials/verify'
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
import { ownChain } from './own-chain'
import { signingDevices } from './revocations'
import { trustedSet } from './trust'

/**
 * Whether this device still keeps the identity secret: `needed` until the
 * person confirms a backup (the phrase written down or a file saved), `saved`
 * after, when only the phrase or the file can sign as the identity, `locked`
 * when the person chose to keep it here behind a passphrase, `linked` when
 * this device was linked from another one and never held it (the phrase is
 * with the person or on the identity's first device).
 */
export type BackupState = 'needed' | 'saved' | 'locked' | 'linked'

export interface Unlocked {
  readonly identityKey: IdentityKey
  readonly device: KeyPair<DeviceKey>
  readonly backup: BackupState
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
  backupSavedAt: v.optional(v.number()),
  linked: v.optional(v.literal(true)),
  linkedChain: v.optional(v.string()),
})
const sealed = v.object({ iv: v.instance(Uint8Array), ciphertext: v.instance(Uint8Array) })

const damaged = (reason: DamageReason, detail: string) => new IdentityDamaged(reason, detail)

const openSlot = async (key: CryptoKey, record: unknown, slot: 'identity' | 'device') => {
  const parsed = v.safeParse(sealed, record)
  const bytes = parsed.success ? await openSecret(key, slot, parsed.output) : undefined
  return bytes ?? damaged('unreadable-secret', `the ${slot} secret does not open`)
}

/** The identity secret stored here, if it opens, whatever identity the other records name. */
export const storedIdentitySecret = async (snapshot: StoredSnapshot): Promise<RecoverySecret | undefined> => {
  const key = snapshot.wrappingKey
  const record = snapshot.secrets.get('identity')
  if (!(key instanceof CryptoKey) || record === undefined) return undefined
  const bytes = await openSlot(key, record, 'identity')
  return bytes instanceof IdentityDamaged ? undefined : recoverySecretFromBytes(bytes)
}

/**
 * The identity secret this device still keeps (before a backup), opened and
 * checked against `identityKey`; undefined when there is none or it does not
 * open to that identity. Read at the moment of use, never held in memory.
 */
export const keptIdentitySecret = async (
  snapshot: StoredSnapshot,
  identityKey: IdentityKey,
): Promise<RecoverySecret | undefined> => {
  const secret = await storedIdentitySecret(snapshot)
  return secret !== undefined && identityKeyPairOf(secret).publicKey === identityKey ? secret : undefined
}

/** The backup state of an identity that opens. */
export const backupStateOf = (snapshot: StoredSnapshot): BackupState => {
  if (snapshot.secrets.has('identity')) return 'needed'
  if (snapshot.secrets.has('locked')) return 'locked'
  return isLinkedRecord(snapshot.identity) ? 'linked' : 'saved'
}

const isLinkedRecord = (record: unknown): boolean =>
  typeof record === 'object' && record !== null && 'linked' in record && record.linked === true

/** Checks the kept identity secret, if any: it must open and belong to the recorded identity. */
const checkKeptSecret = async (
  key: CryptoKey,
  snapshot: StoredSnapshot,
  identityKey: string,
  backupSavedAt: number | undefined,
  linked: boolean,
): Promise<BackupState | IdentityDamaged> => {
  const record = snapshot.secrets.get('identity')
  if (record === undefined) {
    // No copy is normal only once the person confirmed a backup, or on a linked device; otherwise it was lost.
    if (backupSavedAt === undefined && !linked) return damaged('missing-identity-secret', 'identity')
    return backupStateOf(snapshot)
  }
  const bytes = await openSlot(key, record, 'identity')
  if (bytes instanceof IdentityDamaged) return bytes
  const secret = recoverySecretFromBytes(bytes)
  if (secret === undefined) return damaged('unreadable-secret', 'the identity secret has a wrong size')
  if (identityKeyPairOf(secret).publicKey !== identityKey) {
    return damaged('key-mismatch', 'the identity secret does not belong to the recorded identity')
  }
  return 'needed'
}

/** 'none' only when nothing at all is stored: the one case where a first run may create an identity. */
export const unlock = async (snapshot: StoredSnapshot, clock: Clock): Promise<Unlocked | IdentityDamaged | 'none'> => {
  if (isEmptySnapshot(snapshot)) return 'none'
  if (snapshot.identity === undefined) return damaged('missing-identity-record', 'other HALO records exist')
  const record = v.safeParse(identityRecord, snapshot.identity)
  if (!record.success) return damaged('malformed-identity-record', v.summarize(record.issues))
  const key = snapshot.wrappingKey
  if (!(key instanceof CryptoKey)) return damaged('missing-wrapping-key', 'the key that seals the secrets is gone')

  const deviceRecord = snapshot.secrets.get('device')
  if (deviceRecord === undefined) return damaged('missing-device-secret', 'device')
  const linked = record.output.linked === true
  const backup = await checkKeptSecret(key, snapshot, record.output.identityKey, record.output.backupSavedAt, linked)
  if (backup instanceof IdentityDamaged) return backup
  const deviceSeed = await openSlot(key, deviceRecord, 'device')
  if (deviceSeed instanceof IdentityDamaged) return deviceSeed
  if (deviceSeed.length !== 32) return damaged('unreadable-secret', 'the device secret has a wrong size')
  const identityKey = record.output.identityKey as IdentityKey
  const device = keyPairFromSeed<DeviceKey>(deviceSeed)
  if (device.publicKey !== record.output.deviceKey) {
    return damaged('key-mismatch', 'the device secret does not belong to the recorded device')
  }

  const verified = new VerifiedCache()
  const { accepted, revoked } = trustedSet(identityKey, snapshot.credentials, clock, verified)
  const chain = ownChain(accepted, device.publicKey, record.output.linkedChain)
  const opened = { identityKey, device, backup, credentials: accepted, revoked, verified }
  if (revoked.has(device.publicKey) || (chain === undefined && linked)) {
    // Revoked, or cut off with the device that linked it: opened all the same, so the person can still read what is
    // here (`HaloIdentity.removed` says so, and refuses to sign). Only a chain that once held counts as this device's.
    const held = chain ?? chainOnceHeld(identityKey, device.publicKey, snapshot.credentials, clock, revoked)
    if (held !== undefined) return { ...opened, chain: held }
    if (revoked.has(device.publicKey)) return damaged('this-device-revoked', 'another device revoked this one')
    return damaged('missing-linked-chain', 'no valid AuthorizedDevice for this device')
  }
  if (chain === undefined) return damaged('missing-device-authorization', 'no valid AuthorizedDevice for this device')
  return { ...opened, chain }
}

/**
 * This device's AuthorizedDevice that verifies with the revocations set aside, when this device or one it was signed
 * through is revoked: it held until then. Anything else (forged, expired, for another device) is not one.
 */
const chainOnceHeld = (
  identityKey: IdentityKey,
  device: DeviceKey,
  values: readonly unknown[],
  clock: Clock,
  revoked: ReadonlySet<string>,
): Credential | undefined => {
  for (const value of values) {
    const decoded = decodeCredential(value)
    if (!decoded.ok) continue
    const credential = decoded.value
    if (credential.issuer !== identityKey || credential.subject !== device) continue
    if (credential.assertion.kind !== 'AuthorizedDevice') continue
    if (!revoked.has(device) && !signingDevices(credential).some((signer) => revoked.has(signer))) continue
    if (verifyCredential(credential, { clock }).ok) return credential
  }
  return undefined
}
