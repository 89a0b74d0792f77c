import { afterEach, describe, expect, it } from 'vitest'
import type { DocumentId, PeerId } from '@automerge/automerge-repo/slim'
import type { Echo } from './echo'
import { makeActor, openTestEcho } from './testing/fixtures'
import { repoOf, rootOf } from './testing/internals'
import { pairedAdapters, whenPeer } from './testing/paired-network'

const opened: Echo[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((echo) => echo.close()))
})

const twoEchoes = () => {
  const a = openTestEcho({ peerId: 'cp1.aa.1' })
  const b = openTestEcho({ peerId: 'cp1.bb.2' })
  opened.push(a, b)
  return { a, b }
}

/** Rules that allow the documents in `allowed`, read at each call. */
const rulesOver = (allowed: Set<string>) => ({
  access: (_peer: PeerId, doc: DocumentId) => allowed.has(doc),
  announce: (_peer: PeerId, doc: DocumentId) => allowed.has(doc),
})

describe('Echo.replicate', () => {
  it('sends and serves only the documents the rules allow', async () => {
    const { a, b } = twoEchoes()
    const actor = makeActor()
    const shared = rootOf(await a.createSpace(actor, 'Shared'))
    const secret = rootOf(await a.createSpace(actor, 'Secret'))
    const [toB, toA] = pairedAdapters()
    a.replicate(toB, rulesOver(new Set([shared.documentId])))
    b.replicate(toA, { access: () => true, announce: () => true })
    await Promise.all([whenPeer(repoOf(a), 'cp1.bb.2'), whenPeer(repoOf(b), 'cp1.aa.1')])

    const got = await repoOf(b).find<{ name: unknown }>(shared.url)
    expect(String(got.doc().name)).toBe('Shared')
    // B asks for the secret one by its id: A answers that it does not have it.
    const asked = await repoOf(b).find(secret.url, { allowableStates: ['ready', 'unavailable'] })
    expect(asked.state).toBe('unavailable')
    expect(toB.sentDocuments).toContain(shared.documentId)
    expect(toB.sentDocuments).not.toContain(secret.documentId)
  })

  it('starts and stops sharing when a rule changes and shareConfigChanged is called', async () => {
    const { a, b } = twoEchoes()
    const actor = makeActor()
    const root = rootOf(await a.createSpace(actor, 'Later'))
    const allowed = new Set<string>()
    const [toB, toA] = pairedAdapters()
    a.replicate(toB, rulesOver(allowed))
    b.replicate(toA, { access: () => true, announce: () => true })
    await Promise.all([whenPeer(repoOf(a), 'cp1.bb.2'), whenPeer(repoOf(b), 'cp1.aa.1')])
    const early = await repoOf(b).find(root.url, { allowableStates: ['ready', 'unavailable'] })
    expect(early.state).toBe('unavailable')
    expect(toB.sentDocuments).not.toContain(root.documentId)

    allowed.add(root.documentId)
    a.shareConfigChanged()
    // The handle B already asked with becomes ready once A offers the document.
    await early.whenReady()
    expect(String((early.doc() as { name: unknown }).name)).toBe('Later')

    allowed.delete(root.documentId)
    a.shareConfigChanged()
    const before = toB.sentDocuments.length
    root.change((doc) => {
      doc.name = 'Renamed'
    })
    await a.flush()
    // A sync round with a change is a message about the root; none goes once access is withdrawn.
    const other = rootOf(await a.createSpace(actor, 'Marker'))
    allowed.add(other.documentId)
    a.shareConfigChanged()
    await repoOf(b).find(other.url)
    expect(toB.sentDocuments.slice(before)).not.toContain(root.documentId)
  })

  it('keeps the tabs sharing after stopReplicating, and the peer gets nothing more', async () => {
    const { a, b } = twoEchoes()
    const actor = makeActor()
    const [toB, toA] = pairedAdapters()
    a.replicate(toB, { access: () => true, announce: () => true })
    b.replicate(toA, { access: () => true, announce: () => true })
    await Promise.all([whenPeer(repoOf(a), 'cp1.bb.2'), whenPeer(repoOf(b), 'cp1.aa.1')])
    const root = rootOf(await a.createSpace(actor, 'Both'))
    await repoOf(b).find(root.url)
    a.stopReplicating(toB)
    const before = toB.sentDocuments.length
    root.change((doc) => {
      doc.name = 'After'
    })
    await a.flush()
    expect(toB.sentDocuments.length).toBe(before)
  })
})
