// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { openTestEcho } from './testing/fixtures'
import { expect, it } from 'vitest'
import { dbOf } from './testing/internals'
import type { SpaceId } from './ids'

it('an opening whose registry read was refused is not kept: the next opening reads again', async () => {
  const echo = openTestEcho()
  const id = 'a'.repeat(64) as SpaceId
  let refuse = true
  // The storage refuses the read once (IndexedDB can), not ECHO.
  dbOf(echo).spaces.hook('reading', (row) => {
    if (refuse) throw new Error('read refused')
    return row
  })
  await expect(echo.openSpace(id)).rejects.toThrow('read refused')
  refuse = false
  const again = await echo.openSpace(id).then(
    (opened) => (opened.ok ? 'opened' : opened.error.code),
    (error: unknown) => `rejected: ${String(error)}`,
  )
  expect(again).toBe('space-not-found')
  await echo.close()
})
