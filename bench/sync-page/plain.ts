/**
 * The baseline of the sync bench: plain automerge-repo between two pages over a
 * Trystero room through the same local signal worker (no handshake, no access
 * rules, no ECHO), and a raw data-channel round trip in the same room.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { cbor, initializeWasm, NetworkAdapter, Repo } from '@automerge/automerge-repo/slim'
import type { DocHandle, DocumentId, Message, PeerId, PeerMetadata } from '@automerge/automerge-repo/slim'
import { joinSwarm, validateMeshSettings } from '../../src/mesh/index.ts'
import type { Swarm } from '../../src/mesh/index.ts'
import { trustConnection } from '../../src/mesh/pending-cap.ts'
import { fromBase64Url } from '../../src/base/index.ts'
import { DexieStorageAdapter } from '../../src/echo/storage/dexie-storage-adapter.ts'
import { openEchoDatabase } from '../../src/echo/storage/echo-database.ts'
import { LongTasks, type TaskOver } from './long-tasks.ts'

/** One automerge-repo adapter over one Trystero channel: every message to every peer, CBOR as the library does. */
class TrysteroAdapter extends NetworkAdapter {
  readonly #swarm: Swarm
  readonly #channel
  #ready = false

  constructor(swarm: Swarm) {
    super()
    this.#swarm = swarm
    this.#channel = swarm.channel<Uint8Array>('plain.am')
  }

  isReady(): boolean {
    return this.#ready
  }

  whenReady(): Promise<void> {
    return Promise.resolve()
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.#ready = true
    this.#channel.subscribe((bytes) => {
      receivedBytes += bytes.byteLength
      this.emit('message', cbor.decode(new Uint8Array(bytes)))
    })
    // Each page announces its repo's id on a second channel once the other page is present.
    const hello = this.#swarm.channel<string>('plain.hello')
    hello.subscribe((text) => {
      const remote = JSON.parse(text) as { peerId: PeerId; peerMetadata: PeerMetadata }
      this.emit('peer-candidate', remote)
    })
    const said = new Set<string>()
    this.#swarm.peers.subscribe((peers) => {
      for (const peer of peers) {
        if (said.has(peer)) continue
        said.add(peer)
        void hello.send(JSON.stringify({ peerId, peerMetadata: peerMetadata ?? {} }))
      }
    })
  }

  send(message: Message): void {
    void this.#channel.send(cbor.encode(message))
  }

  disconnect(): void {
    this.#ready = false
  }
}

/**
 * Our swarm caps what a connection brings before a handshake admits its peer (src/mesh/pending-cap.ts, 4 MiB) and
 * lifts the cap only when a peer passes one. These rooms have no handshake, so the cap stayed: past 4 MiB received
 * the connection was closed mid-transfer (Trystero logs "User-Initiated Abort") and every later `find` answered
 * unavailable. Here each connection is trusted from the start, as the app's are once their handshake passed. Runs
 * before the first room is joined: mesh-config.ts subclasses the global `RTCPeerConnection` on first use.
 */
const trustEveryConnection = (): void => {
  const Base = globalThis.RTCPeerConnection
  if (Base === TrustedConnection) return
  TrustedConnection = class extends Base {
    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      trustConnection(this)
    }
  }
  globalThis.RTCPeerConnection = TrustedConnection
}
let TrustedConnection: typeof RTCPeerConnection | undefined

let swarm: Swarm | undefined
/** Bytes of repo messages this page received (payloads, without Trystero's framing). */
let receivedBytes = 0
let repo: Repo | undefined
/** The edit baseline's document: the page that edits it holds it, the other watches it. */
let editHandle: DocHandle<{ title: string }> | undefined
const seenAt = new Map<string, number>()
const now = (): number => performance.timeOrigin + performance.now()
const pongs = new Map<number, () => void>()
/** Whether this page holds the documents (`load`) rather than asks for them. */
let holder = false

const joined = (): { swarm: Swarm; repo: Repo } => {
  if (swarm === undefined || repo === undefined) throw new Error('join first')
  return { swarm, repo }
}

interface SpaceFileJson {
  readonly root: string
  readonly documents: Record<string, string>
}

