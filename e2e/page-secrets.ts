/**
 * The secrets a page holds, read from the page itself at the end of a journey: HALO's sealed seeds opened with the
 * wrapping key the page keeps in IndexedDB (as any same-origin script could), the swarm secrets sealed to this
 * device in the roots ECHO stores (opened here, in Node, with that device seed), and, through an init script of
 * the e2e suite only, every Trystero room the page joined with its password and the page's Trystero peer id (the
 * shipped app has no such hook: Trystero hashes these with `crypto.subtle.digest`, which the script watches).
 */
import { init, loadIncremental } from '@automerge/automerge'
import type { BrowserContext, Page } from '@playwright/test'
import { swarmCommitment } from '../src/halo/keys/derive.ts'
import { openSealedBox } from '../src/halo/sealing/sealed-box.ts'

/** What the digest watcher saw in one browser profile, over all its page loads. */
export interface SeenRooms {
  readonly rooms: { appId: string; roomId: string; at: number }[]
  readonly passwords: { appId: string; roomId: string; password: string }[]
  /** Trystero peer ids this profile hashed a topic for: its own and those of peers it signalled. */
  readonly selfIds: string[]
  /** Its own Trystero peer id, one per page load (`selfId`, random per load). */
  readonly ownIds: string[]
}

declare global {
  interface Window {
    e2eSawDigest?: (text: string, first: boolean) => Promise<void>
  }
}

const ROOT = /^Trystero@(commonplace\/1(?:\/join)?)@([A-Za-z0-9_-]+)(?:@([A-Za-z0-9]+))?$/
const KEYED = /^([A-Za-z0-9_-]+):(commonplace\/1(?:\/join)?):([A-Za-z0-9_-]+)$/

/**
 * Watches Trystero's hashing in every page of `context`: `Trystero@<app>@<room>[@<peer id>]` names a room (and the
 * page's or a peer's id), `<password>:<app>:<room>` is its key. Reported to Node as it happens, so page loads add up.
 */
export const watchRooms = async (context: BrowserContext): Promise<SeenRooms> => {
  const seen: SeenRooms = { rooms: [], passwords: [], selfIds: [], ownIds: [] }
  await context.exposeBinding('e2eSawDigest', (_source, text: string, first: boolean) => {
    const root = ROOT.exec(text)
    const keyed = KEYED.exec(text)
    if (root?.[1] !== undefined && root[2] !== undefined) {
      if (root[3] === undefined) seen.rooms.push({ appId: root[1], roomId: root[2], at: Date.now() })
      else {
        if (!seen.selfIds.includes(root[3])) seen.selfIds.push(root[3])
        if (first) seen.ownIds.push(root[3])
      }
    } else if (
      keyed?.[1] !== undefined &&
      keyed[2] !== undefined &&
      keyed[3] !== undefined &&
      keyed[1] !== 'Trystero'
    ) {
      seen.passwords.push({ password: keyed[1], appId: keyed[2], roomId: keyed[3] })
    }
  })
  await context.addInitScript(() => {
    // A page's first peer topic is its own: Trystero hashes it with the first room's, before it can know any peer.
    let first = true
    const decoder = new TextDecoder()
    const digest = crypto.subtle.digest.bind(crypto.subtle)
    crypto.subtle.digest = (algorithm, data) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer)
      const text = decoder.decode(bytes.slice(0, 400))
      if (text.startsWith('Trystero@') || text.includes(':commonplace/1')) {
        // A page closing while the report is under way is not an error of the page.
        const own = first && /^Trystero@[^@]+@[^@]+@[^@]+$/.test(text)
        if (own) first = false
        window.e2eSawDigest?.(text, own).catch(() => undefined)
      }
      return digest(algorithm, data)
    }
  })
  return seen
}

export interface HaloSecrets {
  readonly identityKey: string
  readonly deviceKey: string
  /** Opened secrets by slot: `device` (the device seed), `identity` (the recovery secret, until a backup). */
  readonly secrets: { slot: string; bytes: Uint8Array }[]
}

