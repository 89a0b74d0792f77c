/**
 * Fuzz property of the sync screen (issue 13): mutated genuine sync messages from a viewer (a note it edited, a
 * space root it renamed and added another member's entry to) never throw in `withoutChanges`, and what it lets
 * through, applied by the owner, never changes the owner's document. `npm run fuzz` runs it with random seeds
 * (scripts/fuzz/sync-screen.ts).
 */
import './testing/node-runtime'
import {
  change,
  clone,
  from,
  generateSyncMessage,
  getHeads,
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
import { issueDeviceRevocation } from './membership/entries'
import { knownHeads, withoutChanges } from './sync-screen'

type Plain = Record<string, unknown>
const clock = new ManualClock(1_800_000_000_000)
const viewer = fixedKeyPair(30)
const other = fixedKeyPair(31)
const space = fixedKeyPair(1).publicKey as string as SpaceId
const othersEntry = issueDeviceRevocation({
  actor: { identity: other.publicKey, signer: { key: other } },
  space,
  device: fixedKeyPair(33).publicKey,
  parents: [],
  clock,
})

/** Every message the viewer sends while the owner takes them whole, until both are quiet. */
const viewerMessages = (owner: Doc<Plain>, edited: Doc<Plain>): Uint8Array[] => {
  const sent: Uint8Array[] = []
  let [ours, theirs] = [owner, edited]
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
  return sent
}

const note = from<Plain>({ title: 'Plan', tasks: ['water'] })
const root = from<Plain>({ kind: 'commonplace/space', space, name: 'Garden plans', log: { genesis: { by: 'owner' } } })
const cases = [
  {
    owner: note,
    messages: viewerMessages(
      note,
      change(clone(note), (doc) => {
        doc.title = 'Forced by the viewer'
      }),
    ),
  },
  {
    owner: root,
    messages: viewerMessages(
      root,
      change(clone(root), (doc) => {
        doc.name = 'Taken over'
        ;(doc.log as Plain)[othersEntry.id] = JSON.parse(JSON.stringify(othersEntry)) as unknown
      }),
    ),
  },
]

describe('the sync screen under mutated sync messages', () => {
  it(
    'never throws, and nothing it lets through changes the owner’s document',
    () => {
      const inputs = fc.constantFrom(...cases).chain(({ owner, messages }) =>
        fc.tuple(
          fc.constant(owner),
          fc.constantFrom(...messages).chain((message) => mutatedBytes(message, 3)),
        ),
      )
      checkProperty(
        fc.property(inputs, ([owner, data]) => {
          const started = performance.now()
          const screened = withoutChanges(data, knownHeads(owner, { identity: viewer.publicKey, clock }))
          if (screened !== undefined) {
            const [after] = receiveSyncMessage(clone(owner), initSyncState(), screened)
            expect(getHeads(after)).toEqual(getHeads(owner))
          }
          expectNoHang(started, 'withoutChanges')
        }),
        { seed: 1_303_101, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )
})
