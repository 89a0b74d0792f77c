// A document that arrives whole from a peer is stored without any later change to it.
import { afterEach, describe, expect, it } from 'vitest'
import type { AutomergeUrl, DocumentId } from '@automerge/automerge-repo/slim'
import type { Echo } from './echo'
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { documentsOf, repoOf, rootOf } from './testing/internals'
import { pairedAdapters, whenPeer } from './testing/paired-network'

const opened: Echo[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((echo) => echo.close()))
})

const open = (options: Parameters<typeof openTestEcho>[0]): Echo => {
  const echo = openTestEcho(options)
  opened.push(echo)
  return echo
}

/** A space made on A, and B joined to A; B has found nothing yet. */
const peerWithSpace = async (bName: string) => {
  const a = open({ peerId: 'cp1.aa.1' })
  const b = open({ peerId: 'cp1.bb.2', name: bName })
  const root = rootOf(await a.createSpace(makeActor(), 'From the laptop'))
  const [toB, toA] = pairedAdapters()
  a.replicate(toB, { access: () => true, announce: () => true })
  b.replicate(toA, { access: () => true, announce: () => true })
  await Promise.all([whenPeer(repoOf(a), 'cp1.bb.2'), whenPeer(repoOf(b), 'cp1.aa.1')])
  return { b, url: root.url }
}

/** What a fresh Echo on `name`, with no network, finds under `url`. */
const nameStoredIn = async (name: string, url: AutomergeUrl): Promise<unknown> => {
  const offline = open({ name })
  const handle = await documentsOf(offline).find<{ name: unknown }>(url, { allowableStates: ['ready', 'unavailable'] })
  return handle.state === 'ready' ? String(handle.doc().name) : handle.state
}

/** Resolves once a save of `id` began (its snapshot or changes, not only a peer's sync state). */
const whenSaveBegins = (echo: Echo, id: DocumentId): Promise<void> =>
  new Promise((resolve) => {
    repoOf(echo).on('doc-metrics', (event) => {
      if ((event.type === 'doc-saved' || event.type === 'doc-compacted') && event.documentId === id) resolve()
    })
  })

describe('a document found from a peer', () => {
  it('is stored by flush() (what pagehide calls), though nothing changed it after it arrived', async () => {
    const name = uniqueDatabaseName()
    const { b, url } = await peerWithSpace(name)
    const found = await documentsOf(b).find<{ name: unknown }>(url)
    expect(String(found.doc().name)).toBe('From the laptop')
    expect((await b.flush()).ok).toBe(true)

    // B is not closed: its close would stop the repo, whose shutdown writes every handle it holds.
    expect(await nameStoredIn(name, url)).toBe('From the laptop')
  })

  it('is stored by the timed save, so a tab killed afterwards (never flushed or closed) keeps it', async () => {
    const name = uniqueDatabaseName()
    const { b, url } = await peerWithSpace(name)
    const found = await documentsOf(b).find<{ name: unknown }>(url)
    await whenSaveBegins(b, found.documentId)
    // The repo reports a save before writing it; a flush runs after the save under way, with nothing left to write.
    await b.flush()

    // B stays open and is never flushed: a second Echo on its storage reads what a reload would.
    expect(await nameStoredIn(name, url)).toBe('From the laptop')
  })
})
