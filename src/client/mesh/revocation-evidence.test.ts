import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { generateKeyPair, issueCredential, type PublicKey } from '../../halo'
import { EVIDENCE_KEPT, revocationEvidence } from './revocation-evidence'

const identity = generateKeyPair()
const device = generateKeyPair()
const self = { identityKey: identity.publicKey, deviceKey: device.publicKey }

// Each revocation a millisecond after the last: two made in the same millisecond would be one credential (same id).
const clock = new ManualClock(Date.now())
const revocationOf = (subject: PublicKey, issuer = identity) => {
  clock.advance(1)
  return issueCredential({
    issuer: issuer.publicKey,
    subject,
    assertion: { kind: 'DeviceRevoked' },
    signer: { key: issuer },
    clock,
  })
}

describe('the evidence of a revoked refusal that reaches HALO', () => {
  it('keeps a DeviceRevoked credential of this identity about this device', () => {
    const revocation = revocationOf(device.publicKey)
    expect(revocationEvidence(self)([revocation])).toEqual([revocation])
  })

  it('drops revocations of other devices, of another identity, other credentials and junk', () => {
    const other = generateKeyPair()
    const evidence = [
      revocationOf(other.publicKey),
      revocationOf(device.publicKey, other),
      issueCredential({
        issuer: identity.publicKey,
        subject: device.publicKey,
        assertion: { kind: 'DeviceName', name: 'Phone' },
        signer: { key: identity },
        clock,
      }),
      'junk',
      { id: 'x' },
    ]
    expect(revocationEvidence(self)(evidence)).toEqual([])
    expect(revocationEvidence(self)('not a list')).toEqual([])
  })

  it('passes each copy on once, however many refusals repeat it', () => {
    const pick = revocationEvidence(self)
    const revocation = revocationOf(device.publicKey)
    expect(pick([revocation, revocation])).toEqual([revocation])
    expect(pick([revocation])).toEqual([])
  })

  it('passes on the real copy after a copy of its id with another proof, which HALO refuses, came first', () => {
    const pick = revocationEvidence(self)
    const revocation = revocationOf(device.publicKey)
    // A peer that read the revocation in a space's log sends it first with a signature of its own: same id.
    const signature = revocation.proof.signature
    const forged = {
      ...revocation,
      proof: { ...revocation.proof, signature: `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}` },
    }
    expect(pick([forged])).toEqual([forged])
    expect(pick([revocation])).toEqual([revocation])
    expect(pick([forged, revocation])).toEqual([])
  })

  it('keeps at most a few from one refusal, and looks only at the first entries of a long list', () => {
    const many = Array.from({ length: 10 }, () => revocationOf(device.publicKey))
    expect(revocationEvidence(self)(many)).toEqual(many.slice(0, EVIDENCE_KEPT))
    const late = revocationOf(device.publicKey)
    expect(revocationEvidence(self)([...Array.from({ length: 1_000 }, () => 'junk'), late])).toEqual([])
  })
})
