/// <reference types="node" />
// Reads the fuzz crashers in test-vectors/ from disk, hence Node's types in this one test.
import { makeActor, openTestEcho } from './testing/fixtures'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { documentsOf } from './testing/internals'

const folder = new URL('../../test-vectors/automerge-crashers/', import.meta.url)
const crashers = readdirSync(folder)
  .filter((file) => file !== 'LICENSE')
  .sort()

describe('automerge fuzz crashers', () => {
  it('are refused with DocumentCorrupt while the other documents stay usable', async () => {
    expect(crashers.length).toBeGreaterThanOrEqual(8)
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Still here')
    for (const file of crashers) {
      const imported = documentsOf(echo).importDocument(new Uint8Array(readFileSync(new URL(file, folder))))
      expect(imported.ok ? 'imported' : imported.error.code, file).toBe('document-corrupt')
    }
    const task = await space.create(alice, 'task', { title: 'after the crashers', done: false, order: 'a0' })
    expect(task.ok).toBe(true)
    expect((await space.find({ text: 'crashers' })).length).toBe(1)
    expect((await echo.flush()).ok).toBe(true)
    await echo.close()
  })
})
