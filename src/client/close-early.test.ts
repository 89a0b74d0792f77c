// Closing the real client at any moment, in Node: right after creating it, ECHO's storage is still starting.
import { automergeWasmUrl, fakeBrowser } from './testing/fake-edges'
import { describe, expect, it } from 'vitest'
import { createClient } from './client'

describe('Client.close()', () => {
  it('is safe right after createClient: nothing is left to fail on a closed database', async () => {
    const browser = fakeBrowser()
    const client = createClient({ edges: browser.edges, automergeWasmUrl: automergeWasmUrl() })
    await client.close()
    // Vitest fails the run on an unhandled rejection (the repo's startup meeting a closed database).
    expect(browser.channels.openCount).toBe(0)
  })
})
