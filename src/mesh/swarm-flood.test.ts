import { Repo } from '@automerge/automerge-repo'
import type { DocHandle, PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { ok } from '../base'
import { ManualClock } from '../base/testing/manual-clock'
import type { IdentityKey, PublicKey } from '../halo'
import { defaultMeshSettings } from './mesh-config'
import { PEER_RATE_LIMIT } from './peer-rate'
import { MeshNetworkAdapter } from './replication/mesh-network-adapter'
import { joinSwarm, type Swarm, type SwarmHandshake, type SwarmRefusal } from './swarm'
import { FakeTrystero, type FakePage } from './testing/fake-trystero'

const repoOf = (name: string): string => `cp1.${name.padEnd(64, '0')}.repo`

/** Passes every peer: says its name, reads the other's, and proves it to be that name's device. */
const passAs =
  (name: string): SwarmHandshake =>
  async (peerId, send, receive) => {
    await send(name)
    const { data } = await receive()
    const remote = String(data)
    return ok({
      peerId,
      repo: repoOf(remote),
      storage: null,
      identity: 'b'.repeat(64) as IdentityKey,
      device: remote.padEnd(64, '0') as PublicKey,
      chain: null,
      transcript: new Uint8Array(),
      invited: false,
    })
  }

interface Member {
  readonly swarm: Swarm
  readonly adapter: MeshNetworkAdapter
  readonly repo: Repo
  readonly refusals: SwarmRefusal[]
}

/** A page in the space's room, with a Repo attached to every authenticated peer on `cp.am`, as the client does. */
const member = (network: FakeTrystero, clock: ManualClock, name: string): Member & { readonly page: FakePage } => {
  const page = network.page(name)
  const swarm = joinSwarm(
    defaultMeshSettings({}),
    { roomId: 'space', password: 'secret' },
    {
      page,
      clock,
      handshake: passAs(name),
      // The stub is not runHandshake: its connections cannot be bound, so the test lets them in unbound.
      admitUnboundTestPeers: true,
      every: () => () => undefined,
      after: () => () => undefined,
      online: { subscribe: () => () => undefined },
    },
  )
  const refusals: SwarmRefusal[] = []
  swarm.onRefused((refusal) => refusals.push(refusal))
  const adapter = new MeshNetworkAdapter({ allowed: () => true })
  const repo = new Repo({ network: [adapter], peerId: repoOf(name) as PeerId })
  const channel = swarm.channel<Uint8Array>('cp.am')
  const attached = new Map<string, () => void>()
  swarm.authenticated.subscribe((peers) => {
    for (const [peerId, detach] of [...attached]) {
      if (peers.has(peerId)) continue
      attached.delete(peerId)
      detach()
    }
    for (const [peerId, peer] of peers) {
      if (attached.has(peerId)) continue
      const detach = adapter.attach({
        remote: { repo: peer.repo, storage: peer.storage, device: peer.device, identity: peer.identity },
        send: (bytes) => channel.send(bytes, peerId),
        subscribe: (onBytes) =>
          channel.subscribe((data, from) => {
            if (from === peerId && data instanceof Uint8Array) onBytes(data)
          }),
      })
      attached.set(peerId, detach)
    }
  })
  return { page, swarm, adapter, repo, refusals }
}

/** Lets every queued delivery run, with no timed wait. */
const flush = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0)
  })

const ids = (swarm: Swarm): string[] => [...swarm.authenticated.get().keys()].sort()

describe('a member flooding the sync channel', () => {
  it(
    'is cut off at 10,000 small frames a second while another member’s edits keep syncing, and stays out',
    { timeout: 60_000 },
    async () => {
      // Connections that close meet again, as Trystero's next announce brings them: the flooder comes back at once.
      const network = new FakeTrystero({ reconnect: true })
      const clock = new ManualClock()
      const alice = member(network, clock, 'alice')
      const bob = member(network, clock, 'bob')
      const mallory = member(network, clock, 'mallory')
      await flush()
      expect(ids(alice.swarm)).toEqual(['bob', 'mallory'])
      const note: DocHandle<{ n: number }> = bob.repo.create({ n: 0 })
      const alicesNote = await alice.repo.find<{ n: number }>(note.url)
      const flood = mallory.swarm.channel<Uint8Array>('cp.am')
      // Small frames (a kind byte and junk), 1,000 every 100 ms: 10,000 a second for 6 s.
      const junk = Uint8Array.from([2, 0xff, 0xff])
      for (let step = 1; step <= 60; step++) {
        for (let i = 0; i < 1_000; i++) void flood.send(junk, 'alice')
        note.change((doc) => {
          doc.n = step
        })
        await flush()
        clock.advance(100)
      }
      expect(ids(alice.swarm)).toEqual(['bob'])
      expect(alice.refusals).toContainEqual({ peerId: 'mallory', code: 'flooding' })
      // The burst, then the sustained rate until the cut (5.25 s in, where drops reach the limit).
      const { dropped, cut } = alice.swarm.rate.get()
      expect(cut).toBe(1)
      expect(dropped).toBe(PEER_RATE_LIMIT.cutAfterDrops)
      const reached = alice.adapter.stats.get().dropped.malformed ?? 0
      expect(reached).toBeGreaterThanOrEqual(PEER_RATE_LIMIT.burst)
      expect(reached).toBeLessThanOrEqual(PEER_RATE_LIMIT.burst + PEER_RATE_LIMIT.perSecond * 6)
      await vi.waitFor(() => {
        expect(alicesNote.doc().n).toBe(60)
      })
      // Its connection was closed, and the handshake it came back with at once was refused.
      await flush()
      expect(ids(mallory.swarm)).toEqual(['bob'])
      expect(alice.refusals.filter((refusal) => refusal.peerId === 'mallory')).toEqual([
        { peerId: 'mallory', code: 'flooding' },
        { peerId: 'mallory', code: 'flooding' },
      ])
      expect(ids(alice.swarm)).toEqual(['bob'])
      expect(ids(bob.swarm)).toEqual(['alice', 'mallory'])
      // Bob keeps syncing both ways.
      alicesNote.change((doc) => {
        doc.n = 61
      })
      await vi.waitFor(() => {
        expect(note.doc().n).toBe(61)
      })
      expect(bob.swarm.rate.get()).toEqual({ dropped: 0, cut: 0 })
      for (const side of [alice, bob, mallory]) await side.swarm.leave()
    },
  )
})
