import { describe, expect, it } from 'vitest'
import { isMeshStatusMessage } from './mesh-status'

const withTooLarge = (tooLarge: unknown) => ({
  type: 'status',
  leader: 't',
  status: { overall: 'syncing', spaces: { work: { state: 'syncing', peers: [], tooLarge } } },
})

describe('the mesh status on the tab channel', () => {
  it('carries how many documents of a space are too large to send, and refuses any other count', () => {
    expect(isMeshStatusMessage(withTooLarge(3))).toBe(true)
    expect(isMeshStatusMessage(withTooLarge(1_000_000))).toBe(true)
    for (const count of [0, -1, 1.5, 1_000_001, Number.NaN, '3', null])
      expect(isMeshStatusMessage(withTooLarge(count)), String(count)).toBe(false)
  })
})
