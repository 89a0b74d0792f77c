import { describe, expect, it } from 'vitest'
import { FakeLockManager } from './fake-locks'

const idle = () =>
  new Promise<void>((resolve) => {
    setImmediate(resolve)
  })

const never = new Promise<never>(() => undefined)

describe('fake Web Locks, with the browser rules the leader relies on', () => {
  it('grants an exclusive lock to one tab at a time, in order, and shared ones together', async () => {
    const manager = new FakeLockManager()
    const [a, b] = [manager.tab(), manager.tab()]
    const order: string[] = []
    let releaseA: () => void = () => undefined
    const first = a.request('x', () => new Promise<void>((done) => (releaseA = done)).then(() => void order.push('a')))
    const second = b.request('x', () => void order.push('b'))
    await idle()
    expect(manager.holders('x')).toEqual([a])
    releaseA()
    await Promise.all([first, second])
    expect(order).toEqual(['a', 'b'])

    const shared = await Promise.all([
      a.request('s', { mode: 'shared' }, () => manager.holders('s').length),
      b.request('s', { mode: 'shared' }, () => manager.holders('s').length),
    ])
    expect(shared).toEqual([2, 2])
  })

  it('breaks a held lock on steal: the holder is rejected with AbortError and the stealer gets it at once', async () => {
    const manager = new FakeLockManager()
    const [a, b] = [manager.tab(), manager.tab()]
    const held = a.request('x', () => never)
    await idle()
    await expect(b.request('x', { steal: true }, () => manager.holders('x'))).resolves.toEqual([b])
    await expect(held).rejects.toMatchObject({ name: 'AbortError' })
    await expect(b.request('x', { steal: true, signal: new AbortController().signal }, () => 1)).rejects.toMatchObject({
      name: 'NotSupportedError',
    })
  })

  it('withdraws a waiting request when its signal aborts, and answers ifAvailable with null when taken', async () => {
    const manager = new FakeLockManager()
    const [a, b] = [manager.tab(), manager.tab()]
    void a.request('x', () => never)
    await idle()
    const stop = new AbortController()
    const waiting = b.request('x', { signal: stop.signal }, () => 'granted')
    stop.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    await expect(b.request('x', { ifAvailable: true }, (lock) => lock)).resolves.toBeNull()
  })

  it('frees a dead tab’s locks at once and forgets its requests', async () => {
    const manager = new FakeLockManager()
    const [a, b, c] = [manager.tab(), manager.tab(), manager.tab()]
    void a.request('x', () => never)
    void b.request('x', () => never)
    const third = c.request('x', () => 'c')
    await idle()
    a.die()
    b.die()
    await expect(third).resolves.toBe('c')
    expect(manager.holders('x')).toEqual([])
  })
})
