import { describe, expect, it } from 'vitest'
import type { SpaceId } from './ids'
import type { DocumentId } from './space/documents'
import { TextQueue } from './text-queue'

describe('TextQueue', () => {
  it('fetches at most its limit at once, each document once, and counts progress per space', async () => {
    let active = 0
    let most = 0
    const fetched: string[] = []
    const release: (() => void)[] = []
    const queue = new TextQueue(async (id) => {
      active++
      most = Math.max(most, active)
      fetched.push(id)
      await new Promise<void>((resolve) => release.push(resolve))
      active--
    }, 4)
    const space = 'a'.repeat(64) as SpaceId
    for (let n = 0; n < 10; n++) queue.enqueue(space, `doc${n}` as DocumentId)
    queue.enqueue(space, 'doc0' as DocumentId)
    expect(queue.progress(space).get()).toEqual({ done: 0, total: 10 })
    const idle = queue.idle()
    while (fetched.length < 10 || release.length > 0) {
      const next = release.shift()
      if (next === undefined) {
        await Promise.resolve()
        continue
      }
      next()
      await Promise.resolve()
    }
    await idle
    expect(most).toBe(4)
    expect(fetched).toHaveLength(10)
    expect(queue.progress(space).get()).toEqual({ done: 10, total: 10 })
  })

  it('forgets the texts still waiting of a space that left, keeps the others, and goes idle', async () => {
    const fetched: string[] = []
    const release: (() => void)[] = []
    const queue = new TextQueue(async (id) => {
      fetched.push(id)
      await new Promise<void>((resolve) => release.push(resolve))
    }, 1)
    const gone = 'a'.repeat(64) as SpaceId
    const kept = 'b'.repeat(64) as SpaceId
    for (const [space, id] of [
      [gone, 'gone0'],
      [gone, 'gone1'],
      [kept, 'kept0'],
      [gone, 'gone2'],
    ] as const)
      queue.enqueue(space, id as DocumentId)
    expect(fetched).toEqual(['gone0'])
    queue.forget(gone)
    expect(queue.pending).toBe(2)
    const idle = queue.idle()
    while (release.length > 0) {
      release.shift()?.()
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    await idle
    // The one under way finished; the others of the space that left were never fetched.
    expect(fetched).toEqual(['gone0', 'kept0'])
    expect(queue.pending).toBe(0)
  })
})
