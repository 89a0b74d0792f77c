import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { repoOf } from '../../echo/testing/internals'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'

const open = clientsClosedAfterEach()

/** The mesh peers (`cp1.<device>.<random>`) the client's Repo counts now. */
const meshPeersOf = async (client: Client): Promise<() => string[]> => {
  const internal = clientInternals(client)
  if (internal === undefined) throw new Error('no client internals')
  const repo = repoOf(await internal.echo())
  return () => repo.peers.filter((peer) => peer.startsWith('cp1.'))
}

/** Resolves with the peers once `accept` holds for them. */
const peersWhen = async (read: () => string[], accept: (peers: string[]) => boolean): Promise<string[]> =>
  (await until(new Polled(() => (accept(read()) ? read() : undefined)), (peers) => peers !== undefined)) ?? []

describe('a device whose page went without a word (SECURITY.md R15)', () => {
  it('is not kept as a ghost in the other Repo once its new page connects', async () => {
    const network = new FakeTrystero({ reconnect: true })
    const laptopBrowser = fakeBrowser(network)
    const laptop = await open(laptopBrowser.edges)
    expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop'))
    await personalSpace(laptop)
    const phoneBrowser = fakeBrowser(network)
    const phone = await open(phoneBrowser.edges)
    expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
    await until(phone.identity.state, (state) => state.kind === 'ready')
    const laptopPeers = await meshPeersOf(laptop)
    const [old] = await peersWhen(laptopPeers, (peers) => peers.length === 1)
    const device = old?.split('.')[1] ?? ''
    expect(device).toMatch(/^[0-9a-f]{64}$/)

    // The phone's page goes without a word (a reload that could not leave, a crash): its connections die and
    // nobody is told, and its locks are freed as a closed page's are. Then the phone opens the app again.
    const rooms = network.roomsOf(phoneBrowser.trystero)
    phoneBrowser.trystero.crash()
    for (const room of rooms) room.linked.clear()
    await phone.close()
    const reopened = await open(phoneBrowser.openTab().edges)
    await until(reopened.identity.state, (state) => state.kind === 'ready')

    // The new page's Repo is a peer of the laptop's; the old one's is gone by then, not ~10 s later.
    const now = await peersWhen(laptopPeers, (peers) => peers.some((peer) => peer !== old))
    expect(now).toHaveLength(1)
    expect(now[0]).toMatch(new RegExp(`^cp1\\.${device}\\.`))
    expect(now).not.toContain(old)
  }, 30_000)
})
