import type { PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl } from './frames'
import { MAX_BAD_FRAMES, MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

describe('a link that brings oversize or undecodable frames', () => {
  it('is reported once, at the limit; frames that decode, even refused ones, do not count', async () => {
    const adapter = new MeshNetworkAdapter({ allowed: () => true, maxFrameBytes: 1_024 })
    adapter.connect('repo-b' as PeerId)
    const [toA, fromA] = pairedLinks(remoteOf('repo-b'), remoteOf('repo-a'))
    const misbehaved = vi.fn()
    adapter.attach({ ...toA, misbehaved })
    // A hello naming another repo, and a message before any hello: dropped, but they decode.
    await fromA.send(encodeControl({ kind: 'hello', peerId: 'repo-c' }))
    for (let i = 0; i < 2 * MAX_BAD_FRAMES; i++) await fromA.send(encodeControl({ kind: 'bye' }))
    expect(misbehaved).not.toHaveBeenCalled()
    for (let i = 0; i < MAX_BAD_FRAMES - 2; i++) await fromA.send(Uint8Array.of(2, 0xff, 0xfe))
    await fromA.send(new Uint8Array(2_048))
    expect(misbehaved).not.toHaveBeenCalled()
    await fromA.send(Uint8Array.of(9, 0xa0))
    expect(misbehaved).toHaveBeenCalledTimes(1)
    for (let i = 0; i < MAX_BAD_FRAMES; i++) await fromA.send(Uint8Array.of(2))
    expect(misbehaved).toHaveBeenCalledTimes(1)
    expect(adapter.stats.get().dropped).toMatchObject({ malformed: 2 * MAX_BAD_FRAMES - 1, oversize: 1 })
  })
})
