import { openTestEcho } from './testing/fixtures'
import { describe, expect, it } from 'vitest'

describe('closing', () => {
  it('is safe right after ECHO is created: the repo’s startup read of its storage id is waited for', async () => {
    const echo = openTestEcho()
    expect((await echo.close()).ok).toBe(true)
  })
})
