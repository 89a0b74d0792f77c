import type { RelayStatus } from '../../client'

const stateWords = (relay: RelayStatus): string => {
  switch (relay.state) {
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return 'Connected'
    case 'slowed':
      return 'Asked us to slow down; trying again later'
    case 'refused':
      return relay.reason === undefined
        ? 'Refused our messages; not used again until the app is reloaded'
        : `Refused our messages: ${relay.reason}. Not used again until the app is reloaded`
    case 'unreachable':
      return 'Not reachable, retrying'
  }
}

/** A relay's status in words for Settings, e.g. "Connected" or "Refused our messages: blocked". */
export const relayWords = (relay: RelayStatus): string => {
  const words = stateWords(relay)
  const junk = relay.junk ?? 0
  if (junk === 0) return words
  return `${words}. It sent ${String(junk)} unreadable ${junk === 1 ? 'message' : 'messages'}, ignored`
}
