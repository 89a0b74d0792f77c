import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startLeadership, type Leadership } from './mesh-leader'
import { fakeBrowser, until } from './testing/fake-edges'

/** Lets every queued microtask and channel message run (the fakes settle on microtasks only). */
const idle = () =>
  new Promise<void>((resolve) => {
    setImmediate(resolve)
  })

const deferred = () => {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

/** Tabs of one profile, each with a leadership whose mesh is a set entry: `running` holds who runs one now. */
const profile = () => {
  const browser = fakeBrowser()
  const running = new Set<number>()
  const log: string[] = []
  const tabs: { tab: ReturnType<typeof browser.openTab>; leadership: Leadership; alive: boolean }[] = []
  let stopWith: (index: number) => Promise<void> = () => Promise.resolve()
  const open = () => {
    const index = tabs.length
    const tab = index === 0 ? browser : browser.openTab()
    const leadership = startLeadership(tab.edges, {
      onLead: () => {
        log.push(`start ${index} while ${[...running].join(',') || 'none'} ran`)
        running.add(index)
        return Promise.resolve(async () => {
          await stopWith(index)
          running.delete(index)
          log.push(`stopped ${index}`)
        })
      },
    })
    const entry = { tab, leadership, alive: true }
    tabs.push(entry)
    return entry
  }
  /** The tab closes: the browser frees its locks at once and its mesh dies with it. */
  const close = (index: number) => {
    const entry = tabs[index]
    if (entry === undefined) return
    entry.alive = false
    entry.tab.locks.die()
    running.delete(index)
  }
  const leaders = () =>
    tabs.flatMap((entry, index) => (entry.alive && entry.leadership.role.get() === 'leader' ? [index] : []))
  return {
    open,
    close,
    tabs,
    running,
    log,
    leaders,
    setStop: (stop: typeof stopWith) => {
      stopWith = stop
    },
  }
}

describe('one leader tab per profile', () => {
  it('lets the first tab lead and the second follow; when the leader closes, the second leads', async () => {
    const tabs = profile()
    const first = tabs.open()
    await until(first.leadership.role, (role) => role === 'leader')
    const second = tabs.open()
    await idle()
    expect(second.leadership.role.get()).toBe('follower')
    expect(tabs.leaders()).toEqual([0])

    tabs.close(0)
    await until(second.leadership.role, (role) => role === 'leader')
    expect(tabs.leaders()).toEqual([1])
    expect(tabs.log).toEqual(['start 0 while none ran', 'start 1 while none ran'])
    await second.leadership.stop()
  })

  it('stops a robbed leader first: the new leader starts only once the old one has finished stopping', async () => {
    const tabs = profile()
    const first = tabs.open()
    const second = tabs.open()
    await until(first.leadership.role, (role) => role === 'leader')
    const slowStop = deferred()
    tabs.setStop(() => slowStop.promise)

    const taking = second.leadership.takeLead()
    await until(first.leadership.role, (role) => role === 'follower')
    await idle()
    // The old mesh is still stopping: nobody leads, and the second tab waits.
    expect(tabs.running).toEqual(new Set([0]))
    expect(second.leadership.role.get()).toBe('follower')

    slowStop.resolve()
    expect(await taking).toBe(true)
    expect(tabs.leaders()).toEqual([1])
    expect(tabs.log).toEqual(['start 0 while none ran', 'stopped 0', 'start 1 while none ran'])
    // The robbed tab lines up again and takes over when the new leader goes.
    tabs.setStop(() => Promise.resolve())
    await second.leadership.stop()
    await until(first.leadership.role, (role) => role === 'leader')
    await first.leadership.stop()
  })

  it('releases the lock when a stop throws, so another tab can lead', async () => {
    const tabs = profile()
    const first = tabs.open()
    await until(first.leadership.role, (role) => role === 'leader')
    const second = tabs.open()
    tabs.setStop(() => Promise.reject(new Error('leave failed')))
    const warn = console.warn
    const warnings: unknown[] = []
    console.warn = (...args: unknown[]) => void warnings.push(args)
    try {
      await first.leadership.stop()
    } finally {
      console.warn = warn
    }
    await until(second.leadership.role, (role) => role === 'leader')
    expect(warnings).toHaveLength(1)
    expect(first.leadership.role.get()).toBe('follower')
    tabs.setStop(() => Promise.resolve())
    await second.leadership.stop()
  })

  it('hands the lead over on pagehide and freeze, and lines up again on pageshow and resume', async () => {
    const tabs = profile()
    const first = tabs.open()
    const second = tabs.open()
    await until(first.leadership.role, (role) => role === 'leader')

    first.tab.page.dispatch(new Event('pagehide'))
    await until(second.leadership.role, (role) => role === 'leader')
    first.tab.page.dispatch(new Event('pageshow'))
    second.tab.page.dispatch(new Event('freeze'))
    await until(first.leadership.role, (role) => role === 'leader')
    second.tab.page.dispatch(new Event('resume'))
    await idle()
    expect(tabs.leaders()).toEqual([0])
    // A hidden tab does not take the lead, even when asked.
    first.tab.page.dispatch(new Event('pagehide'))
    await until(second.leadership.role, (role) => role === 'leader')
    expect(await first.leadership.takeLead()).toBe(false)
    await Promise.all([first.leadership.stop(), second.leadership.stop()])
    expect(first.tab.page.listenerCount + second.tab.page.listenerCount).toBe(0)
  })

  it('leaves the lead to another tab when its mesh fails to start', async () => {
    const browser = fakeBrowser()
    const warnings: unknown[] = []
    const failing = startLeadership(browser.edges, {
      onLead: () => Promise.reject(new Error('no relay')),
      onError: (error) => void warnings.push(error),
    })
    await until(failing.role, (role) => role === 'leader')
    const other = startLeadership(browser.openTab().edges, { onLead: () => Promise.resolve(() => Promise.resolve()) })
    await until(other.role, (role) => role === 'leader')
    expect(failing.role.get()).toBe('follower')
    expect(warnings).toHaveLength(1)
    await Promise.all([failing.stop(), other.stop()])
  })

  it('keeps at most one mesh running through any opens, closes, hides, shows, steals and stops (seed 1126)', async () => {
    const step = fc.record({
      op: fc.constantFrom('open', 'close', 'hide', 'show', 'freeze', 'resume', 'steal', 'stop', 'tick'),
      tab: fc.nat(7),
      stopTicks: fc.nat(3),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const tabs = profile()
        const visible = new Set<number>()
        const stopped = new Set<number>()
        let stopTicks = 0
        tabs.setStop(async () => {
          for (let tick = 0; tick < stopTicks; tick += 1) await idle()
        })
        tabs.open()
        visible.add(0)
        for (const { op, tab, stopTicks: ticks } of steps) {
          stopTicks = ticks
          const index = tab % tabs.tabs.length
          const entry = tabs.tabs[index]
          if (entry === undefined) throw new Error('no such tab')
          const alive = entry.alive
          if (op === 'open') {
            tabs.open()
            visible.add(tabs.tabs.length - 1)
          } else if (op === 'close' && alive) {
            tabs.close(index)
            visible.delete(index)
          } else if ((op === 'hide' || op === 'freeze') && alive) {
            entry.tab.page.dispatch(new Event(op === 'hide' ? 'pagehide' : 'freeze'))
            visible.delete(index)
          } else if ((op === 'show' || op === 'resume') && alive) {
            entry.tab.page.dispatch(new Event(op === 'show' ? 'pageshow' : 'resume'))
            // A stopped leadership no longer listens (as after `client.close()`).
            if (!stopped.has(index)) visible.add(index)
          } else if (op === 'steal' && alive) void entry.leadership.takeLead()
          else if (op === 'stop' && alive) {
            void entry.leadership.stop()
            stopped.add(index)
            visible.delete(index)
          }
          await idle()
          expect(tabs.running.size).toBeLessThanOrEqual(1)
          expect(tabs.leaders().length).toBeLessThanOrEqual(1)
        }
        // Once everything has settled, a profile with a visible tab has exactly one leader, running its mesh.
        stopTicks = 0
        for (let round = 0; round < 20; round += 1) await idle()
        const leaders = tabs.leaders()
        expect(leaders.length).toBe(visible.size > 0 ? 1 : 0)
        expect([...tabs.running]).toEqual(leaders)
        for (const leader of leaders) expect(visible.has(leader)).toBe(true)
        // No mesh ever started while another ran.
        expect(tabs.log.filter((line) => line.startsWith('start') && !line.endsWith('none ran'))).toEqual([])
        await Promise.all(tabs.tabs.filter((one) => one.alive).map((one) => one.leadership.stop()))
      }),
      { seed: 1126, numRuns: 200 },
    )
  })
})
