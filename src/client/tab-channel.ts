/**
 * Tells the other tabs of this browser profile that something stored changed,
 * so they re-read it. Tabs share IndexedDB but not memory.
 */
export interface TabChannel<T> {
  post(message: T): void
  subscribe(listener: (message: T) => void): () => void
  /** Removes its listener and closes the channel. */
  close(): void
}

/** The part of a `BroadcastChannel` the client uses; tests pass an in-memory one. */
export type ChannelEdge = Pick<BroadcastChannel, 'postMessage' | 'addEventListener' | 'removeEventListener' | 'close'>

/** Opens a channel by name: `name => new BroadcastChannel(name)` in the browser. */
export type OpenChannel = (name: string) => ChannelEdge

export const openTabChannel = <T>(
  open: OpenChannel,
  name: string,
  isMessage: (data: unknown) => data is T,
): TabChannel<T> => {
  const channel = open(`commonplace/${name}`)
  const listeners = new Set<(message: T) => void>()
  const onMessage = (event: Event) => {
    const data: unknown = (event as MessageEvent<unknown>).data
    if (!isMessage(data)) return
    for (const listener of [...listeners]) listener(data)
  }
  channel.addEventListener('message', onMessage)
  return {
    post: (message) => {
      channel.postMessage(message)
    },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => {
      listeners.clear()
      channel.removeEventListener('message', onMessage)
      channel.close()
    },
  }
}
