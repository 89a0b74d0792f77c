import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { DeviceKey, IdentityKey } from '../keys/keys'
import { generateKeyPair } from '../keys/keys'
import { IllFormedText, issueCredential } from './issue'
import { verifyCredential } from './verify'

const clock = new ManualClock(1_800_000_000_000)
const identity = generateKeyPair<IdentityKey>()
const device = generateKeyPair<DeviceKey>()
const named = (name: string) =>
  issueCredential({
    issuer: identity.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'DeviceName', name },
    signer: { key: identity },
    clock,
  })

describe('issueCredential', () => {
  it('refuses to sign a string that is not well-formed Unicode, with a typed error', () => {
    let thrown: unknown
    try {
      named('Ada\ud800')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(IllFormedText)
    expect(thrown instanceof IllFormedText && [thrown.code, thrown.path]).toEqual([
      'ill-formed-text',
      '$.assertion.name',
    ])
  })

  it('signs well-formed text, surrogate pairs included', () => {
    expect(verifyCredential(named('Ada 🦊'), { clock }).ok).toBe(true)
  })
})