export const plain = {
  /**
   * Joins the room with a plain Repo and a ping channel; returns this page's Trystero id. The Repo keeps what it
   * receives in memory only, or with `stored` also in IndexedDB, through the app's storage adapter in a database of
   * its own, as the app's device does.
   */
  async join(signalUrl: string, roomId: string, stored = false): Promise<string> {
    await initializeWasm(wasmUrl)
    trustEveryConnection()
    const settings = validateMeshSettings({ signalUrls: [signalUrl], publicRelays: [], iceServers: [] })
    if (!settings.ok) throw new Error('bad mesh settings')
    const room = joinSwarm(settings.value, { roomId, password: 'sync-bench' })
    const ping = room.channel<number>('plain.ping')
    const pong = room.channel<number>('plain.pong')
    ping.subscribe((n) => void pong.send(n))
    pong.subscribe((n) => pongs.get(n)?.())
    swarm = room
    // The page holding the documents pushes nothing unasked: the receiver asks for what it wants, in the
    // order the app wants it (a Repo sends its requests only to peers it announces to, so the receiver does).
    repo = new Repo({
      network: [new TrysteroAdapter(room)],
      ...(stored ? { storage: new DexieStorageAdapter(openEchoDatabase({ name: `plain-${roomId}` })) } : {}),
      shareConfig: { announce: () => Promise.resolve(!holder), access: () => Promise.resolve(true) },
    })
    return room.selfId
  },

  /** Peers present in the room and known to the Repo (a find before the Repo knows a peer comes back unavailable). */
  peers: (): number =>
    swarm === undefined || repo === undefined ? 0 : Math.min(swarm.peers.get().size, repo.peers.length),

  /** Round trips of a small message over the data channel, one after another, in ms. */
  async roundTrips(count: number): Promise<number[]> {
    const ping = joined().swarm.channel<number>('plain.ping')
    const times: number[] = []
    for (let n = 0; n < count; n++) {
      const started = performance.now()
      await new Promise<void>((resolve) => {
        pongs.set(n, resolve)
        void ping.send(n)
      })
      pongs.delete(n)
      times.push(performance.now() - started)
    }
    return times
  },

  /**
   * Loads a space file's documents (same ids, same history) into this page's Repo. Returns their ids in the
   * order the app wants them (the root, then object documents, then note texts) and how many come before the texts.
   */
  load(file: string): { ids: string[]; beforeTexts: number } {
    holder = true
    const parsed = JSON.parse(file) as SpaceFileJson
    const objects: string[] = []
    const texts: string[] = []
    for (const [id, bytes] of Object.entries(parsed.documents)) {
      const decoded = fromBase64Url(bytes)
      if (decoded === undefined) throw new Error(`document ${id} is not base64url`)
      const handle = joined().repo.import<{ kind?: string }>(decoded, { docId: id as DocumentId })
      if (id === parsed.root) continue
      if (handle.doc().kind === 'commonplace/objects') objects.push(id)
      else texts.push(id)
    }
    return { ids: [parsed.root, ...objects, ...texts], beforeTexts: 1 + objects.length }
  },

  /**
   * Asks the other page for the root, then every object document at once, then the texts `concurrency` at a
   * time (all at once slows down faster than linearly), as the app orders them; times each step.
   */
  async fetch(
    ids: readonly string[],
    beforeTexts: number,
    concurrency: number,
  ): Promise<{
    rootMs: number
    objectsMs: number
    allMs: number
    receivedBytes: number
    longestTaskMs: number
    longTasks: number
    tasksOver200Ms: TaskOver[]
  }> {
    const tasks = new LongTasks()
    const started = performance.now()
    const find = async (id: string): Promise<void> => {
      const handle = await joined().repo.find(id as DocumentId)
      handle.doc()
    }
    await find(ids[0] ?? '')
    const rootMs = performance.now() - started
    await Promise.all(ids.slice(1, beforeTexts).map(find))
    const objectsMs = performance.now() - started
    const texts = ids.slice(beforeTexts)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < texts.length) await find(texts[next++] ?? '')
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const allMs = performance.now() - started
    return { rootMs, objectsMs, allMs, receivedBytes, ...tasks.stop() }
  },

  /** The edit baseline, on the editing page: a document with a title; returns its URL for the other page. */
  makeEditDoc(): string {
    editHandle = joined().repo.create({ title: 'edit 0' })
    return editHandle.url
  },

  /** On the watching page: records when each title first shows in its copy of the document (epoch ms). */
  async watchEdits(url: string): Promise<void> {
    const handle = await joined().repo.find<{ title: string }>(url as DocumentId)
    const record = (): void => {
      const title = handle.doc().title
      if (!seenAt.has(title)) seenAt.set(title, now())
    }
    handle.on('change', record)
    record()
  },

  /** On the editing page: sets the title, as the app's rename does; returns when (epoch ms) the edit started. */
  edit(title: string): number {
    if (editHandle === undefined) throw new Error('makeEditDoc first')
    const at = now()
    editHandle.change((doc) => {
      doc.title = title
    })
    return at
  },

  /** On the watching page: when (epoch ms) the document first held `title`. */
  seen: (title: string): number | null => seenAt.get(title) ?? null,
}
