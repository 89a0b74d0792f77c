import '@automerge/automerge'
import { Repo } from '@automerge/automerge-repo'
import type { PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { MAX_BAD_FRAMES, MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId
/** A small cap on both sides, so a modest document crosses it as one over 16 MiB crosses the app's. */
const CAP = 4_096

describe('a document whose sync message is over the frame cap', () => {
  it('is never sent: the sender says which, and is not cut off however often it is restarted', async () => {
    // Each restart makes Bob ask for the big document from the start, which the resend budget would hold for 10 s
    // after our (large, withheld) answer: the budget has its own tests (resend-budget.test.ts); here asks go at once.
    const a = new MeshNetworkAdapter({ allowed: () => true, maxFrameBytes: CAP, resendEveryMs: 0 })
    const b = new MeshNetworkAdapter({ allowed: () => true, maxFrameBytes: CAP })
    const [toB, toA] = pairedLinks(remoteOf(A, 'alice-store'), remoteOf(B, 'bob-store'))
    const misbehaved = vi.fn()
    a.attach(toB)
    b.attach({ ...toA, misbehaved })
    const alice = new Repo({ network: [a], peerId: A })
    const bob = new Repo({ network: [b], peerId: B })
    const small = alice.create({ n: 1 })
    // Random bytes do not compress: Automerge's whole-document message for it is over the cap.
    const big = alice.create({ blob: crypto.getRandomValues(new Uint8Array(2 * CAP)) })
    await vi.waitFor(() => {
      expect(bob.peers).toContain(A)
    })
    const bobsSmall = await bob.find<{ n: number }>(small.url)
    const bobsBig = await bob.find(big.url, { allowableStates: ['ready', 'unavailable', 'requesting'] })
    await vi.waitFor(() => {
      expect(a.stats.get().withheld['too-large']).toBe(1)
    })
    expect(a.stats.get().tooLarge).toEqual([big.documentId])
    // What the client's sync tracker does for a stuck document, more often than it would (3 times per stuck heads):
    // each restart makes Alice's Repo send it again (twice when Bob follows her resync).
    const withheld = () => a.stats.get().withheld['too-large'] ?? 0
    for (let i = 0; i < MAX_BAD_FRAMES; i++) {
      const before = withheld()
      expect(a.restart(B)).toBe(true)
      await vi.waitFor(() => {
        expect(withheld()).toBeGreaterThan(before)
      })
    }
    expect(withheld()).toBeGreaterThan(MAX_BAD_FRAMES)
    expect(a.stats.get().tooLarge).toEqual([big.documentId])
    expect(b.stats.get().dropped.oversize).toBeUndefined()
    expect(misbehaved).not.toHaveBeenCalled()
    expect(bobsBig.isReady()).toBe(false)
    // Every other document keeps syncing.
    small.change((doc) => {
      doc.n = 2
    })
    await vi.waitFor(() => {
      expect(bobsSmall.doc().n).toBe(2)
    })
  })
})
