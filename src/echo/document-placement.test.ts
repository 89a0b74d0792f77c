/**
 * Which space a document belongs to is stored once and kept (document-spaces.ts): a root listing another space's
 * documents is only a claim, whatever order the spaces are opened in, here or after a restart (review 12, F6).
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DocumentSpaces } from './document-spaces'
import type { Echo } from './echo'
import type { SpaceId } from './ids'
import type { DocumentId } from './space/documents'
import type { Space } from './space/space'
import { ManualClock } from '../base/testing/manual-clock'
import { makeActor, openTestEcho, T0, uniqueDatabaseName } from './testing/fixtures'
import { dbOf, objectDocumentsOf, repoOf, rootOf } from './testing/internals'
import { pairedAdapters, whenPeer } from './testing/paired-network'

const opened: Echo[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((echo) => echo.close()))
})

const open = (options: { name?: string; peerId?: string; clock?: ManualClock } = {}): Echo => {
  const echo = openTestEcho(options)
  opened.push(echo)
  return echo
}

const close = async (echo: Echo): Promise<void> => {
  opened.splice(opened.indexOf(echo), 1)
  await echo.close()
}

/** Every document `space`'s root lists. */
const listedBy = (space: Space): DocumentId[] => Object.keys(rootOf(space).doc().documents) as DocumentId[]

/** `theirs`'s root lists `docs` too, as a peer who writes that root may make it. */
const claim = (theirs: Space, docs: readonly DocumentId[], role: 'objects' | 'text' = 'objects'): void => {
  rootOf(theirs).change((doc) => {
    for (const id of docs) doc.documents[id] = role
  })
}

/**
 * `remote` serves `device` what `device` says is `space`'s (the mesh's rule: a peer sees the documents of the
 * spaces it is a member of), and takes everything from it.
 */
const serve = async (device: Echo, remote: Echo, space: Space): Promise<void> => {
  const [toRemote, toDevice] = pairedAdapters()
  // Its root is asked for before the space is here (the mesh's `expect`).
  const rule = (_peer: unknown, doc: DocumentId) =>
    device.spaceOfDocument(doc) === space.id || doc === rootOf(space).documentId
  device.replicate(toRemote, { access: rule, announce: rule })
  remote.replicate(toDevice, { access: () => true, announce: () => true })
  await whenPeer(repoOf(device), String(repoOf(remote).peerId))
}

describe('a document’s space, stored once', { timeout: 30_000 }, () => {
  it('keeps S’s documents with S when T’s root lists them, in either opening order and after restarts', async () => {
    const name = uniqueDatabaseName()
    const ada = makeActor()
    const first = open({ name })
    const secret = await first.createSpace(ada, 'Secret')
    const note = await secret.createNote(ada, 'Plan', 'the secret plan')
    if (!note.ok) throw note.error
    const sDocs = [...listedBy(secret), rootOf(secret).documentId]
    const theirs = await first.createSpace(ada, 'Recipes')
    claim(theirs, sDocs)
    for (const doc of sDocs) expect(first.spaceOfDocument(doc)).toBe(secret.id)
    await close(first)

    // T's root is followed first: its claim is ignored, and T shows none of S's objects.
    const second = open({ name })
    const t = await second.openSpace(theirs.id)
    if (!t.ok) throw t.error
    for (const doc of sDocs) {
      expect(second.spaceOfDocument(doc)).toBeUndefined()
      expect(second.placementOfDocument(doc)).toBe(secret.id)
    }
    await t.value.loaded()
    expect(objectDocumentsOf(t.value)).toEqual([])
    expect(await t.value.get(note.value.id)).toBeUndefined()
    const s = await second.openSpace(secret.id)
    if (!s.ok) throw s.error
    for (const doc of sDocs) expect(second.spaceOfDocument(doc)).toBe(secret.id)
    expect((await s.value.get(note.value.id))?.fields).toMatchObject({ title: 'Plan' })
    await close(second)

    // Both at once (as the client opens them) and in the other order: the same answer.
    for (const order of [
      [theirs.id, secret.id],
      [secret.id, theirs.id],
    ]) {
      const again = open({ name })
      await Promise.all(order.map((id) => again.openSpace(id)))
      for (const doc of sDocs) expect(again.spaceOfDocument(doc)).toBe(secret.id)
      await close(again)
    }
  })

  it('fills in the answers of a device from before they were stored: S’s documents stay S’s', async () => {
    const name = uniqueDatabaseName()
    const clock = new ManualClock(T0)
    const ada = makeActor()
    const first = open({ name, clock })
    const secret = await first.createSpace(ada, 'Secret')
    const note = await secret.createNote(ada, 'Plan', 'the secret plan')
    if (!note.ok) throw note.error
    const sDocs = [...listedBy(secret), rootOf(secret).documentId]
    // T joined later (its id may sort before S's), and its root lists S's documents.
    clock.advance(1_000)
    const theirs = await first.createSpace(ada, 'Recipes')
    claim(theirs, sDocs)
    await close(first)
    const old = open({ name, clock })
    await dbOf(old).documentSpaces.clear()
    const t = await old.openSpace(theirs.id)
    if (!t.ok) throw t.error
    for (const doc of sDocs) expect(old.placementOfDocument(doc)).toBe(secret.id)
    expect(old.placementOfDocument(rootOf(t.value).documentId)).toBe(theirs.id)
    await old.openSpace(secret.id)
    for (const doc of sDocs) expect(old.spaceOfDocument(doc)).toBe(secret.id)
  })

  it('gives a document first listed by a hostile root, not here yet, to the space it arrives under', async () => {
    const ada = makeActor()
    const carol = makeActor()
    const mallory = makeActor()
    const carolEcho = open({ peerId: 'cp1.cc.1' })
    const secret = await carolEcho.createSpace(carol, 'Secret')
    const note = await secret.createNote(carol, 'Plan', 'the secret plan')
    if (!note.ok) throw note.error
    if (!secret.admit(carol, ada.identity, 'editor').ok) throw new Error('admit ada in S')
    const sDocs = listedBy(secret)
    const malloryEcho = open({ peerId: 'cp1.dd.1' })
    const theirs = await malloryEcho.createSpace(mallory, 'Recipes')
    if (!theirs.admit(mallory, ada.identity, 'editor').ok) throw new Error('admit ada in T')
    claim(theirs, sDocs)

    // Ada's device adopts T first: T's claims are only claims while the documents are not here.
    const name = uniqueDatabaseName()
    const device = open({ name, peerId: 'cp1.aa.1' })
    await serve(device, malloryEcho, theirs)
    await serve(device, carolEcho, secret)
    const adoptedT = await device.adoptSpace({
      identity: ada.identity,
      spaceId: theirs.id,
      rootUrl: rootOf(theirs).url,
    })
    if (!adoptedT.ok) throw adoptedT.error
    for (const doc of sDocs) expect(device.placementOfDocument(doc)).toBeUndefined()
    const adoptedS = await device.adoptSpace({
      identity: ada.identity,
      spaceId: secret.id,
      rootUrl: rootOf(secret).url,
    })
    if (!adoptedS.ok) throw adoptedS.error
    await vi.waitFor(async () => {
      expect((await adoptedS.value.get(note.value.id))?.fields).toMatchObject({ title: 'Plan' })
    })
    await vi.waitFor(() => {
      for (const doc of sDocs) expect(device.placementOfDocument(doc)).toBe(secret.id)
    })
    expect(await adoptedT.value.get(note.value.id)).toBeUndefined()
    await close(device)

    // After a restart, T first: S keeps them.
    const restarted = open({ name, peerId: 'cp1.aa.2' })
    await restarted.openSpace(theirs.id)
    await restarted.openSpace(secret.id)
    for (const doc of sDocs) expect(restarted.spaceOfDocument(doc)).toBe(secret.id)
  })
})

