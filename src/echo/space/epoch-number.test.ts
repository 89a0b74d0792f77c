// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { SecretKey } from '../../halo'
import { issueEpoch } from '../membership/entries'
import type { Actor } from '../membership/entries'
import type { EchoDatabase } from '../storage/echo-database'
import { MAX_EPOCH_NUMBER } from './epoch'

const chunks = (db: EchoDatabase) => db.chunks.toArray()

const spaceWithTasks = async () => {
  const alice = makeActor()
  const echo = openTestEcho()
  const space = await echo.createSpace(alice, 'Numbered')
  for (let i = 0; i < 3; i++) await space.create(alice, 'task', { title: `task ${i}`, done: false, order: `a${i}` })
  await space.loaded()
  expect((await echo.flush()).ok).toBe(true)
  const unchanged = async () => ({
    heads: space.root.heads(),
    documents: { ...space.root.doc().documents },
    epochs: Object.keys(space.root.doc().epochs),
    chunks: await chunks(echo.db),
  })
  return { alice, echo, space, unchanged }
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe('epoch numbers', { timeout: 30_000 }, () => {
  it('a log whose epoch sits at the highest number gets a typed refusal, and nothing is rewritten', async () => {
    const { alice, echo, space, unchanged } = await spaceWithTasks()
    space.append(
      issueEpoch({
        actor: alice,
        space: space.id,
        number: MAX_EPOCH_NUMBER,
        snapshot: 'sha256:none',
        parents: space.membership.get().heads,
        clock: echo.clock,
      }),
    )
    expect((await echo.flush()).ok).toBe(true)
    const before = await unchanged()
    expect(space.membership.get().epoch?.number).toBe(MAX_EPOCH_NUMBER)
    const result = await space.createEpoch(alice)
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