/** HALO's identity record and every sealed secret, opened in the page with its own wrapping key. */
export const haloSecrets = async (page: Page): Promise<HaloSecrets> => {
  const read = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('commonplace-halo')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open'))
    })
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result as T[])
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    const [identity] = await all<{ identityKey: string; deviceKey: string }>('identity')
    const [wrapping] = await all<{ key: CryptoKey }>('wrapping')
    const sealed = await all<{ slot: string; iv?: Uint8Array<ArrayBuffer>; ciphertext?: Uint8Array<ArrayBuffer> }>(
      'secrets',
    )
    db.close()
    if (identity === undefined || wrapping === undefined) throw new Error('no identity in this page')
    const secrets: { slot: string; hex: string }[] = []
    for (const { slot, iv, ciphertext } of sealed) {
      if (iv === undefined || ciphertext === undefined) continue
      const additionalData = new TextEncoder().encode(`commonplace/halo/secret/${slot}`)
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, wrapping.key, ciphertext)
      secrets.push({ slot, hex: Array.from(new Uint8Array(plain), (b) => b.toString(16).padStart(2, '0')).join('') })
    }
    return { identityKey: identity.identityKey, deviceKey: identity.deviceKey, secrets }
  })
  return {
    identityKey: read.identityKey,
    deviceKey: read.deviceKey,
    secrets: read.secrets.map(({ slot, hex }) => ({ slot, bytes: Buffer.from(hex, 'hex') })),
  }
}

export interface StoredSpaces {
  readonly spaces: { id: string; name: string; personal: boolean }[]
  /** Every Automerge chunk ECHO stores, by document. */
  readonly chunks: { doc: string; data: Uint8Array }[]
}

export const storedSpaces = async (page: Page): Promise<StoredSpaces> => {
  const read = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('commonplace-echo')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open'))
    })
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result as T[])
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    const spaces = await all<{ id: string; name: string; personal: 0 | 1 }>('spaces')
    const chunks = await all<{ key: string[]; data: Uint8Array }>('chunks')
    db.close()
    const base64 = (bytes: Uint8Array) => {
      let text = ''
      for (const byte of bytes) text += String.fromCharCode(byte)
      return btoa(text)
    }
    return {
      spaces: spaces.map((space) => ({ id: space.id, name: space.name, personal: space.personal === 1 })),
      // A document's own chunks; sync states and the repo's storage id are not documents.
      chunks: chunks
        .filter((chunk) => chunk.key[1] === 'snapshot' || chunk.key[1] === 'incremental')
        .map((chunk) => ({ doc: chunk.key[0] ?? '', data: base64(chunk.data) })),
    }
  })
  return {
    spaces: read.spaces,
    chunks: read.chunks.map((chunk) => ({ doc: chunk.doc, data: Buffer.from(chunk.data, 'base64') })),
  }
}

export interface SwarmSecret {
  readonly spaceId: string
  readonly generation: number
  readonly secret: Uint8Array
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Every swarm secret sealed to `deviceKey` in any stored document's `spaceKeys` (entries keyed
 * `<space>:<generation>:<recipient>:<sealer>:<commitment>`), opened with its seed and checked against its commitment.
 */
export const swarmSecretsOf = (stored: StoredSpaces, deviceKey: string, deviceSeed: Uint8Array): SwarmSecret[] => {
  const byDoc = new Map<string, Uint8Array[]>()
  for (const chunk of stored.chunks) byDoc.set(chunk.doc, [...(byDoc.get(chunk.doc) ?? []), chunk.data])
  const found = new Map<string, SwarmSecret>()
  for (const chunks of byDoc.values()) {
    let doc = init<Record<string, unknown>>()
    for (const chunk of chunks) doc = loadIncremental(doc, chunk)
    const keys = doc.spaceKeys
    if (!isRecord(keys)) continue
    for (const [key, value] of Object.entries(keys)) {
      const [spaceId = '', generation = '', recipient, , commitment] = key.split(':')
      if (recipient !== deviceKey || !isRecord(value)) continue
      const box = Buffer.from(String(value.box), 'base64url')
      const aad = `commonplace/swarm-box/v2|${spaceId}|${generation}|${recipient}`
      const opened = openSealedBox(deviceSeed, box, aad)
      if (!opened.ok || swarmCommitment(opened.value, spaceId, Number(generation)) !== commitment) continue
      found.set(`${spaceId}|${generation}|${commitment}`, {
        spaceId,
        generation: Number(generation),
        secret: opened.value,
      })
    }
  }
  return [...found.values()]
}
