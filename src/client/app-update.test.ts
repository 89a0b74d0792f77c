import { describe, expect, it } from 'vitest'
import { registrationOutcome } from './app-update'

describe('registrationOutcome', () => {
  it('reads a browser that refuses service workers as one that cannot keep the app offline', () => {
    for (const name of ['SecurityError', 'NotSupportedError']) {
      const refused = new DOMException('The user denied permission to use Service Worker.', name)
      expect(registrationOutcome(refused, { registered: false, scriptLoads: true })).toEqual({ kind: 'unsupported' })
      expect(registrationOutcome(refused, { registered: false, scriptLoads: false })).toEqual({ kind: 'unsupported' })
    }
  })

  it('reads a register that hands back nothing, while the script loads, as no support', () => {
    // workbox-window's own failure when `register` resolved without a registration.
    const workboxFailure = new TypeError("Cannot read properties of undefined (reading 'waiting')")
    expect(registrationOutcome(workboxFailure, { registered: false, scriptLoads: true })).toEqual({
      kind: 'unsupported',
    })
  })

  it('reads a script that did not load as a failure that may pass next time, in words for people', () => {
    const outcome = registrationOutcome(new TypeError('Failed to register a ServiceWorker: fetch failed'), {
      registered: false,
      scriptLoads: false,
    })
    expect(outcome.kind === 'failed' && outcome.problem.code).toBe('offline-copy-failed')
  })

  it('never puts the error text in the state', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'waiting')")
    for (const facts of [
      { registered: true, scriptLoads: true },
      { registered: true, scriptLoads: false },
      { registered: false, scriptLoads: false },
      { registered: false, scriptLoads: true },
    ]) {
      expect(JSON.stringify(registrationOutcome(error, facts))).not.toContain('undefined')
    }
  })
})
