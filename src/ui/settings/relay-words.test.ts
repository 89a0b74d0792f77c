import { describe, expect, it } from 'vitest'
import { relayWords } from './relay-words'

const url = 'wss://relay.example.org/r/main'

describe('relayWords', () => {
  it('says what each relay does to us, with its reason and the junk it sent', () => {
    expect(relayWords({ url, state: 'connecting' })).toBe('Connecting…')
    expect(relayWords({ url, state: 'connected' })).toBe('Connected')
    expect(relayWords({ url, state: 'unreachable' })).toBe('Not reachable, retrying')
    expect(relayWords({ url, state: 'slowed', reason: 'rate-limited: wait' })).toBe(
      'Asked us to slow down; trying again later',
    )
    expect(relayWords({ url, state: 'refused', reason: 'blocked: no' })).toBe(
      'Refused our messages: blocked: no. Not used again until the app is reloaded',
    )
    expect(relayWords({ url, state: 'refused' })).toBe('Refused our messages; not used again until the app is reloaded')
    expect(relayWords({ url, state: 'connected', junk: 1 })).toBe('Connected. It sent 1 unreadable message, ignored')
    expect(relayWords({ url, state: 'connected', junk: 3 })).toBe('Connected. It sent 3 unreadable messages, ignored')
  })
})
