/** Assembles everything a new device of an identity writes: first run, restore and import alike. */
import type { Clock, Result } from '../../base'
import { err, ok } from '../../base'
import type { Assertion, Avatar, Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { Signer } from '../credentials/issue'
import { IllFormedText, issueCredential } from '../credentials/issue'
import type { DeviceKey, IdentityKey, KeyPair } from '../keys/keys'
import { generateKeyPair } from '../keys/keys'
import type { RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf } from '../recovery/recovery-phrase'
import type { IdentityContents, SecretRecord } from '../storage/halo-database'
import { createWrappingKey, sealSecret } from '../storage/key-wrapping'
import { InvalidInput } from './errors'

export interface ProfileInput {
  readonly displayName: string
  readonly avatar: Avatar
}

/**
 * Issues a credential about the identity or one of its devices and checks it
 * against the decoder's limits, so what we write is exactly what peers accept.
 */
export const issueChecked = (
  identity: IdentityKey,
  subject: IdentityKey | DeviceKey,
  assertion: Assertion,
  signer: Signer,
  clock: Clock,
): Result<Credential, InvalidInput> => {
  let credential: Credential
  try {
    credential = issueCredential({ issuer: identity, subject, assertion, signer, clock })
  } catch (error) {
    if (error instanceof IllFormedText) return err(new InvalidInput(error.message))
    throw error
  }
  const checked = decodeCredential(credential)
  return checked.ok ? ok(credential) : err(new InvalidInput(checked.error.message))
}

/** Trims the name and lower-cases the colour, so `#AA00FF` from a colour picker is accepted. */
export const profileAssertion = (input: ProfileInput): Assertion => ({
  kind: 'Profile',
  displayName: input.displayName.trim(),
  avatar: { ...input.avatar, colour: input.avatar.colour.toLowerCase() },
})

export interface NewDeviceRequest {
  readonly secret: RecoverySecret
  readonly deviceName: string
  /** Issued when given (first run, or a restore that found no profile to keep). */
  readonly profile?: ProfileInput | undefined
  /** Verified credentials of the same identity to keep (from a damaged store or a file). */
  readonly carried?: readonly Credential[]
  /**
   * A first run keeps the identity secret on the device until the person saves
   * a backup. A restore or import does not: the person holds the phrase or file.
   */
  readonly keepSecret: boolean
  readonly clock: Clock
}

export interface NewDevice {
  readonly contents: IdentityContents
  readonly identity: KeyPair<IdentityKey>
  readonly device: KeyPair<DeviceKey>
}

/** Checks all input first, then creates keys; nothing here touches storage. */
export const prepareNewDevice = async (request: NewDeviceRequest): Promise<Result<NewDevice, InvalidInput>> => {
  const { secret, clock } = request
  const identity = identityKeyPairOf(secret)
  const device = generateKeyPair<DeviceKey>()
  const chain = issueCredential({
    issuer: identity.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: identity },
    clock,
  })
  // Signed by the identity key while it is at hand, so the device's name and the first profile
  // hold even after this device is revoked.
  const signer = { key: identity }
  const name = issueChecked(
    identity.publicKey,
    device.publicKey,
    { kind: 'DeviceName', name: request.deviceName.trim() },
    signer,
    clock,
  )
  if (!name.ok) return name
  const credentials = [...(request.carried ?? []), chain, name.value]
  if (request.profile !== undefined) {
    const profile = issueChecked(
      identity.publicKey,
      identity.publicKey,
      profileAssertion(request.profile),
      signer,
      clock,
    )
    if (!profile.ok) return profile
    credentials.push(profile.value)
  }
  const wrappingKey = await createWrappingKey()
  const secrets: SecretRecord[] = [{ slot: 'device', ...(await sealSecret(wrappingKey, 'device', device.secretKey)) }]
  if (request.keepSecret) secrets.push({ slot: 'identity', ...(await sealSecret(wrappingKey, 'identity', secret)) })
  const record = {
    slot: 'self' as const,
    version: 1 as const,
    identityKey: identity.publicKey,
    deviceKey: device.publicKey,
    createdAt: clock.now(),
    ...(request.keepSecret ? {} : { backupSavedAt: clock.now() }),
  }
  return ok({ contents: { identity: record, wrappingKey, secrets, credentials }, identity, device })
}
