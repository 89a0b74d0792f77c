import type { RelayStatus } from '../../client'

/**
 * A relay's status for Settings: the app's own words, and apart from them what the relay said (mesh's
 * `cleanReason` already took out what reorders or hides text). Settings shows `said` quoted in a `<bdi>`, after
 * `words`, so the relay's text is never read as the app's.
 */
export interface RelayWords {
  readonly words: string
  readonly said?: string
}

const stateWords = (relay: RelayStatus): string => {
  switch (relay.state) {
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return 'Connected'
    case 'slowed':
      return 'Asked us to slow down; trying again later'
    case 'refused':
      return 'Refused our messages; not used again until the app is reloaded'
    case 'unreachable':
      // Trystero gives up on a relay after five failed redials in a row, and does not say when.
      return 'Not reachable'
  }
}

/** e.g. `{ words: 'Refused our messages; not used again until the app is reloaded. The relay said:', said: 'blocked' }`. */
export const relayWords = (relay: RelayStatus): RelayWords => {
  const junk = relay.junk ?? 0
  const sentences = [
    stateWords(relay),
    ...(junk === 0 ? [] : [`It sent ${String(junk)} unreadable ${junk === 1 ? 'message' : 'messages'}, ignored`]),
  ]
  const said = relay.state === 'refused' || relay.state === 'slowed' ? relay.reason : undefined
  if (said === undefined || said === '') return { words: sentences.join('. ') }
  return { words: [...sentences, 'The relay said:'].join('. '), said }
}
