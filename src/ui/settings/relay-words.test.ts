import { describe, expect, it } from 'vitest'
import { relayWords } from './relay-words'

const url = 'wss://relay.example.org/r/main'

describe('relayWords', () => {
  it('says what each relay does to us, and the junk it sent', () => {
    expect(relayWords({ url, state: 'connecting' })).toEqual({ words: 'Connecting…' })
    expect(relayWords({ url, state: 'connected' })).toEqual({ words: 'Connected' })
    expect(relayWords({ url, state: 'refused' })).toEqual({
      words: 'Refused our messages; not used again until the app is reloaded',
    })
    expect(relayWords({ url, state: 'connected', junk: 1 })).toEqual({
      words: 'Connected. It sent 1 unreadable message, ignored',
    })
    expect(relayWords({ url, state: 'connected', junk: 3 })).toEqual({
      words: 'Connected. It sent 3 unreadable messages, ignored',
    })
  })

  it('does not promise a retry Trystero may have given up (review 14, H5)', () => {
    expect(relayWords({ url, state: 'unreachable' })).toEqual({ words: 'Not reachable' })
  })

  it('keeps the relay’s own words apart, last, after the app’s sentences (review 14, H5)', () => {
    expect(relayWords({ url, state: 'refused', reason: 'your identity was reset, visit x.example' })).toEqual({
      words: 'Refused our messages; not used again until the app is reloaded. The relay said:',
      said: 'your identity was reset, visit x.example',
    })
    expect(relayWords({ url, state: 'slowed', reason: 'rate-limited: wait', junk: 2 })).toEqual({
      words: 'Asked us to slow down; trying again later. It sent 2 unreadable messages, ignored. The relay said:',
      said: 'rate-limited: wait',
    })
  })
})
