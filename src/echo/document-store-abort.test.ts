// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { openTestEcho } from './testing/fixtures'
import { describe, expect, it } from 'vitest'
import { documentsOf } from './testing/internals'

describe('DocumentStore.find', () => {
  it('stops with Aborted when its signal is aborted, even for a document that is here', async () => {
    const echo = openTestEcho()
    const documents = documentsOf(echo)
    const handle = documents.create({ title: 'here' })
    const controller = new AbortController()
    controller.abort()
    await expect(documents.find(handle.url, { signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    })
    expect((await documents.find<{ title: string }>(handle.url)).doc().title).toBe('here')
    await echo.close()
  })
})
