import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config-error'
import { DEFAULT_ALLOWED_ORIGINS, parseLimits } from '../src/limits'
import { parseOrigins } from '../src/origins'

describe('parseLimits', () => {
  it('uses the defaults for vars that are not set, and reads strings and numbers', () => {
    const limits = parseLimits({ RATE_BURST: '7', RATE_PER_SECOND: 3, MAX_FRAME_BYTES: '' })
    expect(limits).toMatchObject({
      rateBurst: 7,
      ratePerSecond: 3,
      maxFrameBytes: 131_072,
      maxTopicsPerSubscription: 250,
    })
  })

  it.each(['0', '-1', '1.5', 'ten', '1e400'])('refuses %s as a limit', (value) => {
    expect(() => parseLimits({ MAX_CONNECTIONS_PER_IP: value })).toThrow(ConfigError)
  })

  it('refuses an origin list it cannot read', () => {
    expect(() => parseLimits({ ALLOWED_ORIGINS: 'app.example' })).toThrow(/ALLOWED_ORIGINS/)
    expect(() => parseLimits({ ALLOWED_ORIGINS: 'https://app.example/path' })).toThrow(ConfigError)
  })
})

describe('origins', () => {
  it('by default admits pages served from this machine only', () => {
    const policy = parseOrigins(DEFAULT_ALLOWED_ORIGINS)
    expect(policy.allows('http://127.0.0.1:5173')).toBe(true)
    expect(policy.allows('http://localhost:4173')).toBe(true)
    expect(policy.allows('https://127.0.0.1:5173')).toBe(false)
    expect(policy.allows('http://127.0.0.1.evil.example:80')).toBe(false)
    expect(policy.allows('http://127.0.0.1:80x')).toBe(false)
    expect(policy.allows('https://app.example')).toBe(false)
  })

  it('matches exact origins case-insensitively, and * admits all', () => {
    const policy = parseOrigins(' https://App.Example ,')
    expect(policy.allows('https://app.example')).toBe(true)
    expect(policy.allows('https://app.example:8443')).toBe(false)
    expect(policy.allows('null')).toBe(false)
    expect(parseOrigins('*').allows('https://anything.example')).toBe(true)
  })

  it('admits clients that send no Origin: only browsers send one, and they always do', () => {
    expect(parseOrigins('https://app.example').allows(null)).toBe(true)
  })
})
