/**
 * The app's Content-Security-Policy. No inline script anywhere; `wasm-unsafe-eval`
 * is what compiling the automerge wasm needs. `ws:`/`wss:` stay open because the
 * signaling relays are configurable in settings.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss: http://127.0.0.1:* https:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')
