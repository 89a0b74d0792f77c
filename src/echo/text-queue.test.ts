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
})
