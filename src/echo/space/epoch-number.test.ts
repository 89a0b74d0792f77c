// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { SecretKey } from '../../halo/testing'
import { issueEpoch } from '../membership/entries'
import type { Actor } from '../membership/entries'
import type { EchoDatabase } from '../storage/echo-database'
import type { MembershipState } from '../membership/fold'
import type { CompactableSpace } from './epoch'
import { compactSpace, MAX_EPOCH_NUMBER } from './epoch'
import { dbOf, documentsOf, objectDocumentsOf, rootOf } from '../testing/internals'

const chunks = (db: EchoDatabase) => db.chunks.toArray()

const spaceWithTasks = async () => {
  const alice = makeActor()
  const echo = openTestEcho()
  const space = await echo.createSpace(alice, 'Numbered')
  for (let i = 0; i < 3; i++) await space.create(alice, 'task', { title: `task ${i}`, done: false, order: `a${i}` })
  await space.loaded()
  expect((await echo.flush()).ok).toBe(true)
  const unchanged = async () => ({
    heads: rootOf(space).heads(),
    documents: { ...rootOf(space).doc().documents },
    epochs: Object.keys(rootOf(space).doc().epochs),
    chunks: await chunks(dbOf(echo)),
  })
  return { alice, echo, space, unchanged }
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe('epoch numbers', { timeout: 30_000 }, () => {
  it('an Epoch that skips to the highest number has no effect, and the next compaction takes number 1', async () => {
    const { alice, echo, space } = await spaceWithTasks()
    const skip = issueEpoch({
      actor: alice,
      space: space.id,
      number: MAX_EPOCH_NUMBER,
      snapshot: 'sha256:none',
      parents: space.membership.get().heads,
      clock: echo.clock,
    })
    space.append(skip)
    expect(space.membership.get().ignored).toEqual([{ id: skip.id, reason: 'stale-epoch' }])
    expect(space.membership.get().epoch).toBeUndefined()
    const epoch = await space.createEpoch(alice)
    expect(epoch.ok && epoch.value.number).toBe(1)
    await echo.close()
  })

  it('a log whose epoch sits at the highest number gets a typed refusal, and nothing is rewritten', async () => {
    const { alice, echo, space, unchanged } = await spaceWithTasks()
    // The fold takes one number at a time, so only a log of 2^53 - 2 epochs gets there: its state stands in for it.
    const state = space.membership.get()
    const epoch = { number: MAX_EPOCH_NUMBER, snapshot: 'sha256:none', credential: state.applied[0] ?? '', issuedAt: 0 }
    const atTheEnd: CompactableSpace = {
      id: space.id,
      root: rootOf(space),
      membership: { get: () => ({ ...state, epoch }) as MembershipState, subscribe: () => () => undefined },
      roleOf: (key) => space.roleOf(key),
      objectDocuments: () => objectDocumentsOf(space),
      append: (entry) => space.append(entry),
      loaded: () => space.loaded(),
      refresh: () => space.refresh(),
      // Refused before anything is retired.
      retiring: () => undefined,
    }
    const before = await unchanged()
    const result = await compactSpace(atTheEnd, alice, { documents: documentsOf(echo), clock: echo.clock })
    expect(result.ok ? 'ok' : result.error.code).toBe('epoch-out-of-range')
    expect((await echo.flush()).ok).toBe(true)
    expect(await unchanged()).toEqual(before)
    await echo.close()
  })

  it('the Epoch credential is signed before anything is rewritten', async () => {
    const { alice, echo, space, unchanged } = await spaceWithTasks()
    const before = await unchanged()
    const broken: Actor = {
      identity: alice.identity,
      signer: { key: { publicKey: alice.identity, secretKey: 'not a key' as unknown as SecretKey } },
    }
    await expect(space.createEpoch(broken)).rejects.toThrow()
    expect((await echo.flush()).ok).toBe(true)
    expect(await unchanged()).toEqual(before)
    const epoch = await space.createEpoch(alice)
    expect(epoch.ok && epoch.value.number).toBe(1)
    await echo.close()
  })
})
