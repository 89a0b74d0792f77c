import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config-error'
import { DEFAULT_ALLOWED_ORIGINS, parseLimits } from '../src/limits'
import { parseOrigins } from '../src/origins'
import { MAX_SHARDS, parseShards } from '../src/shards'

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

  it('trusts CF-Connecting-IP only when told the worker is behind Cloudflare’s edge', () => {
    expect(parseLimits({}).behindCloudflareEdge).toBe(false)
    expect(parseLimits({ BEHIND_CLOUDFLARE_EDGE: 'true' }).behindCloudflareEdge).toBe(true)
    expect(() => parseLimits({ BEHIND_CLOUDFLARE_EDGE: 'yes' })).toThrow(/BEHIND_CLOUDFLARE_EDGE/)
  })

  it('refuses an address byte burst smaller than the largest frame, which could never be sent', () => {
    expect(() => parseLimits({ MAX_FRAME_BYTES: '2000', ADDRESS_BYTES_BURST: '1999' })).toThrow(/ADDRESS_BYTES_BURST/)
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

describe('shards', () => {
  it('serves only listed names, `main` by default', () => {
    expect(parseLimits({}).shards.names).toEqual(['main'])
    const policy = parseShards(' main, team-2 ,main,')
    expect(policy.names).toEqual(['main', 'team-2'])
    expect(policy.first).toBe('main')
    expect(policy.allows('team-2')).toBe(true)
    expect(policy.allows('team-3')).toBe(false)
  })

  it('refuses a list it cannot use', () => {
    expect(() => parseShards('')).toThrow(/at least one/)
    expect(() => parseShards('main,bad name')).toThrow(ConfigError)
    expect(() => parseShards('x'.repeat(65))).toThrow(ConfigError)
    expect(() => parseShards(Array.from({ length: MAX_SHARDS + 1 }, (_, i) => `s${i}`).join(','))).toThrow(/more than/)
  })
})
