/**
 * What the hostile-peer spec needs beside the spec itself: the hostile test page (bundled from
 * `hostile-peer-page.ts`, served on its own 127.0.0.1 origin, never part of the app), a page object to drive it,
 * and the thief's tools on the honest side: an init script that reads the swarm secret out of an honest page, a
 * reader of a device's stored key and chain, and a snapshot of what a page stores.
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { StaticServer } from '../scripts/static-server.ts'
import { serveTestPage } from './test-page.ts'
import type {
  AmFrame,
  AmRecord,
  FloodKind,
  HostileReport,
  Member,
  Party,
  PeerRecord,
  Script,
} from './hostile-peer-page.ts'

export type { AmFrame, AmRecord, Member, Party, PeerRecord, Script }

/** Builds the hostile page into a directory of its own and serves it. */
export const serveHostilePage = (): Promise<StaticServer> =>
  serveTestPage(new URL('./hostile-peer-page.ts', import.meta.url), 'hostile peer')

/** The room a thief found: the swarm secret, its generation and the room it derives. */
export interface StolenRoom {
  readonly spaceId: string
  readonly secretHex: string
  readonly generation: number
  readonly roomId: string
  readonly password: string
}

/** The hostile peer's page, driven through `window.hostilePeer`. */
export class HostilePeer {
  readonly page: Page
  /** The signal relay it joins rooms through. */
  readonly relayUrl: string
  selfId = ''

  constructor(page: Page, relayUrl: string) {
    this.page = page
    this.relayUrl = relayUrl
  }

  async open(url: string): Promise<this> {
    await this.page.goto(url)
    await this.page.waitForFunction(() => 'hostilePeer' in window)
    return this
  }

  mintParty(): Promise<Party> {
    return this.page.evaluate(() => window.hostilePeer.mintParty())
  }

  /** Finds which of the secrets read out of an honest page makes the room that page joined. */
  async stealRoom(loot: Loot, spaceId: string): Promise<StolenRoom> {
    const found = await this.page.evaluate(
      ([candidates, rooms, space]) => window.hostilePeer.findSecret(candidates, rooms, space),
      [loot.secrets, loot.rooms, spaceId] as const,
    )
    if (found === undefined) throw new Error('no secret read out of the honest page makes the room it joined')
    return { spaceId, ...found }
  }

  /** Joins the room; until it has met the two honest devices, it rejoins. */
  async join(room: StolenRoom, script: Script): Promise<void> {
    this.selfId = await this.page.evaluate(
      ([relay, stolen, scripted]) =>
        window.hostilePeer.join({
          relayUrl: relay,
          roomId: stolen.roomId,
          password: stolen.password,
          spaceId: stolen.spaceId,
          generation: stolen.generation,
          script: scripted,
          expectPeers: 2,
        }),
      [this.relayUrl, room, script] as const,
    )
  }

  /** Joins through the real swarm as `party`, a member's device; returns its repo id. */
  joinAsMember(room: StolenRoom, party: Party): Promise<string> {
    return this.page.evaluate(
      ([relay, stolen, member]) =>
        window.hostilePeer.joinAsMember({
          relayUrl: relay,
          roomId: stolen.roomId,
          password: stolen.password,
          spaceId: stolen.spaceId,
          generation: stolen.generation,
          party: member,
          expectPeers: 2,
        }),
      [this.relayUrl, room, party] as const,
    )
  }

  members(): Promise<Member[]> {
    return this.page.evaluate(() => window.hostilePeer.members())
  }

  /** Holds the space whose root is at `rootUrl` in a Repo of its own (after `joinAsMember`); its data documents. */
  holdSpace(rootUrl: string): Promise<string[]> {
    return this.page.evaluate((url) => window.hostilePeer.holdSpace(url), rootUrl)
  }

  forgeEntries(count: number): Promise<string[]> {
    return this.page.evaluate((n) => window.hostilePeer.forgeEntries(n), count)
  }

