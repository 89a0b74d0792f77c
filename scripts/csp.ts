/**
 * The app's security headers, from one place. The build puts the
 * Content-Security-Policy into the page (a meta tag, for hosts that send no
 * headers) and every header into `_headers` (see `headers-file.ts`), which
 * `npm start`'s server sends and static hosts such as Netlify and Cloudflare
 * Pages read.
 *
 * No inline script anywhere; `wasm-unsafe-eval` is what compiling the
 * automerge wasm needs. `connect-src` names only the relay origins the build
 * allows (`allowedRelayOrigins` in src/mesh): WebRTC itself is not governed
 * by CSP, and the page fetches nothing else from elsewhere.
 */
const directives = (connectOrigins: readonly string[]): string[] => [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  ["connect-src 'self'", ...connectOrigins].join(' '),
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
]

/** The policy for the meta tag: `frame-ancestors` has no effect there (browsers ignore it with a warning). */
export const metaContentSecurityPolicy = (connectOrigins: readonly string[]): string =>
  directives(connectOrigins).join('; ')

/** The policy as an HTTP header: no page of any origin may frame the app. */
export const contentSecurityPolicy = (connectOrigins: readonly string[]): string =>
  [...directives(connectOrigins), "frame-ancestors 'none'"].join('; ')

/**
 * Every header a host should send with every response. Framing is refused
 * twice (`frame-ancestors`, and `X-Frame-Options` for browsers without CSP 2);
 * COOP keeps a page that opened the app from holding a handle to its window.
 */
export const securityHeaders = (connectOrigins: readonly string[]): Readonly<Record<string, string>> => ({
  'Content-Security-Policy': contentSecurityPolicy(connectOrigins),
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
})
