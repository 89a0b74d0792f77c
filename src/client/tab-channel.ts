/**
 * Tells the other tabs of this browser profile that something stored changed,
 * so they re-read it. Tabs share IndexedDB but not memory.
 */
export interface TabChannel<T> {
  post(message: T): void
  subscribe(listener: (message: T) => void): () => void
  close(): void
}

export const openTabChannel = <T>(name: string, isMessage: (data: unknown) => data is T): TabChannel<T> => {
  const channel = new BroadcastChannel(`commonplace/${name}`)
  const listeners = new Set<(message: T) => void>()
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isMessage(event.data)) return
    for (const listener of [...listeners]) listener(event.data)
  })
  return {
    post: (message) => {
      channel.postMessage(message)
    },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => {
      channel.close()
    },
  }
}
