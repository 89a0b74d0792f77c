/** The frames the relay sends, as text. */

export const okFrame = (eventId: string, accepted: boolean, message: string): string =>
  JSON.stringify(['OK', eventId, accepted, message])

export const eoseFrame = (subId: string): string => JSON.stringify(['EOSE', subId])

export const noticeFrame = (message: string): string => JSON.stringify(['NOTICE', message])

/** `rawEvent` is the event text as its sender wrote it; it is spliced in, not re-encoded. */
export const eventFrame = (subId: string, rawEvent: string): string => `["EVENT",${JSON.stringify(subId)},${rawEvent}]`
