/**
 * Browser side of the relay tests and bench: a bare page that joins a swarm
 * through `src/mesh` and exposes what the tests drive and read on
 * `window.relayTest`. Bundled by `relay-harness.ts`.
 */
import { joinSwarm, trysteroPage, validateMeshSettings, type Swarm } from '../src/mesh'

export interface ReceivedBlob {
  readonly from: string
  readonly size: number
  readonly sha256: string
}

export interface RelayTestApi {
  /** This page's peer id (Trystero's, one per page), before any join. */
  selfId(): string
  /** Joins `roomId` through `relayUrls` (no ICE servers); returns this peer's id. */
  join(options: { relayUrls: string[]; roomId: string; password: string }): string
  /** Joins another room and stays in it, as the app's pages hold one room per space. */
  hold(options: { relayUrls: string[]; roomId: string; password: string }): void
  peers(): string[]
  /** Milliseconds from `join` until the first peer was present, or null while alone. */
  firstPeerAfterMs(): number | null
  /** Sends `size` pseudo-random bytes from `seed` to every peer; returns their SHA-256 (hex). */
  sendBlob(size: number, seed: number): Promise<string>
  receivedBlobs(): ReceivedBlob[]
  sendText(text: string): Promise<void>
  texts(): string[]
  leave(): Promise<void>
}

declare global {
  interface Window {
    relayTest: RelayTestApi
  }
}

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
const sha256 = async (bytes: Uint8Array<ArrayBuffer>): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', bytes))

/** xorshift32: the same bytes for the same seed, without holding a copy in the test. */
const pseudoRandomBytes = (size: number, seed: number): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(size)
  let state = seed | 1
  for (let i = 0; i < size; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    out[i] = state & 0xff
  }
  return out
}

let swarm: Swarm | undefined
let joinedAt = 0
let firstPeerAt: number | null = null
const blobs: ReceivedBlob[] = []
const texts: string[] = []

const current = (): Swarm => {
  if (swarm === undefined) throw new Error('join first')
  return swarm
}

const settingsFor = (relayUrls: string[]) => {
  const settings = validateMeshSettings({ signalUrls: relayUrls, publicRelays: [], iceServers: [] })
  if (!settings.ok) throw new Error(settings.error.map((problem) => problem.message).join('; '))
  return settings.value
}
const held: Swarm[] = []

window.relayTest = {
  selfId: () => trysteroPage.selfId,
  join({ relayUrls, roomId, password }) {
    joinedAt = performance.now()
    const joined = joinSwarm(settingsFor(relayUrls), { roomId, password })
    swarm = joined
    joined.peers.subscribe((peers) => {
      if (peers.size > 0 && firstPeerAt === null) firstPeerAt = performance.now()
    })
    joined.channel<Uint8Array>('cp.blob').subscribe((data, from) => {
      const bytes = new Uint8Array(data)
      void sha256(bytes).then((digest) => blobs.push({ from, size: bytes.length, sha256: digest }))
    })
    joined.channel<string>('cp.text').subscribe((text) => texts.push(text))
    return joined.selfId
  },
  hold({ relayUrls, roomId, password }) {
    held.push(joinSwarm(settingsFor(relayUrls), { roomId, password }))
  },
  peers: () => (swarm === undefined ? [] : [...swarm.peers.get()].sort()),
  firstPeerAfterMs: () => (firstPeerAt === null ? null : firstPeerAt - joinedAt),
  async sendBlob(size, seed) {
    const bytes = pseudoRandomBytes(size, seed)
    await current().channel<Uint8Array>('cp.blob').send(bytes)
    return sha256(bytes)
  },
  receivedBlobs: () => [...blobs],
  sendText: (text) => current().channel<string>('cp.text').send(text),
  texts: () => [...texts],
  async leave() {
    await current().leave()
  },
}
