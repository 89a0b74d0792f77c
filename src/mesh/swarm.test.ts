import type { joinRoom, JoinRoomConfig, MessageActionConfig, Room } from 'trystero'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { defaultMeshSettings } from './mesh-config'
import { joinSwarm, type Swarm, type Visibility } from './swarm'

/** Rooms that reach each other in memory, enough of Trystero's `Room` for `joinSwarm`. */
class FakeNetwork {
  readonly configs: JoinRoomConfig[] = []
  readonly #rooms = new Map<string, FakeRoom>()
  #next = 0

  join: typeof joinRoom = (config) => {
    this.configs.push(config)
    const room = new FakeRoom(this, `peer-${this.#next++}`)
    for (const other of this.#rooms.values()) {
      queueMicrotask(() => {
        other.onPeerJoin?.(room.id)
        room.onPeerJoin?.(other.id)
      })
    }
    this.#rooms.set(room.id, room)
    return room as unknown as Room
  }

  /** A page that closed without leaving: it neither sends nor receives again, and nobody is told. */
  crash(id: string): void {
    this.#rooms.delete(id)
  }

  leave(id: string): void {
    this.#rooms.delete(id)
    for (const other of this.#rooms.values()) other.onPeerLeave?.(id)
  }

  deliver(from: string, name: string, data: unknown, target: string | string[] | null | undefined): void {
    for (const room of this.#rooms.values()) {
      const wanted = target === null || target === undefined || target === room.id || target.includes(room.id)
      if (room.id !== from && wanted) room.receive(from, name, data)
    }
  }
}

class FakeRoom {
  onPeerJoin: ((peerId: string) => void) | null = null
  onPeerLeave: ((peerId: string) => void) | null = null
  readonly #handlers = new Map<string, (data: unknown, context: { peerId: string }) => void>()

  readonly network: FakeNetwork
  readonly id: string

  constructor(network: FakeNetwork, id: string) {
    this.network = network
    this.id = id
  }

  makeAction(name: string, config: MessageActionConfig<never>) {
    this.#handlers.set(name, config.onMessage as (data: unknown, context: { peerId: string }) => void)
    return {
      send: (data: unknown, options: { target?: string | string[] | null }) => {
        this.network.deliver(this.id, name, data, options.target)
        return Promise.resolve()
      },
    }
  }

  receive(from: string, name: string, data: unknown): void {
    this.#handlers.get(name)?.(data, { peerId: from })
  }

  leave(): Promise<void> {
    this.network.leave(this.id)
    return Promise.resolve()
  }
}

/** A page's visibility that the test flips. */
class FakeVisibility implements Visibility {
  hidden = false
  readonly #listeners = new Set<() => void>()

  isHidden(): boolean {
    return this.hidden
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  set(hidden: boolean): void {
    this.hidden = hidden
    for (const listener of this.#listeners) listener()
  }
}

const setup = () => {
  const network = new FakeNetwork()
  const clock = new ManualClock()
  const ticks = new Map<Swarm, () => void>()
  const join = (visibility = new FakeVisibility()): Swarm => {
    let tick = (): void => undefined
    const swarm = joinSwarm(
      defaultMeshSettings({}),
      { roomId: 'room', password: 'secret' },
      {
        clock,
        join: network.join,
        heartbeatMs: 1_000,
        presenceTimeoutMs: 3_500,
        hiddenPresenceTimeoutMs: 75_000,
        visibility,
        every: (_ms, run) => {
          tick = run
          return () => {
            tick = () => undefined
          }
        },
      },
    )
    ticks.set(swarm, () => {
      tick()
    })
    return swarm
  }
  /** Moves time by one heartbeat and runs every swarm's timer. */
  const beat = (swarms: readonly Swarm[]): void => {
    clock.advance(1_000)
    for (const swarm of swarms) ticks.get(swarm)?.()
  }
  return { network, join, beat }
}

const peersOf = (swarm: Swarm): string[] => [...swarm.peers.get()].sort()

describe('joinSwarm', () => {
  it('joins with the config built from the settings, so no public STUN server is used', () => {
    const { network, join } = setup()
    join()
    expect(network.configs[0]).toMatchObject({ password: 'secret', rtcConfig: { iceServers: [] } })
  })

  it('sees peers join, carries channel messages, and keeps beating peers present', async () => {
    const { join, beat } = setup()
    const [a, b] = [join(), join()]
    await Promise.resolve()
    expect(peersOf(a)).toEqual(['peer-1'])
    expect(peersOf(b)).toEqual(['peer-0'])
    const got: [string, string][] = []
    b.channel<string>('cp.chat').subscribe((data, peerId) => got.push([data, peerId]))
    b.channel<string>('cp.chat').subscribe((data) => got.push([data, 'second listener']))
    await a.channel<string>('cp.chat').send('hello')
    expect(got).toEqual([
      ['hello', 'peer-0'],
      ['hello', 'second listener'],
    ])
    for (let i = 0; i < 10; i++) beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1'])
  })

  it('drops a peer whose page closed without leaving once its heartbeats stop', async () => {
    const { network, join, beat } = setup()
    const [a, b, c] = [join(), join(), join()]
    await Promise.resolve()
    expect(peersOf(a)).toEqual(['peer-1', 'peer-2'])
    network.crash('peer-2')
    beat([a, b])
    beat([a, b])
    beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1', 'peer-2'])
    beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1'])
    expect(peersOf(b)).toEqual(['peer-0'])
    expect(peersOf(c)).toEqual(['peer-0', 'peer-1'])
  })

  it('drops a peer that leaves at once, and forgets everyone when it leaves itself', async () => {
    const { join } = setup()
    const [a, b] = [join(), join()]
    await Promise.resolve()
    await b.leave()
    expect(peersOf(a)).toEqual([])
    expect(peersOf(b)).toEqual([])
  })

  it('waits longer for a peer whose page is hidden, and goes back to a short wait as soon as it is visible', async () => {
    const { join, beat } = setup()
    const bobsPage = new FakeVisibility()
    const [alice, bob] = [join(), join(bobsPage)]
    await Promise.resolve()
    bobsPage.set(true)
    beat([alice, bob])
    // Bob's timers now run about once a minute: only Alice's keep beating.
    for (let i = 0; i < 60; i++) beat([alice])
    expect(peersOf(alice)).toEqual(['peer-1'])
    beat([alice, bob])
    bobsPage.set(false)
    for (let i = 0; i < 3; i++) beat([alice])
    expect(peersOf(alice)).toEqual(['peer-1'])
    beat([alice])
    expect(peersOf(alice)).toEqual([])
    expect(peersOf(bob)).toEqual(['peer-0'])
  })
})
