import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/base/testing/manual-clock'
import { AddressBudgets } from '../src/address-budget'

const config = { frames: { capacity: 3, refillPerSecond: 1 }, bytes: { capacity: 1000, refillPerSecond: 100 } }

describe('AddressBudgets', () => {
  it('shares one frame budget among the sockets of an address, and none between addresses', () => {
    const budgets = new AddressBudgets(config, new ManualClock())
    budgets.join('a')
    budgets.join('a')
    budgets.join('b')
    expect(['a', 'a', 'a', 'a'].map((address) => budgets.take(address, 1))).toEqual(['ok', 'ok', 'ok', 'frames'])
    expect(budgets.take('b', 1)).toBe('ok')
  })

  it('refuses a frame its byte budget cannot cover, taking nothing from either budget', () => {
    const clock = new ManualClock()
    const budgets = new AddressBudgets(config, clock)
    budgets.join('a')
    expect(budgets.take('a', 900)).toBe('ok')
    expect(budgets.take('a', 200)).toBe('bytes')
    expect(budgets.take('a', 100)).toBe('ok')
    clock.advance(1000)
    expect(budgets.take('a', 100)).toBe('ok')
  })

  it('forgets an address once its sockets are gone and its budgets have refilled, not before', () => {
    const clock = new ManualClock()
    const budgets = new AddressBudgets(config, clock)
    budgets.join('a')
    budgets.join('idle')
    budgets.leave('idle')
    expect(budgets.size).toBe(1)
    expect(budgets.take('a', 1000)).toBe('ok')
    budgets.leave('a')
    // Reconnecting straight away does not refill the budget.
    budgets.join('a')
    expect(budgets.take('a', 1)).toBe('bytes')
    budgets.leave('a')
    expect(budgets.size).toBe(1)
    clock.advance(10_000)
    budgets.join('b')
    expect(budgets.size).toBe(1)
  })
})