  forceWrites(title: string, entries: number): Promise<Record<string, string[]>> {
    return this.page.evaluate(([text, n]) => window.hostilePeer.forceWrites(text, n), [title, entries] as const)
  }

  heldHeads(): Promise<Record<string, string[]>> {
    return this.page.evaluate(() => window.hostilePeer.heldHeads())
  }

  heldTitles(): Promise<string[]> {
    return this.page.evaluate(() => window.hostilePeer.heldTitles())
  }

  sendAm(peerId: string, frames: readonly AmFrame[]): Promise<void> {
    return this.page.evaluate(([to, sent]) => window.hostilePeer.sendAm(to, sent), [peerId, frames] as const)
  }

  flood(kinds: readonly FloodKind[], count: number, perSecond: number): Promise<number[]> {
    return this.page.evaluate((options) => window.hostilePeer.flood(options), { kinds, count, perSecond })
  }

  report(): Promise<HostileReport> {
    return this.page.evaluate(() => window.hostilePeer.report())
  }

  /** Waits until a handshake has started and the connection it ran on is open. */
  async waitForPending(timeoutMs = 60_000): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const report = window.hostilePeer.report()
        return (
          report.peers.some((peer) => peer.sent.length > 0) &&
          report.connections.some((each) => each.connectedAt !== undefined && each.closedAt === undefined)
        )
      },
      undefined,
      { timeout: timeoutMs, polling: 50 },
    )
  }

  leave(): Promise<void> {
    return this.page.evaluate(() => window.hostilePeer.leave())
  }
}

/** What a same-origin script reads out of an honest page as it runs (see `stealSecrets`). */
export interface Loot {
  /** Every 32 random bytes the page drew (hex): its swarm secrets are among them. */
  readonly secrets: string[]
  /** Space rooms the page joined (Trystero hashes `password:commonplace/1:roomId` to key the room's signaling). */
  readonly rooms: string[]
}

declare global {
  interface Window {
    e2eLoot?: Loot
  }
}

/**
 * A same-origin script in every page of `context` (an XSS, or a compromised dependency): it records the 32-byte
 * values the page draws (a swarm secret is one) and the rooms Trystero keys. The shipped app has no such hook.
 */
export const stealSecrets = async (context: BrowserContext): Promise<void> => {
  await context.addInitScript(() => {
    // Kept in the tab's sessionStorage, so what was read before a navigation is still there after it.
    const loot = JSON.parse(sessionStorage.getItem('e2eLoot') ?? '{"secrets":[],"rooms":[]}') as Loot
    window.e2eLoot = loot
    const keep = (): void => {
      sessionStorage.setItem('e2eLoot', JSON.stringify(loot))
    }
    const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    const random = crypto.getRandomValues.bind(crypto)
    crypto.getRandomValues = ((array: ArrayBufferView<ArrayBuffer>) => {
      const filled = random(array)
      if (filled instanceof Uint8Array && filled.length === 32) {
        loot.secrets.push(toHex(filled))
        keep()
      }
      return filled
    }) as Crypto['getRandomValues']
    const decoder = new TextDecoder()
    const digest = crypto.subtle.digest.bind(crypto.subtle)
    const roomKey = /^[A-Za-z0-9_-]{43}:commonplace\/1:([A-Za-z0-9_-]{43})$/
    crypto.subtle.digest = (algorithm, data) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer)
      const room = roomKey.exec(decoder.decode(bytes.slice(0, 200)))?.[1]
      if (room !== undefined && !loot.rooms.includes(room)) {
        loot.rooms.push(room)
        keep()
      }
      return digest(algorithm, data)
    }
  })
}

export const lootOf = async (page: Page): Promise<Loot> =>
  page.evaluate(() => window.e2eLoot ?? { secrets: [], rooms: [] })

