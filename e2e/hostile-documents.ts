/**
 * The hostile member page's own copy of a space (browser side, bundled into `hostile-peer-page.ts`): a real
 * automerge-repo Repo over the project's `MeshNetworkAdapter`, attached to the links its swarm authenticated, that
 * finds the space's root and data documents and then writes what its role does not allow: a flood of forged,
 * unauthorized, expired, backdated and dangling membership entries (issue 13, case 8), and a viewer's edits of
 * objects and the root (case 6). The honest side must screen or ignore all of it. Never part of the app.
 */
import { Automerge, initializeBase64Wasm, Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo/slim'
import { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64'
import {
  generateKeyPair,
  issueCredential,
  type Credential,
  type CredentialId,
  type KeyPair,
  type PublicKey,
  type SpaceRole,
} from '../src/halo'
import { MeshNetworkAdapter, type Swarm } from '../src/mesh'
import { toPlain, toStored } from '../src/echo/space/documents'

/** Loaded once, when the page loads: the Repo and the sync-message reader need it. */
const automergeReady: Promise<void> = initializeBase64Wasm(automergeWasmBase64)

/** The kinds of junk entry `forgeEntries` writes, in turn. */
const JUNK_KINDS = ['forged', 'unauthorized', 'expired', 'dangling', 'backdated'] as const
type JunkKind = (typeof JUNK_KINDS)[number]

/** What the hostile member signs with: its stolen device key and the device's chain to its identity. */
export interface Signing {
  readonly identity: string
  readonly key: KeyPair
  readonly chain: unknown
}

interface Held {
  readonly repo: Repo
  readonly root: DocHandle<Record<string, unknown>>
  readonly data: readonly DocHandle<Record<string, unknown>>[]
  readonly stop: () => void
}

let held: Held | undefined

const holding = (): Held => {
  if (held === undefined) throw new Error('no space held')
  return held
}

/**
 * Starts a Repo whose peer id is `wireId` (the repo the handshake proved), attaches every peer `swarm` lets in on
 * `channel` (telling `onSent` of each frame it sends), and finds the root at `rootUrl` and every document it
 * lists. Returns those documents' ids.
 */
export const holdSpace = async (
  swarm: Swarm,
  channel: string,
  wireId: string,
  rootUrl: string,
  onSent: (bytes: Uint8Array, to: string) => void,
): Promise<string[]> => {
  await automergeReady
  const adapter = new MeshNetworkAdapter({ allowed: () => true })
  const repo = new Repo({ network: [adapter], peerId: wireId as PeerId, sharePolicy: () => Promise.resolve(true) })
  const frames = swarm.channel<Uint8Array>(channel)
  const attached = new Map<string, () => void>()
  const follow = (): void => {
    const peers = swarm.authenticated.get()
    for (const [peerId, peer] of peers) {
      if (attached.has(peerId)) continue
      const detach = adapter.attach({
        remote: { repo: peer.repo, storage: peer.storage, device: peer.device, identity: peer.identity },
        send: async (bytes) => {
          await frames.send(bytes, peerId)
          onSent(bytes, peerId)
        },
        subscribe: (onBytes) =>
          frames.subscribe((data, from) => {
            if (from === peerId && data instanceof Uint8Array) onBytes(data)
          }),
      })
      attached.set(peerId, detach)
    }
    for (const [peerId, detach] of [...attached]) {
      if (peers.has(peerId)) continue
      attached.delete(peerId)
      detach()
    }
  }
  // The Repo asks only the peers it knows of when `find` starts: with none yet, a document is unavailable at once.
  const announced = new Set<string>()
  const allAnnounced = new Promise<void>((resolve) => {
    const check = (): void => {
      if (attached.size > 0 && attached.size <= announced.size) resolve()
    }
    adapter.on('peer-candidate', ({ peerId }) => {
      announced.add(peerId)
      check()
    })
    adapter.on('peer-disconnected', ({ peerId }) => {
      announced.delete(peerId)
    })
  })
  const unfollow = swarm.authenticated.subscribe(follow)
  follow()
  await allAnnounced
  const root = await repo.find<Record<string, unknown>>(rootUrl as never)
  const ids = Object.keys(root.doc().documents ?? {})
  const data = await Promise.all(ids.map((id) => repo.find<Record<string, unknown>>(`automerge:${id}` as never)))
  held = {
    repo,
    root,
    data,
    stop: () => {
      unfollow()
      for (const detach of attached.values()) detach()
      void repo.shutdown().catch(() => undefined)
    },
  }
  return ids
}

/** The membership log of the held root, as plain credentials. */
const logOf = (root: DocHandle<Record<string, unknown>>): Credential[] =>
  Object.values((root.doc().log ?? {}) as Record<string, unknown>).map((entry) => toPlain(entry) as Credential)

/** A document's heads as Automerge and its sync messages name them (hex; a handle's `heads()` are base58). */
const headsOf = (handle: DocHandle<Record<string, unknown>>): string[] => [...Automerge.getHeads(handle.doc())].sort()

/** Our Repo's heads of every held document, by document id. */
export const heldHeads = (): Record<string, string[]> => {
  const { root, data } = holding()
  return Object.fromEntries([root, ...data].map((handle) => [handle.documentId, headsOf(handle)]))
}

/**
 * Adds `count` junk entries to the held log in one change, the kinds of `JUNK_KINDS` in turn, all admitting
 * strangers: in the owner's name but signed by our device (forged), ours as an editor making an owner
 * (unauthorized), ours with an expiry, ours on a parent that does not exist (dangling), and ours on the log from
 * before our admission (backdated). Returns the new heads of the root.
 */
export const forgeEntries = (signing: Signing, count: number): string[] => {
  const { root } = holding()
  const log = logOf(root)
  const cited = new Set(log.flatMap((entry) => entry.parents))
  const heads = log.map((entry) => entry.id).filter((id) => !cited.has(id))
  const genesis = log.find((entry) => entry.assertion.kind === 'SpaceGenesis')
  const founder = log.find((entry) => genesis !== undefined && entry.parents.includes(genesis.id))
  if (genesis === undefined || founder === undefined) throw new Error('no genesis in the held log')
  const space = genesis.issuer
  const signer = { key: signing.key, chain: signing.chain as Credential }
  const now = Date.now()
  const entry = (kind: JunkKind, index: number): Credential => {
    const admit = (role: SpaceRole, parents: readonly CredentialId[], expiresAt?: number): Credential =>
      issueCredential({
        issuer: (kind === 'forged' ? founder.subject : signing.identity) as PublicKey,
        subject: generateKeyPair().publicKey,
        assertion: { kind: 'SpaceMember', space, role },
        signer,
        // Expired: issued two minutes ago, for one minute.
        clock: { now: () => (kind === 'expired' ? now - 120_000 : now) + index },
        parents,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      })
    switch (kind) {
      case 'forged':
        return admit('editor', heads)
      case 'unauthorized':
        return admit('owner', heads)
      case 'expired':
        return admit('viewer', heads, now - 60_000)
      case 'dangling':
        return admit('editor', ['0'.repeat(64) as CredentialId])
      case 'backdated':
        return admit('editor', [founder.id])
    }
  }
  const junk = Array.from({ length: count }, (_, index) =>
    entry(JUNK_KINDS[index % JUNK_KINDS.length] ?? 'forged', index),
  )
  root.change((doc) => {
    const entries = doc.log as Record<string, unknown>
    for (const each of junk) entries[each.id] = toStored(each)
  })
  return headsOf(root)
}

/**
 * Writes as a member that may not: every object's title and the space's name become `title`, each data document
 * gets an object of its own, and `entries` junk entries go into the log, each in its own change. Returns the new
 * heads of every held document.
 */
export const forceWrites = (signing: Signing, title: string, entries: number): Record<string, string[]> => {
  const { root, data } = holding()
  root.change((doc) => {
    doc.name = toStored(title)
  })
  forgeEntries(signing, entries)
  for (const handle of data) {
    handle.change((doc) => {
      const objects = doc.objects as Record<string, { fields?: Record<string, unknown> } | undefined> | undefined
      if (objects === undefined) return
      for (const object of Object.values(objects)) {
        if (object?.fields?.title !== undefined) object.fields.title = toStored(title)
      }
      objects.forced = toStored({ type: 'task', fields: { title } }) as never
    })
  }
  return heldHeads()
}

/** The titles of the objects in the held documents, as our copy has them now. */
export const heldTitles = (): string[] =>
  holding().data.flatMap((handle) =>
    Object.values((handle.doc().objects ?? {}) as Record<string, unknown>).flatMap((object) => {
      const title = (toPlain(object) as { fields?: { title?: unknown } }).fields?.title
      return typeof title === 'string' ? [title] : []
    }),
  )

/** The heads a sync message names, or undefined if `data` is not one (or Automerge is not loaded yet). */
export const syncHeadsOf = (data: unknown): string[] | undefined => {
  if (!(data instanceof Uint8Array)) return undefined
  try {
    return [...Automerge.decodeSyncMessage(data).heads].sort()
  } catch {
    return undefined
  }
}

/** A sync message that carries `chunk` as its changes and asks for nothing (Automerge loaded by `holdSpace`). */
export const syncCarrying = (chunk: Uint8Array): Uint8Array =>
  Automerge.encodeSyncMessage({ heads: [], need: [], have: [], changes: [chunk] })

export const releaseSpace = (): void => {
  held?.stop()
  held = undefined
}
