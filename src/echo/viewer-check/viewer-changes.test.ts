import '../testing/node-runtime'
import {
  change,
  clone,
  decodeChange,
  encodeChange,
  from,
  getLastLocalChange,
  type DecodedChange,
} from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueCredential, type Credential, type CredentialId } from '../../halo'
import { fixedKeyPair } from '../../halo/testing'
import type { SpaceId } from '../ids'
import { issueRemoval, type Actor } from '../membership/entries'
import { toStored } from '../space/documents'
import { makeDeviceActor } from '../testing/device-actor'
import { MAX_VIEWER_OWN_ENTRIES } from '../viewer-log-entry'
import { viewerChangesPass, type Root } from './viewer-changes'

type Log = Record<string, unknown>
const clock = new ManualClock(1_800_000_000_000)
const space = fixedKeyPair(1).publicKey as string as SpaceId
const viewerKey = fixedKeyPair(30)
// The viewer signs through a device and its chain, as the app does.
const viewer: Actor = makeDeviceActor(viewerKey, clock)
const sender = { identity: viewerKey.publicKey, clock }
/** As many parents as an entry may name (`MAX_ENTRY_PARENTS`): every head of a busy log. */
const parents = Array.from({ length: 64 }, (_, n) => n.toString(16).padStart(64, '0') as CredentialId)

const rootWith = (log: Log = {}): Root =>
  from<Record<string, unknown>>({ kind: 'commonplace/space', space, name: 'Garden plans', log })
/** The one change `edit` makes to a copy of `root`, as the viewer's Repo would send it. */
const changeTo = (root: Root, edit: (log: Log) => void): Uint8Array => {
  const made = getLastLocalChange(
    change(clone(root), (doc) => {
      edit(doc.log as Log)
    }),
  )
  if (made === undefined) throw new Error('no change made')
  return made
}
const leaveAt = (at: number, named = parents): Credential =>
  issueRemoval({ actor: viewer, space, subject: viewerKey.publicKey, parents: named, clock: new ManualClock(at) })
const stored = (entry: Credential): unknown => toStored(JSON.parse(JSON.stringify(entry)))

describe('viewerChangesPass', () => {
  it('passes a leave and a Profile signed through a device chain, each naming 64 parents, as the app writes them', () => {
    const root = rootWith()
    const leave = leaveAt(clock.now())
    const profile = issueCredential({
      issuer: viewerKey.publicKey,
      subject: viewerKey.publicKey,
      assertion: { kind: 'Profile', displayName: 'Bea Lindqvist', avatar: { emoji: '🌱', colour: '#2f7d4f' } },
      signer: viewer.signer,
      clock,
      parents,
    })
    const both = changeTo(root, (log) => {
      log[leave.id] = stored(leave)
      log[profile.id] = stored(profile)
    })
    expect(viewerChangesPass(root, [both], sender)).toBe(true)
  })

  it('refuses a leave whose change also deletes a field a thousand times: deletions count as operations', () => {
    const root = rootWith()
    const leave = leaveAt(clock.now())
    const made = changeTo(root, (log) => {
      log[leave.id] = stored(leave)
      const entry = log[leave.id] as Log
      entry.extra = 1
      delete entry.extra
    })
    const decoded: DecodedChange = decodeChange(made)
    const deletion = decoded.ops.at(-1)
    if (deletion?.action !== 'del') throw new Error('the change ends with its deletion')
    // The same deletion again and again: run-length encoded, a few bytes; the diff still shows the leave alone.
    const crafted = encodeChange({ ...decoded, ops: [...decoded.ops, ...Array.from({ length: 1000 }, () => deletion)] })
    expect(crafted.byteLength).toBeLessThan(2 * made.byteLength)
    expect(viewerChangesPass(root, [made], sender)).toBe(true)
    expect(viewerChangesPass(root, [crafted], sender)).toBe(false)
  })

  it('refuses a leave whose change carries a message, or that comes in many small changes: every root keeps their bytes', () => {
    const root = rootWith()
    const leave = leaveAt(clock.now())
    const made = changeTo(root, (log) => {
      log[leave.id] = stored(leave)
    })
    const decoded = decodeChange(made)
    const withMessage = encodeChange({ ...decoded, message: 'y'.repeat(10_000) })
    expect(viewerChangesPass(root, [made], sender)).toBe(true)
    expect(viewerChangesPass(root, [withMessage], sender)).toBe(false)
    // The leave, then 60 changes that each add a field to it and take it away (2 operations each, under the bound).
    let grown = change(clone(root), (doc) => {
      ;(doc.log as Log)[leave.id] = stored(leave)
    })
    const chunks = [getLastLocalChange(grown)]
    for (let n = 0; n < 60; n++) {
      grown = change(grown, (doc) => {
        const entry = (doc.log as Log)[leave.id] as Log
        entry.pad = n
        delete entry.pad
      })
      chunks.push(getLastLocalChange(grown))
    }
    const many = chunks.filter((chunk): chunk is Uint8Array => chunk !== undefined)
    expect(many).toHaveLength(61)
    expect(viewerChangesPass(root, many, sender)).toBe(false)
  })

  it('caps a viewer’s leaves in the log over its life, as its other entries', () => {
    const held: Log = {}
    for (let n = 0; n < MAX_VIEWER_OWN_ENTRIES - 1; n++) {
      const leave = leaveAt(clock.now() + n, [])
      held[leave.id] = stored(leave)
    }
    const root = rootWith(held)
    const last = leaveAt(clock.now() + 100, [])
    const over = leaveAt(clock.now() + 101, [])
    expect(viewerChangesPass(root, [changeTo(root, (log) => void (log[last.id] = stored(last)))], sender)).toBe(true)
    const both = changeTo(root, (log) => {
      log[last.id] = stored(last)
      log[over.id] = stored(over)
    })
    expect(viewerChangesPass(root, [both], sender)).toBe(false)
  })
})