/** Every record of every store of this origin's databases named `name`. */
const storedRecords = (page: Page, name: string): Promise<Record<string, unknown[]>> =>
  page.evaluate(async (dbName) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dbName)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open'))
    })
    const found: Record<string, unknown[]> = {}
    for (const store of Array.from(db.objectStoreNames)) {
      found[store] = await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    }
    db.close()
    return found
  }, name)

/** The row of the space `page` lists as `name` (without a name, the personal space), from ECHO's registry. */
const spaceRowOf = async (page: Page, name?: string): Promise<{ id: string; rootUrl: string }> => {
  const rows = (await storedRecords(page, 'commonplace-echo')).spaces as {
    id: string
    rootUrl: string
    name?: string
    personal?: number
  }[]
  const found = rows.find((row) => (name === undefined ? row.personal === 1 : row.name === name))
  if (found === undefined) throw new Error(`no space ${name ?? 'personal'} stored`)
  return found
}

export const spaceIdOf = async (page: Page, name?: string): Promise<string> => (await spaceRowOf(page, name)).id

/** The URL of the root document of the space `page` lists as `name`. */
export const rootUrlOf = async (page: Page, name: string): Promise<string> => (await spaceRowOf(page, name)).rootUrl

/** The ids of the documents `page` stores (a chunk's key starts with its document's id). */
export const storedDocumentIds = async (page: Page): Promise<string[]> => {
  const chunks = (await storedRecords(page, 'commonplace-echo')).chunks ?? []
  const ids = chunks.map((row) => (row as { key: string[] }).key).filter((key) => key.length > 1)
  return [...new Set(ids.map((key) => key[0] ?? ''))].sort()
}

/**
 * What `page` stores that a peer could change: every document chunk (its key names the document and, for
 * snapshots and changes, the hash of its content or heads; sync states, which are only about peers, left out), the
 * spaces registry, the membership log's entries and HALO's credentials.
 */
export const storedDocuments = async (page: Page): Promise<Record<string, string[]>> => {
  const echo = await storedRecords(page, 'commonplace-echo')
  const halo = await storedRecords(page, 'commonplace-halo')
  const keys = (rows: unknown[] | undefined, field: string): string[] =>
    (rows ?? []).map((row) => JSON.stringify((row as Record<string, unknown>)[field])).sort()
  return {
    chunks: keys(echo.chunks, 'key').filter((key) => !key.includes('"sync-state"')),
    spaces: keys(echo.spaces, 'id'),
    log: keys(echo.logEntries, 'key'),
    credentials: keys(halo.credentialCopies, 'copy'),
  }
}

/**
 * A device's stolen key and chain: read from its HALO store and opened with the wrapping key the page itself uses
 * (a same-origin script can decrypt with a non-extractable key, see src/halo/storage/key-wrapping.ts).
 */
export const stealDevice = (page: Page): Promise<Party> =>
  page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('commonplace-halo')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open'))
    })
    const get = (store: string, key: string): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).get(key)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    const all = (store: string): Promise<unknown[]> =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    const self = (await get('identity', 'self')) as { identityKey: string; deviceKey: string }
    const wrapping = (await get('wrapping', 'wrapping')) as { key: CryptoKey }
    const sealed = (await get('secrets', 'device')) as { iv: Uint8Array; ciphertext: Uint8Array }
    const seed = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: sealed.iv as BufferSource,
          additionalData: new TextEncoder().encode('commonplace/halo/secret/device'),
        },
        wrapping.key,
        sealed.ciphertext as BufferSource,
      ),
    )
    const credentials = (await all('credentialCopies')) as { kind: string; subject: string; credential: unknown }[]
    db.close()
    const chain = credentials.find((row) => row.kind === 'AuthorizedDevice' && row.subject === self.deviceKey)
    if (chain === undefined) throw new Error('no chain stored for this device')
    return {
      identity: self.identityKey,
      device: self.deviceKey,
      seedHex: Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join(''),
      chain: chain.credential,
    }
  })
