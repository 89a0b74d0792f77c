import { describe, expect, it } from 'vitest'
import { fromUtf8 } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { keyPairFromSeed } from '../keys/keys'
import type { Credential } from './credential'
import { issueCredential } from './issue'
import { signedBytes } from './signed-bytes'

// Fixed keys and time: Ed25519 signatures are deterministic, so this credential is the same bytes on every machine.
const identity = keyPairFromSeed(new Uint8Array(32).fill(1))
const device = keyPairFromSeed(new Uint8Array(32).fill(2))
const credential: Credential = issueCredential({
  issuer: identity.publicKey,
  subject: device.publicKey,
  assertion: { kind: 'AuthorizedDevice' },
  signer: { key: identity },
  clock: new ManualClock(1_800_000_000_000),
})

describe('the signed bytes of a credential', () => {
  it('are fixed canonical JSON (cross-checked with Python hashlib and cryptography)', () => {
    expect(fromUtf8(signedBytes({ ...credential, signer: credential.proof.signer }))).toBe(
      `{"assertion":{"kind":"AuthorizedDevice"},"format":"commonplace/credential/v1","issuedAt":1800000000000,` +
        `"issuer":"${identity.publicKey}","parents":[],"signer":"${identity.publicKey}","subject":"${device.publicKey}"}`,
    )
    expect(identity.publicKey).toBe('8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c')
    expect(device.publicKey).toBe('8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394')
    expect(credential.id).toBe('88a51bd93d6a9e5a8ca374ed299417739011b5242deedac4bb0e51d5a0c5a6b1')
    expect(credential.proof.signature).toBe(
      'ffb3d256712f291d7dd672c5c81d28670f3296ec0812c71d5e3d722efc722825c1d2ede62fe173d61e816a4d33cb3d190697f982328ffd2600dc7621222e0805',
    )
  })
})
