import { describe, expect, it } from 'vitest'
import { defaultMeshSettings } from '../mesh-config'
import { joinSwarm, type Swarm } from '../swarm'
import { FakeTrystero } from './fake-trystero'

const flush = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0)
  })

const quiet = { every: () => () => undefined }
const ids = (swarm: Swarm): string[] => [...swarm.peers.get()].sort()

describe('FakeTrystero', () => {
  it('keys rooms by app id and room id, and a page keeps one selfId in all its rooms', async () => {
    const network = new FakeTrystero()
    const [a, b] = [network.page('a'), network.page('b')]
    const room = { roomId: 'r', password: 'p' }
    const a1 = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: a })
    const a2 = joinSwarm(defaultMeshSettings({}), { roomId: 's', password: 'p' }, { ...quiet, page: a })
    const bJoin = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: b, appId: 'commonplace/1/join' })
    const b1 = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: b })
    const b2 = joinSwarm(defaultMeshSettings({}), { roomId: 's', password: 'p' }, { ...quiet, page: b })
    await flush()
    expect([a1.selfId, a2.selfId, b1.selfId]).toEqual(['a', 'a', 'b'])
    expect(ids(a1)).toEqual(['b'])
    expect(ids(a2)).toEqual(['b'])
    expect(ids(bJoin)).toEqual([])
    expect(ids(b2)).toEqual(['a'])
  })

  it('delivers binary data as a fresh Uint8Array and counts bytes per room and peer', async () => {
    const network = new FakeTrystero()
    const room = { roomId: 'r', password: 'p' }
    const a = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: network.page('a') })
    const b = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: network.page('b') })
    await flush()
    const got: Uint8Array[] = []
    b.channel<Uint8Array>('cp.bin').subscribe((data) => got.push(data))
    const sent = new Uint8Array([1, 2, 3])
    await a.channel<Uint8Array>('cp.bin').send(sent)
    sent[0] = 9
    expect(got).toEqual([new Uint8Array([1, 2, 3])])
    expect(network.bytes({ roomId: 'r', from: 'a', to: 'b', action: 'cp.bin' })).toBe(3)
    expect(network.bytes({ to: 'a', action: 'cp.bin' })).toBe(0)
  })

  it('holds one direction back until released, in order, while the other flows; held bytes count when delivered', async () => {
    const network = new FakeTrystero()
    const room = { roomId: 'r', password: 'p' }
    const a = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: network.page('a') })
    const b = joinSwarm(defaultMeshSettings({}), room, { ...quiet, page: network.page('b') })
    await flush()
    const atA: string[] = []
    const atB: string[] = []
    a.channel<string>('cp.t').subscribe((data) => atA.push(data))
    b.channel<string>('cp.t').subscribe((data) => atB.push(data))
    network.hold('b', 'a')
    await b.channel<string>('cp.t').send('one', 'a')
    await b.channel<string>('cp.t').send('two', 'a')
    await a.channel<string>('cp.t').send('back', 'b')
    await flush()
    expect([atA, atB]).toEqual([[], ['back']])
    expect(network.bytes({ from: 'b', action: 'cp.t' })).toBe(0)
    network.release('b', 'a')
    await flush()
    expect(atA).toEqual(['one', 'two'])
    expect(network.bytes({ from: 'b', action: 'cp.t' })).toBeGreaterThan(0)
  })

  it('never connects pages with different passwords, and a crashed page is heard no more', async () => {
    const network = new FakeTrystero()
    const [a, b, c] = [network.page('a'), network.page('b'), network.page('c')]
    const sa = joinSwarm(defaultMeshSettings({}), { roomId: 'r', password: 'p' }, { ...quiet, page: a })
    const sb = joinSwarm(defaultMeshSettings({}), { roomId: 'r', password: 'p' }, { ...quiet, page: b })
    const sc = joinSwarm(defaultMeshSettings({}), { roomId: 'r', password: 'other' }, { ...quiet, page: c })
    await flush()
    expect(ids(sa)).toEqual(['b'])
    expect(ids(sc)).toEqual([])
    const heard: string[] = []
    sa.channel<string>('cp.t').subscribe((data) => heard.push(data))
    b.crash()
    await sb.channel<string>('cp.t').send('after the crash')
    expect(heard).toEqual([])
  })
})
