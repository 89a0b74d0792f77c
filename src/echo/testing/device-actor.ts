// Tests only: an actor that signs as an identity through a device key and its chain.
import type { Clock } from '../../base'
import type { KeyPair } from '../../halo'
import type { DeviceKey } from '../../halo/testing'
import { generateKeyPair, issueCredential } from '../../halo'
import type { Actor } from '../membership/entries'

/** A new device of `identity`, authorized by the identity key: it signs as the identity with its chain. */
export const makeDeviceActor = (identity: KeyPair, clock: Clock): Actor => {
  const key = generateKeyPair<DeviceKey>()
  const chain = issueCredential({
    issuer: identity.publicKey,
    subject: key.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: identity },
    clock,
  })
  return { identity: identity.publicKey, signer: { key, chain } }
}
