import { expect, it } from 'vitest'
import { ManualClock } from './testing/manual-clock'

it('ManualClock moves only when told', () => {
  const clock = new ManualClock(1000)
  expect(clock.now()).toBe(1000)
  clock.advance(250)
  expect(clock.now()).toBe(1250)
  clock.set(5)
  expect(clock.now()).toBe(5)
})
