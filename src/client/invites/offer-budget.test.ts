import { describe, expect, it } from 'vitest'
import { offerBudget, PER_GUEST, PER_ROOM } from './offer-budget'

describe('an invitation room’s offer budget (review 14 H2)', () => {
  it(`gives one identity ${String(PER_GUEST.burst)} offers at once, then one every minute`, () => {
    let now = 0
    const budget = offerBudget(() => now)
    expect([budget.take('mallory'), budget.take('mallory'), budget.take('mallory')]).toEqual([true, true, false])
    expect(budget.take('bob')).toBe(true)
    now += PER_GUEST.everyMs - 1
    expect(budget.take('mallory')).toBe(false)
    now += 1
    expect([budget.take('mallory'), budget.take('mallory')]).toEqual([true, false])
  })

  it(`gives the room ${String(PER_ROOM.burst)} offers at once whoever asks, then one every ${String(PER_ROOM.everyMs / 1000)} s`, () => {
    let now = 0
    const budget = offerBudget(() => now)
    const guests = Array.from({ length: PER_ROOM.burst + 1 }, (_, at) => `guest-${String(at)}`)
    expect(guests.map((guest) => budget.take(guest))).toEqual([...guests.slice(1).map(() => true), false])
    now += PER_ROOM.everyMs
    expect([budget.take('late'), budget.take('later')]).toEqual([true, false])
  })

  it('forgets an identity once its bucket is full again', () => {
    let now = 0
    const budget = offerBudget(() => now)
    for (let at = 0; at < 5; at++) budget.take(`guest-${String(at)}`)
    expect(budget.guests).toBe(5)
    now += PER_GUEST.everyMs * PER_GUEST.burst
    budget.take('next')
    expect(budget.guests).toBe(1)
  })
})
