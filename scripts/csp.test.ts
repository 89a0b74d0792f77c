import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, metaContentSecurityPolicy, securityHeaders } from './csp.ts'

const directive = (policy: string, name: string): string | undefined =>
  policy
    .split('; ')
    .find((entry) => entry.startsWith(`${name} `))
    ?.slice(name.length + 1)

describe('security headers', () => {
  const origins = ['wss://signal.example.org', 'ws://127.0.0.1:8787']

  it('refuse framing by any origin and isolate the window', () => {
    const headers = securityHeaders(origins)
    expect(directive(headers['Content-Security-Policy'] ?? '', 'frame-ancestors')).toBe("'none'")
    expect(headers['X-Frame-Options']).toBe('DENY')
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin')
    expect(headers['X-Content-Type-Options']).toBe('nosniff')
  })

  it('let the page connect only to itself and the relays the build allows', () => {
    expect(directive(contentSecurityPolicy(origins), 'connect-src')).toBe(
      "'self' wss://signal.example.org ws://127.0.0.1:8787",
    )
    expect(directive(contentSecurityPolicy([]), 'connect-src')).toBe("'self'")
  })

  it('put the same policy in the meta tag, without frame-ancestors, which a meta tag cannot carry', () => {
    expect(metaContentSecurityPolicy(origins)).not.toContain('frame-ancestors')
    expect(`${metaContentSecurityPolicy(origins)}; frame-ancestors 'none'`).toBe(contentSecurityPolicy(origins))
  })
})
