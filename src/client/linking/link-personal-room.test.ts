import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ok, toHex } from '../../base'
import { generateKeyPair, IdentityStore, swarmRoom } from '../../halo'
import { signWith, type DeviceKey } from '../../halo/testing'
import { defaultMeshSettings, joinSwarm, newRepoId, runHandshake } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'

const WAIT = { timeout: 30_000 }

describe('a device being linked, in the personal room before it holds the identity', () => {
  const open = clientsClosedAfterEach()

  it(
    'lets in only devices whose chains stand: a revoked device of the identity waiting there meets nobody and gets zero document bytes',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const laptopBrowser = fakeBrowser(network)
      const laptop = await open(laptopBrowser.edges)
      expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
      await personalSpace(laptop)
      // An old phone of the identity, authorized, then revoked: it kept the personal swarm secret and its chain.
      const store = new IdentityStore({ locks: laptopBrowser.edges.locks, databaseName: laptopBrowser.databases.halo })
      const loaded = await store.load()
      if (loaded.status !== 'ready') throw new Error('no identity')
      const halo = loaded.identity
      const old = generateKeyPair<DeviceKey>()
      const authorized = await halo.authorizeDevice(old.publicKey, 'Old phone')
      if (!authorized.ok) throw authorized.error
      laptopBrowser.openTab().edges.openChannel('commonplace/identity').postMessage('identity-changed')
      await until(laptop.identity.devices, (devices) => devices.length === 2)
      const handover = await until(
        new Polled(() => clientInternals(laptop)?.personalSecret()),
        (value) => value !== undefined,
      )
      if (handover === undefined) throw new Error('no handover')
      expectOk(await laptop.identity.revokeDevice(old.publicKey))

      // The old phone waits in the personal room and lets anyone in.
      const page = network.page('old-phone')
      const personalRoom = swarmRoom(handover.secret, handover.spaceId, handover.generation)
      const swarm = joinSwarm(defaultMeshSettings({}), personalRoom, {
        appId: 'commonplace/1',
        page,
        handshake: (remotePeerId, send, receive, isInitiator) =>
          runHandshake({
            ctx: { kind: 'space', spaceId: handover.spaceId, generation: handover.generation },
            roomPassword: personalRoom.password,
            local: {
              peerId: page.selfId,
              repo: newRepoId(old.publicKey),
              storage: null,
              identity: halo.identityKey,
              device: old.publicKey,
              chain: authorized.value.chain,
              sign: (bytes) => Promise.resolve(toHex(signWith(old, bytes))),
            },
            remotePeerId,
            send,
            receive,
            isInitiator,
            verifyChain: () => Promise.resolve(ok({ identity: halo.identityKey })),
            authorize: () => Promise.resolve(ok(undefined)),
          }),
      })
      const met: string[] = []
      swarm.authenticated.subscribe((peers) => met.push(...peers.keys()))

      const phoneBrowser = fakeBrowser(network)
      const phone = await open(phoneBrowser.edges)
      const join = await linkDevice(laptop, phone, 'Phone')
      await swarm.leave()

      expect(join.state.get().kind).toBe('linked')
      expect(met).toEqual([])
      expect(network.bytes({ from: phoneBrowser.trystero.selfId, to: 'old-phone', action: 'cp.am' })).toBe(0)
    },
  )
})
