/// <reference types="node" />
// Reads automerge's fuzz crashers in test-vectors/ from disk, hence Node's types in this one test.
import {
  clone,
  decodeChange,
  encodeSyncMessage,
  generateSyncMessage,
  getAllChanges,
  getHeads,
  initSyncState,
  load,
  receiveSyncMessage,
  save,
  type Doc,
} from '@automerge/automerge'
import { Repo, type DocHandle, type DocumentId, type PeerId } from '@automerge/automerge-repo'
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { mutatedBytes } from '../../base/testing/mutations'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId
const M = 'repo-mallory' as PeerId

const folder = new URL('../../../test-vectors/automerge-crashers/', import.meta.url)
const crashers = readdirSync(folder)
  .filter((file) => file !== 'LICENSE')
  .sort()
  .map((file) => new Uint8Array(readFileSync(new URL(file, folder))))

interface Note {
  title: string
  n: number
}

const hashOf = (change: Uint8Array): string => decodeChange(change).hash

/** What a member with a copy of `doc` says first, and answers to our first message: no change we lack. */
const genuineMessages = (doc: Doc<Note>): Uint8Array[] => {
  const [ours, first] = generateSyncMessage(clone(doc), initSyncState())
  const [, fromUs] = generateSyncMessage(doc, initSyncState())
  if (first === null || fromUs === null) throw new Error('no sync message')
  const [mine] = receiveSyncMessage(clone(doc), ours, fromUs)
  const [, answer] = generateSyncMessage(mine, ours)
  return answer === null ? [first] : [first, answer]
}

/** Each change of `doc` with one byte flipped, at every eighth place, inside a sync message: checksums fail. */
const flippedChanges = (doc: Doc<Note>): Uint8Array[] =>
  getAllChanges(doc).flatMap((change) =>
    Array.from({ length: Math.ceil(change.length / 8) }, (_, at) => {
      const bad = change.slice()
      bad[at * 8] = (bad[at * 8] ?? 0) ^ 0x5a
      return encodeSyncMessage({ heads: [], need: [], have: [], changes: [bad] })
    }),
  )

describe('sync messages from a member that passed the handshake', () => {
  it('mutated, crash vectors or damaged changes: none throws or changes a document, and every one stays usable', async () => {
    const a = new MeshNetworkAdapter({ allowed: () => true })
    const b = new MeshNetworkAdapter({ allowed: () => true })
    const alice = new Repo({ network: [a], peerId: A })
    const bob = new Repo({ network: [b], peerId: B })
    const [toB, toA] = pairedLinks(remoteOf(A), remoteOf(B))
    a.attach(toB)
    b.attach(toA)
    // Mallory is attached as any authenticated member is; what she sends on her link reaches Alice's adapter.
    const [toMallory, fromMallory] = pairedLinks(remoteOf(A), remoteOf(M))
    a.attach(toMallory)
    await a.whenReady()
    await fromMallory.send(encodeControl({ kind: 'hello', peerId: M }))
    const note: DocHandle<Note> = alice.create({ title: 'Plan', n: 0 })
    note.change((doc) => {
      doc.n = 1
    })
    const other: DocHandle<Note> = alice.create({ title: 'Other', n: 0 })
    await vi.waitFor(() => {
      expect(alice.peers).toEqual(expect.arrayContaining([B, M]))
    })
    const bobsNote = await bob.find<Note>(note.url)
    const changesBefore = new Set([note, other].flatMap((handle) => getAllChanges(handle.doc()).map(hashOf)))

    const bodies = [
      ...genuineMessages(note.doc()).flatMap((message) =>
        fc.sample(mutatedBytes(message), { seed: 1313, numRuns: 150 }),
      ),
      ...crashers,
      ...crashers.map((crasher) => encodeSyncMessage({ heads: [], need: [], have: [], changes: [crasher] })),
      ...flippedChanges(note.doc()),
    ]
    const targets: DocumentId[] = [note.documentId, other.documentId]
    // automerge-repo catches what automerge throws on a bad sync message and logs it, once per message.
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    let sent = 0
    for (const data of bodies) {
      for (const documentId of targets) {
        for (const type of ['sync', 'request'] as const) {
          // A rejected send would mean a throw reached the transport (Trystero's listener in the app).
          await expect(
            fromMallory.send(encodeMessage({ type, senderId: M, targetId: A, documentId, data })),
          ).resolves.toBeUndefined()
          sent++
        }
      }
    }
    expect(sent).toBe(bodies.length * 4)
    // Each message is handled in its own turn; let the last answers go out.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const refused = logged.mock.calls.filter(([what]) => what === 'error receiving message').length
    logged.mockRestore()
    // They reached automerge, which refused most; the rest (a mutated have or need) changed nothing either.
    expect(refused).toBeGreaterThan(sent / 2)
    expect(note.doc()).toEqual({ title: 'Plan', n: 1 })
    expect(other.doc()).toEqual({ title: 'Other', n: 0 })
    // No operation of hers entered a document. One crasher (incorrect_max_op), which load() refuses as a document,
    // is a valid change with no operation inside a sync message: automerge applies it, as any member's change.
    for (const handle of [note, other]) {
      const added = getAllChanges(handle.doc()).filter((change) => !changesBefore.has(hashOf(change)))
      expect(added.map((change) => decodeChange(change).ops.length)).toEqual(added.map(() => 0))
      expect(added.length).toBeLessThanOrEqual(1)
      expect(load(save(handle.doc()))).toEqual(handle.doc())
      expect(getHeads(load(save(handle.doc())))).toEqual(getHeads(handle.doc()))
    }

    // Both documents still change, save and sync, both ways.
    note.change((doc) => {
      doc.n = 2
    })
    await vi.waitFor(() => {
      expect(bobsNote.doc().n).toBe(2)
    })
    bobsNote.change((doc) => {
      doc.title = 'Plan B'
    })
    await vi.waitFor(() => {
      expect(note.doc().title).toBe('Plan B')
    })
    const bobsOther = await bob.find<Note>(other.url)
    other.change((doc) => {
      doc.n = 5
    })
    await vi.waitFor(() => {
      expect(bobsOther.doc().n).toBe(5)
    })
  })
})
