import { describe, expect, it } from 'vitest'
import { offerBudget, PER_GUEST, PER_ROOM } from './offer-budget'

/**
 * A budget on a virtual clock whose timers the test runs, and a host that answers a connection whose turn came
 * (as host-invitations does: its answer takes the token handed to it). `offers` lists who was offered, in order.
 */
const setup = () => {
  let now = 0
  const timers = new Set<{ due: number; fire: () => void }>()
  const identityOf = new Map<string, string>()
  const offers: { connection: string; at: number }[] = []
  const budget = offerBudget({
    now: () => now,
    after: (ms, fire) => {
      const timer = { due: now + ms, fire }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    turn: (connection) => {
      const guest = identityOf.get(connection)
      if (guest !== undefined && budget.take(connection, guest)) offers.push({ connection, at: now })
    },
  })
  /** `connection` of `guest` says hello: true if it is offered now. */
  const ask = (connection: string, guest: string): boolean => {
    identityOf.set(connection, guest)
    const offered = budget.take(connection, guest)
    if (offered) offers.push({ connection, at: now })
    return offered
  }
  /** Moves the clock to `to`, running the timers due on the way. */
  const advance = (to: number) => {
    for (;;) {
      const due = [...timers].filter((timer) => timer.due <= to).sort((a, b) => a.due - b.due)[0]
      if (due === undefined) break
      timers.delete(due)
      now = Math.max(now, due.due)
      due.fire()
    }
    now = to
  }
  return { budget, ask, advance, offers, timers, now: () => now }
}

/**
 * Review 15 J5: a K holder's `attackers` identities, each on its own connection, say hello every 100 ms, and each
 * one offered is replaced at once by a connection of a new identity (never offered); the room's burst went to others
 * just before. The real guest comes 500 ms later and says hello every second. Returns the room refills (6 s each)
 * until the guest is offered, and the offers given in 10 minutes.
 */
const starve = (attackers: number) => {
  const { ask, advance, offers } = setup()
  for (let at = 0; at < PER_ROOM.burst; at++) expect(ask(`early-${String(at)}`, `early-${String(at)}`)).toBe(true)
  let minted = 0
  const mint = () => {
    const name = `mallory-${String(minted++)}`
    return { connection: name, guest: name }
  }
  const mallory = Array.from({ length: attackers }, mint)
  const offered = (connection: string) => offers.some((offer) => offer.connection === connection)
  let guestAt: number | undefined
  for (let now = 0; now <= 10 * 60_000; now += 100) {
    advance(now)
    for (const [at, each] of mallory.entries()) {
      if (offered(each.connection)) mallory[at] = mint()
      ask(mallory[at]?.connection ?? '', mallory[at]?.guest ?? '')
    }
    if (now % 1_000 === 500 && !offered('guest')) ask('guest', 'guest')
    guestAt ??= offers.find((offer) => offer.connection === 'guest')?.at
  }
  // Refills done by then (a timer may fire a millisecond after the token is whole).
  const refills = guestAt === undefined ? undefined : Math.floor(guestAt / PER_ROOM.everyMs)
  return { refills, total: offers.length }
}

describe('an invitation room’s offer budget (review 14 H2)', () => {
  it(`gives one identity ${String(PER_GUEST.burst)} offers at once, then one every minute`, () => {
    const { ask, advance, offers } = setup()
    expect([ask('m1', 'mallory'), ask('m2', 'mallory'), ask('m3', 'mallory')]).toEqual([true, true, false])
    expect(ask('b1', 'bob')).toBe(true)
    advance(PER_GUEST.everyMs - 1)
    expect(ask('m3', 'mallory')).toBe(false)
    expect(ask('m4', 'mallory')).toBe(false)
    // Its minute is up: the connection that waited first is answered, unasked; the other still waits.
    advance(PER_GUEST.everyMs)
    expect(offers.map((offer) => offer.connection)).toEqual(['m1', 'm2', 'b1', 'm3'])
    expect(ask('m4', 'mallory')).toBe(false)
  })

  it(`gives the room ${String(PER_ROOM.burst)} offers at once whoever asks, then one every ${String(PER_ROOM.everyMs / 1000)} s`, () => {
    const { ask, advance, offers } = setup()
    const guests = Array.from({ length: PER_ROOM.burst + 1 }, (_, at) => `guest-${String(at)}`)
    expect(guests.map((guest) => ask(guest, guest))).toEqual([...guests.slice(1).map(() => true), false])
    expect(ask('late', 'late')).toBe(false)
    advance(PER_ROOM.everyMs)
    expect(offers.length).toBe(PER_ROOM.burst + 1)
    expect(offers.at(-1)?.connection).toBe(guests.at(-1))
  })

  it('forgets an identity once its bucket is full again, and a place once its connection left', () => {
    const { budget, ask, advance } = setup()
    for (let at = 0; at < 5; at++) ask(`guest-${String(at)}`, `guest-${String(at)}`)
    expect(budget.guests).toBe(5)
    advance(PER_GUEST.everyMs * PER_GUEST.burst)
    ask('next', 'next')
    expect(budget.guests).toBe(1)
    for (let at = 0; at < PER_ROOM.burst; at++) ask(`more-${String(at)}`, `more-${String(at)}`)
    expect(budget.waiting).toBe(1)
    budget.leave(`more-${String(PER_ROOM.burst - 1)}`)
    expect(budget.waiting).toBe(0)
  })
})

describe('the line for the room’s offers (review 15 J5)', () => {
  it('hands a refilled token to the identity that waited longest, never offered first, and answers it unasked', () => {
    const { ask, advance, offers } = setup()
    // Mallory was offered twice; her identity's minute is up when the room refills.
    ask('m1', 'mallory')
    ask('m2', 'mallory')
    advance(PER_GUEST.everyMs)
    for (let at = 0; at < PER_ROOM.burst; at++) ask(`other-${String(at)}`, `other-${String(at)}`)
    // The room is empty: Mallory's third connection waits first, then the guest (one hello, then silent).
    expect(ask('m3', 'mallory')).toBe(false)
    expect(ask('guest', 'guest')).toBe(false)
    // Mallory's hellos at 10 Hz keep her place and take nothing.
    for (let at = 1; at <= 2 * (PER_ROOM.everyMs / 100); at++) {
      advance(PER_GUEST.everyMs + at * 100)
      expect(ask('m3', 'mallory')).toBe(false)
      if (offers.some((offer) => offer.connection === 'guest')) break
    }
    expect(offers.filter((offer) => offer.at > PER_GUEST.everyMs).map((offer) => offer.connection)).toEqual(['guest'])
    expect(offers.at(-1)?.at).toBe(PER_GUEST.everyMs + PER_ROOM.everyMs)
  })

  it('one identity holds one place whatever its connections: a second one does not wait twice', () => {
    const { budget, ask, advance, offers } = setup()
    for (let at = 0; at < PER_ROOM.burst; at++) ask(`early-${String(at)}`, `early-${String(at)}`)
    expect([ask('m1', 'mallory'), ask('m2', 'mallory'), ask('g', 'guest')]).toEqual([false, false, false])
    expect(budget.waiting).toBe(2)
    advance(2 * PER_ROOM.everyMs)
    expect(offers.slice(PER_ROOM.burst).map((offer) => offer.connection)).toEqual(['m1', 'g'])
  })

  it('offers the real guest within one refill per attacker ahead of it, sooner with fewer, and keeps the H2 bound', () => {
    const figures = [0, 1, 4, 12].map((attackers) => ({ attackers, ...starve(attackers) }))
    console.info(
      figures
        .map(
          ({ attackers, refills, total }) =>
            `${String(attackers)} attackers: guest offered at refill ${String(refills)}, ${String(total)} offers in 10 min`,
        )
        .join(' | '),
    )
    for (const { attackers, refills, total } of figures) {
      expect(refills).toBeDefined()
      expect(refills).toBeLessThanOrEqual(attackers + 1)
      // Review 14 H2: the room's burst, then one offer every 6 s, whatever identities ask.
      expect(total).toBeLessThanOrEqual(PER_ROOM.burst + (10 * 60_000) / PER_ROOM.everyMs)
    }
    const times = figures.map(({ refills }) => refills ?? Infinity)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(figures.at(-1)?.refills).toBeLessThanOrEqual(13)
  })

  it('stops: no timer fires, and nobody is answered', () => {
    const { budget, ask, timers } = setup()
    for (let at = 0; at <= PER_ROOM.burst; at++) ask(`guest-${String(at)}`, `guest-${String(at)}`)
    expect(timers.size).toBe(1)
    budget.stop()
    expect(timers.size).toBe(0)
    expect(ask('late', 'late')).toBe(false)
  })
})
