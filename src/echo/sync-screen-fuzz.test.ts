/**
 * Fuzz property of the sync screen (issue 13): mutated genuine sync messages from a viewer (a note it edited, a
 * space root it renamed and added another member's entry to, a root it added its own leave to) never throw in
 * `withoutChanges`, and what it lets through, applied by the owner, changes nothing but adds that leave, whole. `npm run fuzz` runs it with random seeds
 * (scripts/fuzz/sync-screen.ts).
 */
import './testing/node-runtime'
import {
  change,
  clone,
  from,
  generateSyncMessage,
  initSyncState,
  receiveSyncMessage,
  type Doc,
} from '@automerge/automerge/slim'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { mutatedBytes } from '../base/testing/mutations'
import { checkProperty, expectNoHang, propertyTimeout } from '../base/testing/properties'
import { fixedKeyPair } from '../halo/testing'
import type { SpaceId } from './ids'
import { issueDeviceRevocation, issueRemoval } from './membership/entries'
import { toStored } from './space/documents'
import { knownHeads, withoutChanges } from './sync-screen'
import { viewerChangesPass } from './viewer-check/viewer-changes'

type Plain = Record<string, unknown>
const clock = new ManualClock(1_800_000_000_000)
const viewer = fixedKeyPair(30)
const other = fixedKeyPair(31)
const space = fixedKeyPair(1).publicKey as string as SpaceId
const leave = issueRemoval({
  actor: { identity: viewer.publicKey, signer: { key: viewer } },
  space,
  subject: viewer.publicKey,
  parents: [],
  clock,
})
const othersEntry = issueDeviceRevocation({
  actor: { identity: other.publicKey, signer: { key: other } },
  space,
  device: fixedKeyPair(33).publicKey,
  parents: [],
  clock,
})

/** Every message the viewer sends while the owner takes them whole, until both are quiet, and where the owner ends. */
const viewerMessages = (owner: Doc<Plain>, edited: Doc<Plain>): { messages: Uint8Array[]; whole: Doc<Plain> } => {
  const sent: Uint8Array[] = []
  let [ours, theirs] = [clone(owner), edited]
  let [ourState, theirState] = [initSyncState(), initSyncState()]
  for (let round = 0; round < 10; round++) {
    const [nextOurs, toViewer] = generateSyncMessage(ours, ourState)
    ourState = nextOurs
    if (toViewer !== null) [theirs, theirState] = receiveSyncMessage(theirs, theirState, toViewer)
    const [nextTheirs, toOwner] = generateSyncMessage(theirs, theirState)
    theirState = nextTheirs
    if (toOwner !== null) {
      sent.push(toOwner)
      ;[ours, ourState] = receiveSyncMessage(ours, ourState, toOwner)
    }
    if (toViewer === null && toOwner === null) break
  }
  return { messages: sent, whole: ours }
}

const note = from<Plain>({ title: 'Plan', tasks: ['water'] })
const root = from<Plain>({ kind: 'commonplace/space', space, name: 'Garden plans', log: { genesis: { by: 'owner' } } })
const plain = (doc: Doc<Plain>): unknown => JSON.parse(JSON.stringify(doc))
/** An entry as the app writes it: strings whole (a viewer's entry may cost only a few operations). */
const stored = (value: unknown): unknown => toStored(JSON.parse(JSON.stringify(value)))
/** Each viewer edit, the owner's document before it, and what the owner may end with (an allowed edit, or none). */
const caseOf = (owner: Doc<Plain>, edit: (doc: Plain) => void, allowed: boolean) => {
  const { messages, whole } = viewerMessages(owner, change(clone(owner), edit))
  return { owner, messages, outcomes: allowed ? [plain(owner), plain(whole)] : [plain(owner)] }
}
const cases = [
  caseOf(
    note,
    (doc) => {
      doc.title = 'Forced by the viewer'
    },
    false,
  ),
  caseOf(
    root,
    (doc) => {
      doc.name = 'Taken over'
      ;(doc.log as Plain)[othersEntry.id] = stored(othersEntry)
    },
    false,
  ),
  // The one edit a viewer may make there: its own leave, which passes whole or not at all.
  caseOf(
    root,
    (doc) => {
      ;(doc.log as Plain)[leave.id] = stored(leave)
    },
    true,
  ),
]

describe('the sync screen under mutated sync messages', () => {
  it(
    'never throws, and lets through nothing but a viewer’s own leave, whole',
    () => {
      const inputs = fc.constantFrom(...cases).chain(({ owner, messages, outcomes }) =>
        fc.tuple(
          fc.constant(owner),
          fc.constant(outcomes),
          fc.constantFrom(...messages).chain((message) => mutatedBytes(message, 3)),
        ),
      )
      checkProperty(
        fc.property(inputs, ([owner, outcomes, data]) => {
          const started = performance.now()
          const screened = withoutChanges(
            data,
            knownHeads(owner, (changes) => viewerChangesPass(owner, changes, { identity: viewer.publicKey, clock })),
          )
          if (screened !== undefined) {
            const [after] = receiveSyncMessage(clone(owner), initSyncState(), screened)
            expect(outcomes).toContainEqual(plain(after))
          }
          expectNoHang(started, 'withoutChanges')
        }),
        { seed: 1_303_101, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )
})
