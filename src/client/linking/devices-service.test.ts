import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { Cell, ok, systemClock, toBase64Url } from '../../base'
import { decodeJoinLinkOf, encodeDeviceLink, IdentityStore, verifyPeerDevice, type HaloIdentity } from '../../halo'
import { defaultMeshSettings } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import type { JoinState, OfferState } from '../devices-api'
import { createDevicesService, type DevicesServiceOptions } from './devices-service'
import type { PersonalSpace } from './ports'

const stores: IdentityStore[] = []
afterEach(() => {
  for (const store of stores.splice(0)) store.close()
})
const storeOf = (): IdentityStore => {
  const store = new IdentityStore({ databaseName: `link-${crypto.randomUUID()}`, clock: systemClock })
  stores.push(store)
  return store
}

const codec = {
  encode: encodeDeviceLink,
  decode: (text: string) => {
    const decoded = decodeJoinLinkOf('device', text)
    return decoded.ok ? decoded : { ok: false as const, error: { code: decoded.error.code } }
  },
}

/** Waits for `cell` to reach a state `accept` takes, or fails at the first state that is an end. */
const reach = <T extends { kind: string }>(
  cell: { get(): T; subscribe(listener: (value: T) => void): () => void },
  kind: T['kind'],
): Promise<T> =>
  new Promise((resolve, reject) => {
    const check = (value: T): void => {
      if (value.kind === kind) resolve(value)
      else if (['failed', 'denied', 'expired', 'used'].includes(value.kind)) reject(new Error(JSON.stringify(value)))
    }
    check(cell.get())
    cell.subscribe(check)
  })

const personal: PersonalSpace = {
  spaceId: 'b'.repeat(64),
  rootUrl: 'automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ',
  generation: 1,
  secret: toBase64Url(new Uint8Array(32).fill(9)),
}

const service = (
  network: FakeTrystero,
  current: () => HaloIdentity | undefined,
  extra: Partial<DevicesServiceOptions> = {},
) =>
  createDevicesService({
    clock: systemClock,
    after: (ms, fire) => {
      const timer = setTimeout(fire, ms)
      return () => {
        clearTimeout(timer)
      }
    },
    page: network.page(),
    settings: () => defaultMeshSettings({}),
    origin: 'https://commonplace.test',
    codec,
    current,
    hasIdentity: () => current() !== undefined,
    personal: () => Promise.resolve(ok(personal)),
    storeLinked: () => Promise.resolve(ok(allHere())),
    takeLead: () => Promise.resolve(true),
    ...extra,
  })

/** The personal space was the only one: everything is here once the identity is stored. */
const allHere = () => ({ progress: new Cell({ done: 1, total: 1 }), stop: () => undefined })

describe('client.devices with HALO and the in-memory Trystero', () => {
  it('links B: B holds the same identity with a chain that verifies, and the personal space', async () => {
    const network = new FakeTrystero()
    const created = await storeOf().create({
      profile: { displayName: 'Ada', avatar: { colour: '#2f5d50' } },
      deviceName: 'Laptop',
    })
    if (!created.ok) throw created.error
    const ada = created.value.identity
    const a = service(network, () => ada)
    const storeB = storeOf()
    let linked: HaloIdentity | undefined
    const received: PersonalSpace[] = []
    const b = service(network, () => linked, {
      storeLinked: async (input, space) => {
        const made = await storeB.createLinked(input)
        if (!made.ok) throw made.error
        linked = made.value
        received.push(space)
        return ok(allHere())
      },
    })
    const offer = await a.offerLink()
    if (!offer.ok) throw new Error(offer.error.message)
    const invitation = b.readLink(new URL(offer.value.url).hash)
    if (!invitation.ok) throw new Error(invitation.error.message)
    expect(invitation.value).toMatchObject({ fingerprint: ada.fingerprint, expired: false })
    const joined = await b.join(invitation.value)
    if (!joined.ok) throw new Error(joined.error.message)
    const found = await reach<JoinState>(joined.value.state, 'found')
    expect(found).toEqual({ kind: 'found', name: 'Ada', avatar: { colour: '#2f5d50' }, fingerprint: ada.fingerprint })
    expect(await joined.value.request('Phone')).toEqual(ok(undefined))
    const [codeA, codeB] = await Promise.all([
      reach<OfferState>(offer.value.state, 'confirm'),
      reach<JoinState>(joined.value.state, 'confirm'),
    ])
    expect(codeA.kind === 'confirm' && codeB.kind === 'confirm' && codeA.code === codeB.code).toBe(true)
    offer.value.allow()
    await reach<JoinState>(joined.value.state, 'linked')
    await reach<OfferState>(offer.value.state, 'linked')
    if (linked === undefined) throw new Error('not stored')
    expect(linked.identityKey).toBe(ada.identityKey)
    expect(linked.backup.get()).toBe('linked')
    const verdict = await verifyPeerDevice(linked.chain, linked.deviceKey, {
      clock: systemClock,
      isRevoked: () => false,
    })
    expect(verdict.ok && verdict.value.identity).toBe(ada.identityKey)
    expect(received).toEqual([personal])
    expect(
      ada
        .devices()
        .map((device) => device.name)
        .sort(),
    ).toEqual(['Laptop', 'Phone'])
  })

  it('readLink refuses what is not a link, and join refuses a browser that has an identity', async () => {
    const network = new FakeTrystero()
    const created = await storeOf().create({
      profile: { displayName: 'Ada', avatar: { colour: '#2f5d50' } },
      deviceName: 'Laptop',
    })
    if (!created.ok) throw created.error
    const ada = created.value.identity
    const a = service(network, () => ada)
    expect(a.readLink('#/join/not-a-link')).toMatchObject({ ok: false, error: { code: 'malformed-link' } })
    const offer = await a.offerLink()
    if (!offer.ok) throw new Error(offer.error.message)
    const invitation = a.readLink(offer.value.url)
    if (!invitation.ok) throw new Error(invitation.error.message)
    expect(await a.join(invitation.value)).toMatchObject({ ok: false, error: { code: 'identity-exists' } })
    offer.value.cancel()
  })
})
