import { beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential } from '../credentials/credential'
import { issueCredential } from '../credentials/issue'
import type { IdentityBackup } from './identity-file'
import { PBKDF2_ITERATIONS, readIdentityFile, writeIdentityFile } from './identity-file'
import { identityKeyPairOf, newRecoverySecret } from './recovery-phrase'

const secret = newRecoverySecret()
const identity = identityKeyPairOf(secret)
const profile: Credential = issueCredential({
  issuer: identity.publicKey,
  subject: identity.publicKey,
  assertion: { kind: 'Profile', displayName: 'Grace', avatar: { colour: '#00aa55', emoji: '🌱' } },
  signer: { key: identity },
  clock: new ManualClock(1_800_000_000_000),
})
const backup: IdentityBackup = { secret, credentials: [profile] }
const PASSWORD = 'correct horse battery'

let file = ''
beforeAll(async () => {
  const written = await writeIdentityFile(backup, PASSWORD)
  if (!written.ok) throw written.error
  file = written.value
})

const codeOf = async (text: string, password = PASSWORD) => {
  const result = await readIdentityFile(text, password)
  return result.ok ? 'ok' : result.error.code
}

/** Changes one field of the file's JSON. */
const edit = (change: (json: Record<string, unknown>) => void): string => {
  const json = JSON.parse(file) as Record<string, unknown>
  change(json)
  return JSON.stringify(json)
}

describe('identity file', () => {
  it('names its format, version, KDF parameters and salt in the clear', () => {
    const json = JSON.parse(file) as { format: string; version: number; kdf: { iterations: number; salt: string } }
    expect(json.format).toBe('commonplace-identity')
    expect(json.version).toBe(1)
    expect(json.kdf.iterations).toBe(PBKDF2_ITERATIONS)
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000)
    expect(json.kdf.salt).toMatch(/^[\w-]{22}$/)
    expect(file).not.toContain('Grace')
  })

  it('opens with the right password and gives back the secret and credentials', async () => {
    expect(await readIdentityFile(file, PASSWORD)).toEqual({ ok: true, value: backup })
  })

  it('tells a wrong password', async () => {
    expect(await codeOf(file, 'correct horse battery!')).toBe('wrong-password')
  })

  it('tells a damaged file', async () => {
    const flipped = edit((json) => {
      const text = json.ciphertext as string
      json.ciphertext = (text.startsWith('A') ? 'B' : 'A') + text.slice(1)
    })
    expect(await codeOf(flipped)).toBe('identity-file-damaged')
    expect(await codeOf(edit((json) => (json.kdf = { name: 'PBKDF2-SHA-256', iterations: 1000, salt: 'AAAA' })))).toBe(
      'identity-file-damaged',
    )
    expect(await codeOf(file.slice(0, file.length / 2))).toBe('identity-file-unsupported')
  })

  it('refuses what it cannot read', async () => {
    expect(await codeOf(edit((json) => (json.version = 2)))).toBe('identity-file-unsupported')
    expect(await codeOf('{"hello":"world"}')).toBe('identity-file-unsupported')
  })

  it('refuses a short password when writing', async () => {
    const result = await writeIdentityFile(backup, 'short')
    expect(result.ok ? 'ok' : result.error.code).toBe('weak-password')
  })
})
