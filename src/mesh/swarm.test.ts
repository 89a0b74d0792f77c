import { describe, expect, it, vi } from 'vitest'
import { err, ok } from '../base'
import { ManualClock } from '../base/testing/manual-clock'
import type { IdentityKey, PublicKey } from '../halo'
import { HandshakeRefusal } from './handshake/refusal'
import { defaultMeshSettings } from './mesh-config'
import { metDigest } from './missed-meetings'
import { SILENT_CLOSE_MS } from './silent-peers'
import { FakeTrystero, type FakePage } from './testing/fake-trystero'
import {
  joinSwarm,
  type Swarm,
  type SwarmHandshake,
  type SwarmOptions,
  type SwarmRefusal,
  type TrysteroPage,
  type Visibility,
} from './swarm'

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
  const network = new FakeTrystero()
  const clock = new ManualClock()
  const ticks = new Map<Swarm, () => void>()
  const pages = new Map<string, FakePage>()
  // The rejoin timers every swarm set, by delay; `rejoinTimers` runs those due, as a clock would.
  const timers = new Set<{ readonly ms: number; readonly run: () => void }>()
  const online = new Set<() => void>()
  const join = (visibility = new FakeVisibility(), extra: SwarmOptions = {}): Swarm => {
    let tick = (): void => undefined
    const page = network.page()
    pages.set(page.selfId, page)
    const swarm = joinSwarm(
      defaultMeshSettings({}),
      { roomId: 'room', password: 'secret' },
      {
        clock,
        page,
        heartbeatMs: 1_000,
        presenceTimeoutMs: 3_500,
        hiddenPresenceTimeoutMs: 75_000,
        visibility,
        after: (ms, run) => {
          const timer = { ms, run }
          timers.add(timer)
          return () => timers.delete(timer)
        },
        online: {
          subscribe: (listener) => {
            online.add(listener)
            return () => online.delete(listener)
          },
        },
        // The middle of the rejoin jitter: each delay as written.
        random: () => 0.5,
        ...extra,
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
  /** Moves time by one heartbeat (or `ms`), runs every swarm's timer, and lets the beats arrive. */
  const beat = async (swarms: readonly Swarm[], ms = 1_000): Promise<void> => {
    clock.advance(ms)
    for (const swarm of swarms) ticks.get(swarm)?.()
    await flush()
  }
  /** Fires every rejoin timer set now, and gives their delays. */
  const fireRejoins = (): number[] => {
    const due = [...timers]
    timers.clear()
    for (const timer of due) timer.run()
    return due.map((timer) => timer.ms)
  }
  const goOnline = (): void => {
    for (const listener of [...online]) listener()
  }
  return { network, pages, clock, join, beat, timers, fireRejoins, goOnline }
}

/** Lets every queued microtask run (the fake's handshakes and joins), with no timed wait. */
const flush = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0)
  })

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
    await flush()
    expect(peersOf(a)).toEqual(['peer-1'])
    expect(peersOf(b)).toEqual(['peer-0'])
    const got: [string, string][] = []
    b.channel<string>('cp.chat').subscribe((data, peerId) => got.push([data, peerId]))
    b.channel<string>('cp.chat').subscribe((data) => got.push([data, 'second listener']))
    await a.channel<string>('cp.chat').send('hello')
    await flush()
    expect(got).toEqual([
      ['hello', 'peer-0'],
      ['hello', 'second listener'],
    ])
    for (let i = 0; i < 10; i++) await beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1'])
  })

  it('drops a peer whose page closed without leaving once its heartbeats stop', async () => {
    const { pages, join, beat } = setup()
    const [a, b, c] = [join(), join(), join()]
    await flush()
    expect(peersOf(a)).toEqual(['peer-1', 'peer-2'])
    pages.get('peer-2')?.crash()
    await beat([a, b])
    await beat([a, b])
    await beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1', 'peer-2'])
    await beat([a, b])
    expect(peersOf(a)).toEqual(['peer-1'])
    expect(peersOf(b)).toEqual(['peer-0'])
    expect(peersOf(c)).toEqual(['peer-0', 'peer-1'])
  })

  it('drops a peer that leaves at once, and forgets everyone when it leaves itself', async () => {
    const { join } = setup()
    const [a, b] = [join(), join()]
    await flush()
    await b.leave()
    expect(peersOf(a)).toEqual([])
    expect(peersOf(b)).toEqual([])
  })

  it('waits longer for a peer whose page is hidden, and goes back to a short wait as soon as it is visible', async () => {
    const { join, beat } = setup()
    const bobsPage = new FakeVisibility()
    const [alice, bob] = [join(), join(bobsPage)]
    await flush()
    bobsPage.set(true)
    await flush()
    await beat([alice, bob])
    // Bob's timers now run about once a minute: only Alice's keep beating.
    for (let i = 0; i < 60; i++) await beat([alice])
    expect(peersOf(alice)).toEqual(['peer-1'])
    await beat([alice, bob])
    bobsPage.set(false)
    await flush()
    for (let i = 0; i < 3; i++) await beat([alice])
    expect(peersOf(alice)).toEqual(['peer-1'])
    await beat([alice])
    expect(peersOf(alice)).toEqual([])
    expect(peersOf(bob)).toEqual(['peer-0'])
  })

  describe('with a handshake', () => {
    /** The peer `peerId` as its handshake proved it: its device key is its name's (one device, one name). */
    const peerFor = (peerId: string, name: string) => ({
      peerId,
      repo: `cp1.${name.padEnd(64, '0')}.${peerId}`,
      storage: null,
      identity: 'b'.repeat(64) as IdentityKey,
      device: name.padEnd(64, '0') as PublicKey,
      chain: null,
      transcript: new Uint8Array(),
      invited: false,
    })
    /** Says its name, then done, or a reject for a remote whose name is in `deny` (runHandshake's last step). */
    const handshakeAs =
      (name: string, deny: ReadonlySet<string> = new Set()): SwarmHandshake =>
      async (peerId, send, receive) => {
        await send(name)
        const { data } = await receive()
        // The swarm itself refuses with a real reject frame (see 'leaving').
        const rejected = typeof data === 'string' && /^\{"v":1,"reject":"([a-z-]+)"\}$/.exec(data)
        if (rejected) return err(new HandshakeRefusal('refused-by-peer', { remoteCode: rejected[1] ?? '' }))
        if (typeof data === 'string' && deny.has(data)) {
          await send('reject')
          return err(new HandshakeRefusal('not-member'))
        }
        await send('done')
        const { data: last } = await receive()
        if (last === 'reject') return err(new HandshakeRefusal('refused-by-peer', { remoteCode: 'not-member' }))
        return ok(peerFor(peerId, String(data)))
      }
    /** The stub is not `runHandshake`, so its connections cannot be bound: these tests let them in unbound. */
    const unbound = (name: string, deny?: ReadonlySet<string>): SwarmOptions => ({
      handshake: handshakeAs(name, deny),
      admitUnboundTestPeers: true,
    })
    const ids = (swarm: Swarm): string[] => [...swarm.authenticated.get().keys()].sort()
    /** A page whose rooms' leave() waits for `release`, as Trystero's takes about 100 ms. */
    const slowLeaving = (network: FakeTrystero): { page: TrysteroPage; release: () => void } => {
      let release = (): void => undefined
      const held = new Promise<void>((resolve) => {
        release = resolve
      })
      const slow = network.page()
      const page: TrysteroPage = {
        selfId: slow.selfId,
        join: (config, roomId, callbacks) => {
          const room = slow.join(config, roomId, callbacks)
          const leave = room.leave.bind(room)
          room.leave = () => held.then(leave)
          return room
        },
      }
      return {
        page,
        release: () => {
          release()
        },
      }
    }

    it('rejoins a room whose first meeting failed, so the two meet without waiting for the next announce', async () => {
      const { network, join, fireRejoins } = setup()
      network.missMeetings(1)
      const alice = join(undefined, { ...unbound('alice') })
      const bob = join(undefined, { ...unbound('bob') })
      await flush()
      expect(ids(alice)).toEqual([])
      expect(fireRejoins()).toEqual([4_000, 4_000])
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
      expect(ids(bob)).toEqual(['peer-0'])
      // Met: no more rejoins, whichever of the two rejoined second.
      fireRejoins()
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
    })

    it('meets again a peer it missed while both stay connected through a third (device-sync: B and C never met)', async () => {
      const { network, join, timers, fireRejoins } = setup()
      const alice = join(undefined, unbound('alice'))
      const bob = join(undefined, unbound('bob'))
      await flush()
      // Carol's meeting with Bob fails silently; both meet Alice, so neither is lonely.
      network.missMeeting('peer-1', 'peer-2')
      const carol = join(undefined, unbound('carol'))
      await flush()
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      expect(ids(bob)).toEqual(['peer-0'])
      expect(ids(carol)).toEqual(['peer-0'])
      // Alice's list told each of them of the other: both rejoin after the first delay, spread.
      await vi.waitFor(() => {
        expect([...timers].map((timer) => timer.ms)).toEqual([4_000, 4_000])
      })
      fireRejoins()
      await vi.waitFor(() => {
        expect(ids(bob)).toEqual(['peer-0', 'peer-2'])
      })
      expect(ids(carol)).toEqual(['peer-0', 'peer-1'])
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      // All met: nothing more is scheduled.
      expect(timers.size).toBe(0)
    })

    it('backs off while the missed peer stays missed, starts from 4 s again once it is met, within 3 rejoins in 10 min', async () => {
      const { network, clock, join, timers, fireRejoins } = setup()
      const alice = join(undefined, unbound('alice'))
      const bob = join(undefined, unbound('bob'))
      await flush()
      network.missMeeting('peer-1', 'peer-2', 3)
      join(undefined, unbound('carol'))
      await flush()
      const delays: number[] = []
      for (let i = 0; i < 6 && ids(bob).length < 2; i++) {
        await vi.waitFor(() => {
          expect(timers.size).toBe(2)
        })
        delays.push(...fireRejoins())
        await flush()
      }
      // Bob and Carol rejoin together, so each round makes one meeting of theirs: the first two rounds miss too.
      expect(delays).toEqual([4_000, 4_000, 8_000, 8_000, 16_000, 16_000])
      expect(ids(bob)).toEqual(['peer-0', 'peer-2'])
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      network.missMeeting('peer-0', 'peer-1')
      alice.closePeer('peer-1')
      // Alice and Bob missed each other now; Carol's lists tell them so, from the first delay again. Bob has had his
      // 3 rejoins of these 10 minutes (review 15, J1): he waits for the window, and Alice's rejoins meet him.
      await vi.waitFor(() => {
        expect([...timers].map((timer) => timer.ms).sort((a, b) => a - b)).toEqual([4_000, 600_000])
      })
      const alices: number[] = []
      for (let i = 0; i < 3 && ids(bob).length < 2; i++) {
        const [next] = [...timers].filter((timer) => timer.ms <= 60_000)
        if (next === undefined) break
        timers.delete(next)
        alices.push(next.ms)
        clock.advance(next.ms)
        next.run()
        await vi.waitFor(() => {
          expect(ids(alice).length === 2 || [...timers].some((timer) => timer.ms <= 60_000)).toBe(true)
        })
      }
      // Alice's first rejoin misses Bob once more (the network's one miss), her second meets him.
      expect(alices).toEqual([4_000, 8_000])
      expect(ids(bob)).toEqual(['peer-0', 'peer-2'])
    })

    it('does not rejoin for a peer it is meeting now, nor for a list that is not one', async () => {
      const { join, timers } = setup()
      const alice = join(undefined, unbound('alice'))
      const bob = join(undefined, unbound('bob'))
      await flush()
      const met = alice.channel<string | string[]>('cp.met')
      const stranger = await metDigest('room', 'peer-9')
      // Not a list; too long; a raw id, not a digest; a digest in capitals.
      await met.send(stranger)
      await met.send(Array.from({ length: 65 }, (_, i) => i.toString(16).padStart(32, '0')))
      await met.send(['peer-9'])
      await met.send([stranger.toUpperCase()])
      await flush()
      expect(timers.size).toBe(0)
      await met.send([stranger])
      await vi.waitFor(() => {
        expect([...timers].map((timer) => timer.ms)).toEqual([4_000])
      })
      // The same peer told a list without the stranger: nothing is missing any more.
      await met.send([await metDigest('room', 'peer-1')])
      await vi.waitFor(() => {
        expect(timers.size).toBe(0)
      })
      expect(ids(bob)).toEqual(['peer-0'])
    })

    it('backs off 4, 8, 16, 32 s then every 60 s while alone, and keeps channels and presence across rejoins', async () => {
      const { network, join, fireRejoins, beat } = setup()
      network.missMeetings(5)
      const alice = join(undefined, { ...unbound('alice') })
      const bob = join(undefined, { ...unbound('bob') })
      const heard: [string, string][] = []
      bob.channel<string>('cp.chat').subscribe((data, peerId) => heard.push([data, peerId]))
      await flush()
      const delays: number[] = []
      // Both rejoin together here, so each round makes one meeting (the second to rejoin finds the first).
      for (let i = 0; i < 8 && ids(alice).length === 0; i++) {
        delays.push(...fireRejoins())
        await flush()
      }
      expect(delays).toEqual([4_000, 4_000, 8_000, 8_000, 16_000, 16_000, 32_000, 32_000, 60_000, 60_000])
      expect(ids(alice)).toEqual(['peer-1'])
      await alice.channel<string>('cp.chat').send('after the rejoin')
      await flush()
      expect(heard).toEqual([['after the rejoin', 'peer-0']])
      for (let i = 0; i < 5; i++) await beat([alice, bob])
      expect(peersOf(bob)).toEqual(['peer-0'])
      expect(network.callbacks.length).toBe(2 + delays.length)
    })

    it('spreads the rejoins of two rooms that went lonely together, within a quarter of each delay', async () => {
      const { network, join, timers, fireRejoins } = setup()
      network.missMeetings(3)
      // Two pages' draws: the lowest and the highest the jitter allows.
      const alice = join(undefined, { ...unbound('alice'), random: () => 0 })
      join(undefined, { ...unbound('bob'), random: () => 0.999 })
      await flush()
      expect(ids(alice)).toEqual([])
      // Not in lockstep: 4 s became 3 s and just under 5 s.
      expect([...timers].map((timer) => timer.ms)).toEqual([3_000, 4_998])
      fireRejoins()
      await flush()
      expect([...timers].map((timer) => timer.ms)).toEqual([6_000, 9_996])
    })

    it('does not rejoin while a peer is authenticated, starts again when the last one leaves, and stops on leave', async () => {
      const { network, join, timers, fireRejoins, goOnline } = setup()
      const alice = join(undefined, { ...unbound('alice') })
      const bob = join(undefined, { ...unbound('bob') })
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
      expect(timers.size).toBe(0)
      goOnline()
      await flush()
      expect(network.callbacks.length).toBe(2)
      await bob.leave()
      expect([...timers].map((timer) => timer.ms)).toEqual([4_000])
      await alice.leave()
      expect(timers.size).toBe(0)
      goOnline()
      fireRejoins()
      await flush()
      expect(network.callbacks.length).toBe(2)
    })

    it('waits, lonely, without rejoining where asked (a kept room), and still meets a peer that comes', async () => {
      const { join, timers, fireRejoins } = setup()
      let kept = false
      const alice = join(undefined, { ...unbound('alice'), waitsWhileLonely: () => kept })
      await flush()
      expect([...timers].map((timer) => timer.ms)).toEqual([4_000])
      // A new generation's room made it a kept one: the rejoin already scheduled runs, and no other follows.
      kept = true
      fireRejoins()
      await flush()
      expect(timers.size).toBe(0)
      const bob = join(undefined, { ...unbound('bob') })
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
      await bob.leave()
      await flush()
      expect(timers.size).toBe(0)
    })

    it('rejoins at once when the browser comes back online', async () => {
      const { network, join, goOnline } = setup()
      network.missMeetings(1)
      const alice = join(undefined, { ...unbound('alice') })
      join(undefined, { ...unbound('bob') })
      await flush()
      expect(ids(alice)).toEqual([])
      goOnline()
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
    })

    it('closes the connection to a peer that still holds it joined after its own side failed alone, so the two meet again', async () => {
      const { network, pages, clock, join, fireRejoins } = setup()
      // Trystero's handshake timeout, short: the side that forgot fails its handshakes by it. Alice keeps sending
      // frames of the room over the connection (her beats: she holds Bob joined).
      const options = { ...unbound('bob'), handshakeTimeoutMs: 5, heard: () => clock.now() }
      const alice = join(undefined, { ...unbound('alice'), handshakeTimeoutMs: 5 })
      const bob = join(undefined, options)
      const refusals: SwarmRefusal[] = []
      bob.onRefused((refusal) => refusals.push(refusal))
      await flush()
      expect(ids(bob)).toEqual([alice.selfId])
      // Bob's side alone drops Alice; hers keeps him joined and ignores his next handshakes, which time out.
      const bobPage = pages.get(bob.selfId)
      if (bobPage === undefined) throw new Error('no page')
      network.forget(bobPage, alice.selfId)
      expect([ids(alice), ids(bob)]).toEqual([[bob.selfId], []])
      const failed = { peerId: alice.selfId, code: 'join-error', detail: 'handshake timed out' }
      await vi.waitFor(() => {
        expect(refusals).toEqual([failed])
      })
      // One failure may be load: the connection stays. The second in a row closes it: she hears him leave.
      expect(ids(alice)).toEqual([bob.selfId])
      fireRejoins()
      await vi.waitFor(() => {
        expect(refusals).toEqual([failed, { ...failed, restarted: true }])
      })
      expect([ids(alice), ids(bob)]).toEqual([[], []])
      // Their next rejoin meets, as a new connection after a reload does.
      fireRejoins()
      await vi.waitFor(() => {
        expect([ids(alice), ids(bob)]).toEqual([[bob.selfId], [alice.selfId]])
      })
      expect(refusals).toHaveLength(2)
    })

    /** Alice and Bob admitted, then Bob's side alone drops Alice and never beats to her again; she keeps him joined. */
    const forgotten = async (alice: SwarmOptions = {}) => {
      const context = setup()
      const pair = {
        alice: context.join(undefined, { ...unbound('alice'), ...alice }),
        bob: context.join(undefined, { ...unbound('bob'), handshakeTimeoutMs: 5 }),
      }
      await flush()
      const bobPage = context.pages.get(pair.bob.selfId)
      if (bobPage === undefined) throw new Error('no page')
      context.network.forget(bobPage, pair.alice.selfId)
      return { ...context, ...pair }
    }
    /** Alice and Bob admitted, Bob's page as visible or hidden as `hidden` says. */
    const withHidden = async () => {
      const context = setup()
      const hidden = new FakeVisibility()
      const pair = { alice: context.join(undefined, unbound('alice')), bob: context.join(hidden, unbound('bob')) }
      await flush()
      return { ...context, ...pair, hidden }
    }

    it('closes the connection to an admitted peer that sent nothing for 30 s (its side forgot the connection), so the two meet again', async () => {
      const traced: string[] = []
      const { alice, bob, beat, fireRejoins } = await forgotten({
        trace: (event, fields) => traced.push(`${event} ${String(fields?.peer)}`),
      })
      for (let second = 0; second < SILENT_CLOSE_MS / 1_000; second++) await beat([alice, bob])
      // Gone from her presence long ago, and still admitted: 30 s is not past the wait yet.
      expect([[...alice.peers.get()], ids(alice), ids(bob)]).toEqual([[], [bob.selfId], []])
      expect(traced).toEqual([])
      await beat([alice, bob])
      expect([ids(alice), ids(bob)]).toEqual([[], []])
      expect(traced).toEqual([`silent-closed ${bob.selfId.slice(-6)}`])
      // Both alone now: their next rejoin meets over a new connection.
      fireRejoins()
      await vi.waitFor(() => {
        expect([ids(alice), ids(bob)]).toEqual([[bob.selfId], [alice.selfId]])
      })
    })

    it('closes nothing at a beat that comes late (this page was stalled: what it was sent is still to be read)', async () => {
      const { alice, bob, beat } = await forgotten()
      await beat([alice, bob], 2 * SILENT_CLOSE_MS)
      expect(ids(alice)).toEqual([bob.selfId])
      // Its wait starts again from that beat.
      for (let second = 0; second < SILENT_CLOSE_MS / 1_000; second++) await beat([alice, bob])
      expect(ids(alice)).toEqual([bob.selfId])
      await beat([alice, bob])
      expect(ids(alice)).toEqual([])
    })

    it('waits for a hidden peer as long as it asked again after a late beat', async () => {
      const { alice, bob, hidden, beat } = await withHidden()
      hidden.set(true)
      await beat([alice, bob])
      // Alice's page stalls past Bob's 75 s; then her beats come every second again, and Bob's timers are still off.
      await beat([alice], 80_000)
      for (let second = 0; second < 75; second++) await beat([alice])
      expect(ids(alice)).toEqual([bob.selfId])
      await beat([alice])
      expect(ids(alice)).toEqual([])
    })

    it('keeps a silent peer whose frames of any room still arrive (a long message over a slow link)', async () => {
      const heardAt = { now: 0 }
      const { alice, bob, clock, beat } = await forgotten({ heard: () => heardAt.now })
      for (let second = 0; second < 2 * (SILENT_CLOSE_MS / 1_000); second++) {
        heardAt.now = clock.now()
        await beat([alice, bob])
      }
      expect(ids(alice)).toEqual([bob.selfId])
    })

    it('keeps a peer that beats, and waits as long as a hidden one asked before closing', async () => {
      const { alice, bob, hidden, beat } = await withHidden()
      for (let second = 0; second < 40; second++) await beat([alice, bob])
      expect(ids(alice)).toEqual([bob.selfId])
      // Bob's page goes hidden and its timers stop (a browser runs them once a minute at most): Alice waits 75 s.
      hidden.set(true)
      await beat([alice, bob])
      for (let second = 0; second < 75; second++) await beat([alice])
      expect(ids(alice)).toEqual([bob.selfId])
      await beat([alice])
      expect(ids(alice)).toEqual([])
    })

    it('closes the connection another room of the page admitted the peer over, only if the peer sends frames of the room that fails, at most once a minute', async () => {
      const { network, pages, clock, join } = setup()
      const alice = join(undefined, unbound('alice'))
      const bob = join(undefined, unbound('bob'))
      await flush()
      // Bob's page in a second room, where Trystero fails his handshakes with Alice over their one connection (its
      // password step read frames of an earlier handshake).
      const bobPage = pages.get(bob.selfId)
      if (bobPage === undefined) throw new Error('no page')
      const heardAt: { at?: number; asked?: true } = {}
      const heard = (): number | undefined => {
        heardAt.asked = true
        return heardAt.at
      }
      const second = joinSwarm(
        defaultMeshSettings({}),
        { roomId: 'second', password: 'secret' },
        { page: bobPage, clock, heard, ...unbound('bob') },
      )
      const refusals: SwarmRefusal[] = []
      second.onRefused((refusal) => refusals.push(refusal))
      const fail = (): void => {
        network.callbacks.at(-1)?.onJoinError?.({
          error: 'incorrect password for overlapping room',
          appId: 'commonplace/1',
          roomId: 'second',
          peerId: alice.selfId,
        })
      }
      // Its room token, which frames are heard by, is a hash: asked for only once it is known (a turn or more later,
      // under load). Failures until then close nothing either.
      await vi.waitFor(() => {
        fail()
        expect(heardAt.asked).toBe(true)
      })
      refusals.length = 0
      // Someone announced her page id in this room, which she is not in: she sends nothing of it, nothing closes.
      for (let i = 0; i < 5; i++) fail()
      // She is here (her frames of this room arrive): the second failure in a row closes the connection, and the
      // first room loses her too.
      heardAt.at = clock.now()
      fail()
      expect(ids(alice)).toEqual([bob.selfId])
      fail()
      expect([ids(alice), ids(bob)]).toEqual([[], []])
      // Met again over a new connection and failing again within the minute: not closed again yet.
      network.setDown(true)
      network.setDown(false)
      await flush()
      expect(ids(bob)).toEqual([alice.selfId])
      heardAt.at = clock.now()
      fail()
      fail()
      expect(ids(bob)).toEqual([alice.selfId])
      clock.advance(60_000)
      heardAt.at = clock.now()
      fail()
      expect(ids(bob)).toEqual([])
      expect(refusals.map((refusal) => refusal.restarted === true)).toEqual([
        ...Array<boolean>(6).fill(false),
        true,
        false,
        false,
        true,
      ])
      await second.leave()
    })

    it('closes nothing for a failed handshake of a peer never admitted, nor for a refusal of who the peer is', async () => {
      const { network, clock, join } = setup()
      const deny = new Set<string>()
      const heard = () => clock.now()
      const alice = join(undefined, { ...unbound('alice', deny), heard })
      const bob = join(undefined, { ...unbound('bob'), heard })
      await flush()
      const refusals: SwarmRefusal[] = []
      alice.onRefused((refusal) => refusals.push(refusal))
      // Trystero fails a stranger's handshakes: no connection of ours to close.
      for (let i = 0; i < 2; i++) {
        network.callbacks[0]?.onJoinError?.({ error: 'password', appId: 'commonplace/1', roomId: 'room', peerId: 'p' })
      }
      // Bob, admitted, is revoked; his next handshakes are refused for who he is, which a new connection does not
      // change.
      deny.add('bob')
      network.replace(alice.selfId, bob.selfId)
      await flush()
      network.replace(alice.selfId, bob.selfId)
      await flush()
      expect(refusals).toEqual([
        { peerId: 'p', code: 'join-error', detail: 'password' },
        { peerId: 'p', code: 'join-error', detail: 'password' },
        { peerId: bob.selfId, code: 'not-member' },
        { peerId: bob.selfId, code: 'not-member' },
      ])
    })

    it('passes the app id and the handshake timeout to Trystero, and reports its join errors', () => {
      const { network, join } = setup()
      const swarm = join(undefined, { appId: 'commonplace/1/join', ...unbound('a') })
      expect(network.configs[0]?.appId).toBe('commonplace/1/join')
      expect(network.callbacks[0]?.handshakeTimeoutMs).toBe(15_000)
      const refusals: SwarmRefusal[] = []
      swarm.onRefused((refusal) => refusals.push(refusal))
      // Trystero's own refusal (its password check or its timeout) reaches the same events, with what it said.
      network.callbacks[0]?.onJoinError?.({
        error: 'password',
        appId: 'commonplace/1/join',
        roomId: 'room',
        peerId: 'p',
      })
      expect(refusals).toEqual([{ peerId: 'p', code: 'join-error', detail: 'password' }])
    })

    it('lets in only peers that passed: a refused one is never authenticated or present and gets no message', async () => {
      const { join } = setup()
      const refusals: SwarmRefusal[] = []
      const alice = join(undefined, { ...unbound('alice', new Set(['mallory'])) })
      alice.onRefused((refusal) => refusals.push(refusal))
      const bob = join(undefined, { ...unbound('bob') })
      const mallory = join(undefined, { ...unbound('mallory') })
      const malloryRefusals: SwarmRefusal[] = []
      mallory.onRefused((refusal) => malloryRefusals.push(refusal))
      const heard: string[] = []
      mallory.channel<string>('cp.chat').subscribe((data) => heard.push(data))
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
      expect(peersOf(alice)).toEqual(['peer-1'])
      expect(alice.authenticated.get().get('peer-1')).toMatchObject({ peerId: 'peer-1' })
      expect(ids(mallory)).toEqual(['peer-1'])
      expect(refusals).toEqual([{ peerId: 'peer-2', code: 'not-member' }])
      expect(malloryRefusals).toEqual([{ peerId: 'peer-0', code: 'refused-by-peer', remoteCode: 'not-member' }])
      await alice.channel<string>('cp.chat').send('for members')
      await alice.channel<string>('cp.chat').send('for mallory', 'peer-2')
      expect(heard).toEqual([])
      expect(ids(bob)).toEqual(['peer-0', 'peer-2'])
    })

    it('forgets an authenticated peer as soon as Trystero replaces its connection and it handshakes again', async () => {
      const { network, join } = setup()
      const deny = new Set<string>()
      const alice = join(undefined, { ...unbound('alice', deny) })
      const bob = join(undefined, { ...unbound('bob') })
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
      const seen: string[][] = []
      alice.authenticated.subscribe((peers) => seen.push([...peers.keys()]))
      // Bob is revoked meanwhile; his new connection fails its handshake, and nobody calls onPeerLeave.
      deny.add('bob')
      network.replace('peer-0', 'peer-1')
      expect(ids(alice)).toEqual([])
      expect(ids(bob)).toEqual([])
      await flush()
      expect(seen).toContainEqual([])
      expect(ids(alice)).toEqual([])
      expect(ids(bob)).toEqual([])
    })

    it('lets a replaced connection back in when its new handshake passes', async () => {
      const { network, join } = setup()
      const alice = join(undefined, { ...unbound('alice') })
      join(undefined, { ...unbound('bob') })
      await flush()
      network.replace('peer-0', 'peer-1')
      expect(ids(alice)).toEqual([])
      await flush()
      expect(ids(alice)).toEqual(['peer-1'])
    })

    it('refuses at once a peer that meets it while it leaves: Trystero would never tell that peer it left', async () => {
      const { network, join } = setup()
      // Trystero's leave() takes about 100 ms, during which the room still meets peers.
      const { page, release } = slowLeaving(network)
      const alice = join(undefined, { ...unbound('alice'), page })
      const leaving = alice.leave()
      const bob = join(undefined, { ...unbound('bob') })
      const refusals: SwarmRefusal[] = []
      bob.onRefused((refusal) => refusals.push(refusal))
      await flush()
      expect(refusals).toEqual([{ peerId: page.selfId, code: 'refused-by-peer', remoteCode: 'leaving' }])
      expect(ids(bob)).toEqual([])
      release()
      await leaving
    })

    it('never admits a peer whose handshake ends while the room is left for a rejoin: it would stay a ghost', async () => {
      const { join, network, timers } = setup()
      let releaseHandshake = (): void => undefined
      const handshakeHeld = new Promise<void>((resolve) => {
        releaseHandshake = resolve
      })
      // Trystero's leave() takes about 100 ms; Carol's handshake began before it and ends within it.
      const { page, release: releaseLeave } = slowLeaving(network)
      const asAlice = handshakeAs('alice')
      let held = true
      const alice = join(undefined, {
        admitUnboundTestPeers: true,
        page,
        handshake: async (...args) => {
          const outcome = await asAlice(...args)
          if (held) await handshakeHeld
          return outcome
        },
      })
      // Alone, Alice joins the room again after the backoff; Carol, alone too, has a timer of her own, never run.
      const alices = [...timers]
      const carol = join(undefined, unbound('carol'))
      await flush()
      for (const timer of alices) {
        timers.delete(timer)
        timer.run()
      }
      await flush()
      releaseHandshake()
      held = false
      await flush()
      expect(ids(alice)).toEqual([])
      releaseLeave()
      // The new room meets Carol afresh: one live connection, over which a message arrives.
      await vi.waitFor(() => {
        expect(ids(alice)).toEqual([carol.selfId])
      })
      const heard: string[] = []
      carol.channel<string>('cp.chat').subscribe((data) => heard.push(data))
      await alice.channel<string>('cp.chat').send('hello', carol.selfId)
      await flush()
      expect(heard).toEqual(['hello'])
    })

    it('takes a send to a peer Trystero no longer has as that peer gone: the send fails, its proof is forgotten', async () => {
      const { network, join } = setup()
      // Trystero forgets a peer without onPeerLeave in some paths; a send to it only logs a warning and resolves.
      const forgetting = network.page()
      const forgotten = new Set<string>()
      const page: TrysteroPage = {
        selfId: forgetting.selfId,
        join: (config, roomId, callbacks) => {
          const room = forgetting.join(config, roomId, callbacks)
          const getPeers = room.getPeers.bind(room)
          room.getPeers = () => Object.fromEntries(Object.entries(getPeers()).filter(([id]) => !forgotten.has(id)))
          return room
        },
      }
      const alice = join(undefined, { ...unbound('alice'), page })
      const bob = join(undefined, unbound('bob'))
      await flush()
      expect(ids(alice)).toEqual([bob.selfId])
      forgotten.add(bob.selfId)
      await expect(alice.channel<string>('cp.chat').send('lost', bob.selfId)).rejects.toMatchObject({
        code: 'peer-gone',
      })
      expect(ids(alice)).toEqual([])
    })

    it('closePeer closes the connection on both sides, and a peer that leaves is forgotten', async () => {
      const { join } = setup()
      const alice = join(undefined, { ...unbound('alice') })
      const bob = join(undefined, { ...unbound('bob') })
      const carol = join(undefined, { ...unbound('carol') })
      await flush()
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      alice.closePeer('peer-1')
      alice.closePeer('peer-9')
      expect(ids(alice)).toEqual(['peer-2'])
      expect(ids(bob)).toEqual(['peer-2'])
      await carol.leave()
      expect(ids(alice)).toEqual([])
      expect(ids(bob)).toEqual([])
    })
    it("lets a device's new connection supersede its old one at once", async () => {
      const { network, pages, join } = setup()
      const alice = join(undefined, unbound('alice'))
      const bob = join(undefined, unbound('bob'))
      join(undefined, unbound('carol'))
      await flush()
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      // Bob's page goes without a word (a reload that could not leave, a crash): Alice is not told.
      pages.get(bob.selfId)?.crash()
      await flush()
      expect(ids(alice)).toEqual(['peer-1', 'peer-2'])
      // The device opens again: a new page, a new Trystero id, the same device key.
      const bobAgain = join(undefined, unbound('bob'))
      await flush()
      expect(ids(alice)).toEqual(['peer-2', 'peer-3'])
      expect(peersOf(alice)).toEqual(['peer-2', 'peer-3'])
      expect(ids(bobAgain)).toEqual(['peer-0', 'peer-2'])
      // The old connection is closed, not left for WebRTC to notice.
      const alicePage = pages.get(alice.selfId)
      const aliceRooms = alicePage === undefined ? [] : network.roomsOf(alicePage)
      expect(aliceRooms.map((room) => [...room.linked.keys()].sort())).toEqual([['peer-2', 'peer-3']])
    })
  })

  it('ignores the peers Trystero replays from a cached room being left, instead of throwing while it joins', () => {
    const network = new FakeTrystero()
    const page = network.page()
    // Trystero hands back its cached room when it is joined again before its leave finished, and replays that
    // room's peers to a new onPeerJoin at once, inside the join.
    const replaying: TrysteroPage = {
      selfId: page.selfId,
      join: (...args: Parameters<TrysteroPage['join']>) => {
        const room = page.join(...args)
        let handler: ((peerId: string) => void) | null = null
        Object.defineProperty(room, 'onPeerJoin', {
          get: () => handler,
          set: (value: ((peerId: string) => void) | null) => {
            handler = value
            value?.('old-peer')
          },
        })
        return room
      },
    }
    let swarm: Swarm | undefined
    expect(() => {
      swarm = joinSwarm(defaultMeshSettings({}), { roomId: 'room', password: 'secret' }, { page: replaying })
    }).not.toThrow()
    expect(swarm?.peers.get().size ?? 0).toBe(0)
    void swarm?.leave()
  })
})