describe('DocumentSpaces', () => {
  /** Enough of a root's handle: its id, its document, and the change event. */
  const fakeRoot = (id: string, documents: Record<string, string>) => {
    let listener: ((event: { patches: { path: unknown[] }[] }) => void) | undefined
    const doc = { documents }
    return {
      handle: {
        documentId: id,
        doc: () => doc,
        on: (_: string, fn: typeof listener) => (listener = fn),
        off: () => (listener = undefined),
      } as unknown as Parameters<DocumentSpaces['follow']>[1],
      list: (listed: string) => {
        doc.documents[listed] = 'objects'
        listener?.({ patches: [{ path: ['documents', listed] }] })
      },
    }
  }
  const S = 'space-s' as SpaceId
  const T = 'space-t' as SpaceId
  const doc = 'doc-x' as DocumentId

  it('a document not here answers to the latest claim, and is kept by the one it arrived under', () => {
    const here = new Set<string>()
    const spaces = new DocumentSpaces({ isHere: (id) => here.has(id) })
    const t = fakeRoot('root-t', { [doc]: 'objects' })
    spaces.follow(T, t.handle)
    expect(spaces.spaceOf(doc)).toBe(T)
    const s = fakeRoot('root-s', { [doc]: 'objects' })
    spaces.follow(S, s.handle)
    expect(spaces.spaceOf(doc)).toBe(S)
    here.add(doc)
    expect(spaces.spaceOf(doc)).toBe(S)
    // T lists it again (a peer rewrote T's root): the answer stays.
    Reflect.deleteProperty(t.handle.doc().documents, doc)
    t.list(doc)
    expect(spaces.spaceOf(doc)).toBe(S)
    expect(spaces.owns(T, doc)).toBe(false)
    expect(spaces.owns(S, doc)).toBe(true)
  })

  it('keeps a document that arrived under T with T when S lists it later', () => {
    const here = new Set<string>()
    const spaces = new DocumentSpaces({ isHere: (id) => here.has(id) })
    spaces.follow(T, fakeRoot('root-t', { [doc]: 'objects' }).handle)
    here.add(doc)
    expect(spaces.spaceOf(doc)).toBe(T)
    spaces.follow(S, fakeRoot('root-s', { [doc]: 'objects' }).handle)
    expect(spaces.spaceOf(doc)).toBe(T)
    expect(spaces.owns(S, doc)).toBe(false)
  })
})
