/**
 * Fuzz property of the mesh adapter's inbound frames (issue 13): mutated genuine CBOR frames (controls, sync
 * messages with real Automerge data, requests, ephemerals) and random bytes from an authenticated link never throw;
 * whatever reaches the Repo is one of the four document messages, from the authenticated peer to us; and the link
 * still carries a genuine hello and message afterwards. `npm run fuzz` runs it with random seeds
 * (scripts/fuzz/adapter-frames.ts).
 */
import '@automerge/automerge'
import { from, generateSyncMessage, initSyncState } from '@automerge/automerge'
import { generateAutomergeUrl, isValidDocumentId, parseAutomergeUrl } from '@automerge/automerge-repo'
import type { Message, PeerId } from '@automerge/automerge-repo'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual } from '../../base'
import { mutatedBytes } from '../../base/testing/mutations'
import { checkAsyncProperty, expectNoHang, inputDeadlineMs, propertyTimeout } from '../../base/testing/properties'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId
const documentId = parseAutomergeUrl(generateAutomergeUrl()).documentId
const [, syncData] = generateSyncMessage(from({ title: 'Plan', done: false }), initSyncState())
if (syncData === null) throw new Error('no sync message')
const hello = encodeControl({ kind: 'hello', peerId: A, storageId: 'storage-a' })
const genuineSync = encodeMessage({ type: 'sync', senderId: A, targetId: B, documentId, data: syncData })
/** What an ephemeral message carries beside the fields `Message` names. */
const ephemeralFields = { count: 3, sessionId: 'session' }
const frames = [
  hello,
  encodeControl({ kind: 'welcome', peerId: A }),
  encodeControl({ kind: 'bye' }),
  genuineSync,
  encodeMessage({ type: 'request', senderId: A, targetId: B, documentId, data: syncData }),
  encodeMessage({ type: 'doc-unavailable', senderId: A, targetId: B, documentId }),
  encodeMessage({
    type: 'ephemeral',
    senderId: A,
    targetId: B,
    documentId,
    data: new Uint8Array([1, 2]),
    ...ephemeralFields,
  }),
]

/** Lets the adapter's async steps (identify's digest, the screen) run until `done` holds, or a hang's time passed. */
const settled = async (done: () => boolean): Promise<boolean> => {
  const started = performance.now()
  while (!done() && performance.now() - started < inputDeadlineMs()) {
    await new Promise((resolve) => setImmediate(resolve))
  }
  return done()
}

const TYPES = ['sync', 'request', 'doc-unavailable', 'ephemeral']

describe('the mesh adapter under mutated frames', () => {
  it(
    'passes only document messages from the authenticated peer, and the link keeps working',
    async () => {
      const inputs = fc.record({
        screened: fc.boolean(),
        garbage: fc.array(
          fc.oneof(
            fc.constantFrom(...frames).chain((frame) => mutatedBytes(frame)),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => Uint8Array.from([2, ...bytes])),
          ),
          { minLength: 1, maxLength: 6 },
        ),
      })
      await checkAsyncProperty(
        fc.asyncProperty(inputs, async ({ screened, garbage }) => {
          const adapter = new MeshNetworkAdapter({
            allowed: () => true,
            // No Repo answers here, so a mutated ask from the start would hold the genuine one for the budget's
            // time; the budget has its own tests (resend-budget.test.ts), and here every message goes at once.
            resendEveryMs: 0,
            ...(screened ? { screen: (_remote, message: Message) => Promise.resolve(message) } : {}),
          })
          const messages: Message[] = []
          let candidates = 0
          adapter.on('message', (message) => messages.push(message))
          adapter.on('peer-candidate', () => candidates++)
          const [, link] = pairedLinks(remoteOf(A), remoteOf(B))
          adapter.attach(link)
          adapter.connect(B)
          link.inject(hello)
          expect(await settled(() => candidates === 1)).toBe(true)
          const started = performance.now()
          for (const bytes of garbage) link.inject(bytes)
          // The authenticated peer says hello again (as after a bye) and syncs: it is heard, after every frame
          // before it (a link's frames are handled in order).
          link.inject(hello)
          link.inject(genuineSync)
          const heard = (): boolean => {
            const last = messages.at(-1)
            return (
              last?.type === 'sync' &&
              last.documentId === documentId &&
              last.data !== undefined &&
              bytesEqual(last.data, syncData)
            )
          }
          expect(await settled(heard)).toBe(true)
          expectNoHang(started, 'the mutated frames')
          for (const message of messages) {
            expect(TYPES).toContain(message.type)
            expect(message.senderId).toBe(A)
            expect(message.targetId).toBe(B)
            expect(isValidDocumentId(message.documentId)).toBe(true)
          }
        }),
        { seed: 1_302_301, numRuns: 150 },
      )
    },
    propertyTimeout(),
  )
})
