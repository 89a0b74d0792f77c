/** Sent by the page when the person accepts an update. */
const SKIP_WAITING = 'SKIP_WAITING'

export const isSkipWaitingMessage = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING
