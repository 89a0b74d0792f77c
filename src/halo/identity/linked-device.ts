/** What a device linked from another device of the identity writes: its own key, its chain, no identity secret. */
import type { Clock, Result } from '../../base'
import { err, ok } from '../../base'
import { copyKey } from '../credentials/copy-key'
import type { Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { DeviceKey, IdentityKey, KeyPair } from '../keys/keys'
import type { IdentityContents } from '../storage/halo-database'
import { createWrappingKey, sealSecret } from '../storage/key-wrapping'
import { LinkedChainRefused } from './errors'
import { trustedSet } from './trust'

export interface LinkedInput {
  readonly deviceKeyPair: KeyPair<DeviceKey>
  readonly identityKey: IdentityKey
  /** This device's AuthorizedDevice, from the device that linked it. */
  readonly chain: unknown
  /** The identity's credentials as that device handed them over; only those that verify are kept. */
  readonly credentials: readonly unknown[]
}

/**
 * Checks the chain is this identity's authorization of exactly this device and holds with the identity's
 * revocations applied, then assembles the records; nothing here touches storage.
 */
export const prepareLinkedDevice = async (
  input: LinkedInput,
  clock: Clock,
): Promise<Result<IdentityContents, LinkedChainRefused>> => {
  const decoded = decodeCredential(input.chain)
  if (!decoded.ok) return err(new LinkedChainRefused('malformed', decoded.error.message))
  const chain: Credential = decoded.value
  const device = input.deviceKeyPair.publicKey
  if (chain.issuer !== input.identityKey) return err(new LinkedChainRefused('wrong-identity', chain.issuer))
  if (chain.subject !== device) return err(new LinkedChainRefused('wrong-device', chain.subject))
  if (chain.assertion.kind !== 'AuthorizedDevice')
    return err(new LinkedChainRefused('wrong-kind', chain.assertion.kind))
  const { accepted, revoked } = trustedSet(input.identityKey, [...input.credentials, chain], clock)
  // This very copy: another copy of its id, with another proof, is not what this device was handed.
  const linkedChain = copyKey(chain)
  if (revoked.has(device) || !accepted.some((each) => copyKey(each) === linkedChain)) {
    return err(new LinkedChainRefused('does-not-verify', 'expired, revoked or badly signed'))
  }
  const wrappingKey = await createWrappingKey()
  const now = clock.now()
  return ok({
    identity: {
      slot: 'self',
      version: 1,
      identityKey: input.identityKey,
      deviceKey: device,
      createdAt: now,
      linked: true,
      linkedChain,
    },
    wrappingKey,
    secrets: [{ slot: 'device', ...(await sealSecret(wrappingKey, 'device', input.deviceKeyPair.secretKey)) }],
    credentials: accepted,
  })
}
