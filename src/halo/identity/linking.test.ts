import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueCredential } from '../credentials/issue'
import type { Credential } from '../credentials/credential'
import { verifyCredential } from '../credentials/verify'
import type { DeviceKey, PublicKey } from '../keys/keys'
import { verifySignature } from '../keys/ed25519'
import { generateKeyPair, publicKeyToBytes } from '../keys/keys'
import { fromHex } from '../../base'
import { openHaloDatabase } from '../storage/halo-database'
import type { HaloIdentity } from './halo-identity'
import { IdentityStore } from './identity-store'
import { verifyPeerDevice } from './peer-device'
import { sealFor } from '../sealing/sealed-box'

const clock = new ManualClock(1_800_000_000_000)
const opened: IdentityStore[] = []
const open = (databaseName = `halo-linking-${crypto.randomUUID()}`) => {
  const store = new IdentityStore({ databaseName, clock })
  opened.push(store)
  return { store, databaseName }
}
afterEach(() => {
  for (const each of opened.splice(0)) each.close()
})

const ready = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value
}

const firstDevice = async (name = 'Sam') =>
  ready(
    await open().store.create({ profile: { displayName: name, avatar: { colour: '#123456' } }, deviceName: 'Laptop' }),
  ).identity

/** Links a new device from `from`: what device linking does once the channel is authenticated. */
const link = async (from: HaloIdentity, name: string) => {
  const deviceKeyPair = generateKeyPair<DeviceKey>()
  const handed = ready(await from.authorizeDevice(deviceKeyPair.publicKey, name))
  const target = open()
  const identity = ready(
    await target.store.createLinked({
      deviceKeyPair,
      identityKey: from.identityKey,
      chain: handed.chain,
      credentials: handed.credentials,
    }),
  )
  return { identity, handed, databaseName: target.databaseName }
}

const noRevocations = () => false

/** A first device stored in a database of its own (to open it again), and a thief's device it linked. */
const laptopAndThief = async () => {
  const stored = open()
  const laptop = ready(
    await stored.store.create({
      profile: { displayName: 'Sam', avatar: { colour: '#123456' } },
      deviceName: 'Laptop',
    }),
  ).identity
  const { identity: thief } = await link(laptop, 'Thief')
  return { stored, laptop, thief }
}

/**
 * An AuthorizedDevice for `device` that `thief` signs through its own chain, with an id below `below` (the thief
 * grinds its time, backdated, which nothing forbids); a sort of ids then puts it first. After a few thousand tries,
 * whatever id it has.
 */
const authorizedBelow = (thief: HaloIdentity, device: PublicKey, below: string) => {
  let credential: Credential | undefined
  for (let back = 0; back < 4000 && !(credential && credential.id < below); back++) {
    const at = new ManualClock(clock.now() - back)
    credential = issueCredential({
      issuer: thief.identityKey,
      subject: device,
      assertion: { kind: 'AuthorizedDevice' },
      signer: thief.signer,
      clock: at,
    })
  }
  if (credential === undefined) throw new Error('nothing issued')
  return credential
}

describe('authorizeDevice and createLinked', () => {
  it('links through the identity key while the first device keeps the secret', async () => {
    const laptop = await firstDevice()
    const { identity: phone, handed } = await link(laptop, 'Phone')
    expect(handed.chain.proof.signer).toBe(laptop.identityKey)
    expect(handed.chain.proof.chain).toBeUndefined()
    expect(phone.identityKey).toBe(laptop.identityKey)
    expect(phone.backup.get()).toBe('linked')
    expect(laptop.devices().map((d) => d.name)).toEqual(['Laptop', 'Phone'])
    expect(phone.devices().map((d) => d.name)).toEqual(['Phone', 'Laptop'])
    expect(phone.profile?.displayName).toBe('Sam')
  })

  it('links through a device (a chain of two) once the backup is saved', async () => {
    const laptop = await firstDevice()
    ready(await laptop.confirmBackup())
    const { identity: phone, handed } = await link(laptop, 'Phone')
    expect(handed.chain.proof.signer).toBe(laptop.deviceKey)
    expect(handed.chain.proof.chain?.id).toBe(laptop.chain.id)
    expect(phone.chain.id).toBe(handed.chain.id)
  })

  it('the linked device signs with its chain, and a third party verifies it', async () => {
    const laptop = await firstDevice()
    ready(await laptop.confirmBackup())
    const { identity: phone } = await link(laptop, 'Phone')
    const transcript = new TextEncoder().encode('handshake transcript')
    const signature = fromHex(await phone.signBytes(transcript))
    expect(signature && verifySignature(signature, transcript, publicKeyToBytes(phone.deviceKey))).toBe(true)
    const peer = ready(await verifyPeerDevice(phone.chain, phone.deviceKey, { clock, isRevoked: noRevocations }))
    expect(peer.identity).toBe(laptop.identityKey)
    const renamed = ready(await phone.renameDevice(phone.deviceKey, 'My phone'))
    expect(verifyCredential(renamed, { clock }).ok).toBe(true)
    const other = await firstDevice('Alex')
    expect((await other.receive([renamed])).accepted).toBe(0)
  })

  it('keeps one of each credential however often the set comes back, so a welcome grows with the devices alone', async () => {
    const laptop = await firstDevice()
    ready(await laptop.confirmBackup())
    const welcomes: number[] = []
    for (const name of ['Phone', 'Tablet', 'Desk']) {
      const { identity, handed } = await link(laptop, name)
      welcomes.push(handed.credentials.length)
      // What the personal space does on every change: each side is handed the other's whole set, again and again.
      for (let round = 0; round < 3; round++) {
        expect(await laptop.receive(identity.credentials.get())).toEqual({
          accepted: 0,
          ignored: identity.credentials.get().length,
        })
        await identity.receive(laptop.credentials.get())
      }
      const ids = laptop.credentials.get().map((credential) => credential.id)
      expect(new Set(ids).size).toBe(ids.length)
    }
    // Profile, and each device's AuthorizedDevice and DeviceName: two more per device.
    expect(welcomes).toEqual([5, 7, 9])
    // A copy with the same id and a broken signature, arriving first, neither replaces nor joins the real one.
    const real = laptop.credentials.get()
    const [first] = real
    if (first === undefined) throw new Error('no credential')
    const forged = {
      ...first,
      proof: { ...first.proof, signature: first.proof.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
    }
    expect(await laptop.receive([forged, ...real])).toEqual({ accepted: 0, ignored: real.length + 1 })
    expect(laptop.credentials.get()).toEqual(real)
  })

  it.each(['thief', 'honest'] as const)(
    'keeps a copy signed through a thief beside the honest one (the %s one heard first), so revoking the thief leaves the honest one counting, after a reload too',
    async (first) => {
      const { stored, laptop, thief } = await laptopAndThief()
      const { identity: phone } = await link(laptop, 'Phone')
      // The thief authorizes the phone again through its own chain, and puts that chain under the phone's rename.
      const rechain = ready(await thief.authorizeDevice(phone.deviceKey, 'Phone')).chain
      // Later than every name given so far, so the rename is the name that counts.
      clock.advance(1000)
      const renamed = ready(await phone.renameDevice(phone.deviceKey, 'My phone'))
      const rechained = { ...renamed, proof: { ...renamed.proof, chain: rechain } }
      // In memory, the copy heard first hid the other (one per id); in storage, the one heard last replaced it.
      const thiefs = [rechain, rechained]
      for (const heard of first === 'thief' ? [thiefs, [renamed]] : [[renamed], thiefs]) await laptop.receive(heard)
      const nameOn = (identity: HaloIdentity) =>
        identity.devices().find((device) => device.key === phone.deviceKey)?.name
      expect(nameOn(laptop)).toBe('My phone')
      // Both copies were stored: revoking the thief on the laptop opened again leaves the honest one.
      const reopened = await open(stored.databaseName).store.load()
      if (reopened.status !== 'ready') throw new Error(`not opened: ${reopened.status}`)
      for (const identity of [laptop, reopened.identity]) {
        ready(await identity.revokeDevice(thief.deviceKey))
        expect(nameOn(identity)).toBe('My phone')
        expect(identity.credentials.get().filter((credential) => credential.id === renamed.id)).toEqual([renamed])
      }
    },
  )

  it('a device opened again signs through the chain it was given, not an authorization a thief made for it', async () => {
    const { stored, laptop, thief } = await laptopAndThief()
    // The thief authorizes the laptop again through its own chain, under an id that sorts before the honest one.
    await laptop.receive([authorizedBelow(thief, laptop.deviceKey, laptop.chain.id)])
    const reopened = await open(stored.databaseName).store.load()
    if (reopened.status !== 'ready') throw new Error(`not opened: ${reopened.status}`)
    expect(reopened.identity.chain).toEqual(laptop.chain)
    ready(await reopened.identity.revokeDevice(thief.deviceKey))
    expect(reopened.identity.removed).toBe(false)
  })

  it.each(['a copy of its chain with the chain of the thief under it', "the thief's own authorization of it"] as const)(
    'a linked device opened again signs through the chain it was given, not %s',
    async (made) => {
      const laptop = await firstDevice()
      const words = ready(await laptop.recoveryPhrase())
      // Linked by the identity key (a chain through the laptop could not pass through the laptop again).
      const { identity: thief } = await link(laptop, 'Thief')
      ready(await laptop.confirmBackup())
      const { identity: phone, databaseName } = await link(laptop, 'Phone')
      let heard: Credential[]
      if (made.startsWith('a copy')) {
        // The phone's chain (signed by the laptop) with a laptop authorization the thief signed under it: the same
        // id and signature, another copy, first in the table of copies.
        const rechain = authorizedBelow(thief, laptop.deviceKey, laptop.chain.id)
        heard = [rechain, { ...phone.chain, proof: { ...phone.chain.proof, chain: rechain } }]
      } else heard = [authorizedBelow(thief, phone.deviceKey, phone.chain.id)]
      expect((await phone.receive(heard)).accepted).toBe(heard.length)
      const reopened = await open(databaseName).store.load()
      if (reopened.status !== 'ready') throw new Error(`not opened: ${reopened.status}`)
      expect(reopened.identity.chain).toEqual(phone.chain)
      await reopened.identity.receive([ready(await laptop.revokeDevice(thief.deviceKey, { recoveryPhrase: words }))])
      expect(reopened.identity.removed).toBe(false)
    },
  )

  it('verifyPeerDevice refuses a chain for another device, a revoked device and junk', async () => {
    const laptop = await firstDevice()
    const { identity: phone } = await link(laptop, 'Phone')
    const wrong = await verifyPeerDevice(phone.chain, laptop.deviceKey, { clock, isRevoked: noRevocations })
    expect(!wrong.ok && wrong.error.reason).toBe('wrong-subject')
    const revoked = await verifyPeerDevice(phone.chain, phone.deviceKey, {
      clock,
      isRevoked: (_identity, device) => device === phone.deviceKey,
    })
    expect(!revoked.ok && revoked.error.reason).toBe('revoked')
    const junk = await verifyPeerDevice({ proof: { chain: 'x' } }, phone.deviceKey, { clock, isRevoked: noRevocations })
    expect(!junk.ok && junk.error.reason).toBe('malformed')
  })

  it('revoking the linking device voids a device it linked through its own chain', async () => {
    const laptop = await firstDevice()
    const words = ready(await laptop.recoveryPhrase())
    ready(await laptop.confirmBackup())
    const { identity: phone } = await link(laptop, 'Phone')
    const { identity: tablet, databaseName } = await link(phone, 'Tablet')
    // From the tablet, with the phrase: revoke the phone. The tablet's chain runs through it.
    ready(await tablet.revokeDevice(phone.deviceKey, { recoveryPhrase: words }))
    expect(tablet.isRevoked(phone.deviceKey)).toBe(true)
    const voided = await verifyPeerDevice(tablet.chain, tablet.deviceKey, {
      clock,
      isRevoked: (_identity, device) => tablet.isRevoked(device),
    })
    expect(!voided.ok && voided.error.reason).toBe('revoked')
    const reopened = await open(databaseName).store.load()
    expect(reopened.status === 'ready' && reopened.identity.removed).toBe(true)
  })

  it('a revoked linked device opens again after a reload, removed: it reads what it holds and signs nothing', async () => {
    const laptop = await firstDevice()
    const { identity: phone, databaseName } = await link(laptop, 'Phone')
    expect(phone.removed).toBe(false)
    const revocation = ready(await laptop.revokeDevice(phone.deviceKey))
    await phone.receive([revocation])
    expect(phone.removed).toBe(true)
    const reopened = await open(databaseName).store.load()
    if (reopened.status !== 'ready') throw new Error(`not opened: ${reopened.status}`)
    const removed = reopened.identity
    expect(removed.removed).toBe(true)
    expect(removed.deviceKey).toBe(phone.deviceKey)
    expect(removed.profile?.displayName).toBe('Sam')
    expect(removed.devices().find((device) => device.isThisDevice)?.revokedAt).toBeDefined()
    const refusals = [
      await removed.updateProfile({ displayName: 'Mallory', avatar: { colour: '#000000' } }),
      await removed.renameDevice(removed.deviceKey, 'Still mine'),
      await removed.authorizeDevice(generateKeyPair<DeviceKey>().publicKey, 'Another'),
    ]
    expect(refusals.map((result) => !result.ok && result.error.code)).toEqual([
      'device-removed',
      'device-removed',
      'device-removed',
    ])
  })

  it('refuses its own key, an unusable key and a revoked device', async () => {
    const laptop = await firstDevice()
    const { identity: phone } = await link(laptop, 'Phone')
    ready(await laptop.revokeDevice(phone.deviceKey))
    const refusal = async (device: string) => {
      const result = await laptop.authorizeDevice(device as PublicKey, 'X')
      return !result.ok && result.error.code === 'cannot-authorize-device' ? result.error.reason : 'accepted'
    }
    expect(await refusal(laptop.deviceKey)).toBe('this-device')
    expect(await refusal('00'.repeat(32))).toBe('invalid-key')
    expect(await refusal(phone.deviceKey)).toBe('revoked')
  })

  it('the phrase typed on the linked device unlocks the phrase-only operations', async () => {
    const laptop = await firstDevice()
    const words = ready(await laptop.recoveryPhrase())
    const { identity: phone } = await link(laptop, 'Phone')
    const without = await phone.recoveryPhrase()
    expect(!without.ok && without.error.code).toBe('identity-unlock-needed')
    const exported = await phone.exportFile('a long enough password', undefined)
    expect(!exported.ok && exported.error.code).toBe('identity-unlock-needed')
    expect(ready(await phone.recoveryPhrase({ recoveryPhrase: words }))).toBe(words)
    expect(ready(await phone.exportFile('a long enough password', { recoveryPhrase: words }))).toBeTypeOf('string')
    ready(await phone.revokeDevice(laptop.deviceKey, { recoveryPhrase: words }))
    expect(phone.isRevoked(laptop.deviceKey)).toBe(true)
  })

  it('a reload opens the linked identity again', async () => {
    const laptop = await firstDevice()
    const { identity: phone, databaseName } = await link(laptop, 'Phone')
    const state = await open(databaseName).store.load()
    expect(state.status).toBe('ready')
    if (state.status !== 'ready') return
    expect(state.identity.deviceKey).toBe(phone.deviceKey)
    expect(state.identity.backup.get()).toBe('linked')
    expect(state.identity.chain.id).toBe(phone.chain.id)
  })
})

describe('a damaged linked record', () => {
  it('a linked record without its chain is damage, not a saved backup', async () => {
    const laptop = await firstDevice()
    const { identity: phone, databaseName } = await link(laptop, 'Phone')
    const db = openHaloDatabase(databaseName)
    await db.credentialCopies.where('id').equals(phone.chain.id).delete()
    db.close()
    const state = await open(databaseName).store.load()
    expect(state.status === 'damaged' && state.error.reason).toBe('missing-linked-chain')
  })
})

describe('createLinked refuses and stores nothing', () => {
  const refused = async (make: (laptop: HaloIdentity) => Promise<Parameters<IdentityStore['createLinked']>[0]>) => {
    const laptop = await firstDevice()
    const target = open()
    const result = await target.store.createLinked(await make(laptop))
    expect((await open(target.databaseName).store.load()).status).toBe('none')
    return result.ok
      ? 'accepted'
      : result.error.code === 'linked-chain-refused'
        ? result.error.problem
        : result.error.code
  }

  it("another identity's chain", async () => {
    const other = await firstDevice('Alex')
    expect(
      await refused(async (laptop) => {
        const deviceKeyPair = generateKeyPair<DeviceKey>()
        const handed = ready(await other.authorizeDevice(deviceKeyPair.publicKey, 'Phone'))
        return { deviceKeyPair, identityKey: laptop.identityKey, chain: handed.chain, credentials: handed.credentials }
      }),
    ).toBe('wrong-identity')
  })

  it('a chain for another device key', async () => {
    expect(
      await refused(async (laptop) => {
        const handed = ready(await laptop.authorizeDevice(generateKeyPair<DeviceKey>().publicKey, 'Phone'))
        const deviceKeyPair = generateKeyPair<DeviceKey>()
        return { deviceKeyPair, identityKey: laptop.identityKey, chain: handed.chain, credentials: handed.credentials }
      }),
    ).toBe('wrong-device')
  })

  it('an expired chain', async () => {
    expect(
      await refused((laptop) => {
        const deviceKeyPair = generateKeyPair<DeviceKey>()
        const chain = issueCredential({
          issuer: laptop.identityKey,
          subject: deviceKeyPair.publicKey,
          assertion: { kind: 'AuthorizedDevice' },
          signer: laptop.signer,
          clock,
          expiresAt: clock.now() - 60 * 60 * 1000,
        })
        return Promise.resolve({
          deviceKeyPair,
          identityKey: laptop.identityKey,
          chain,
          credentials: laptop.credentials.get(),
        })
      }),
    ).toBe('does-not-verify')
  })

  it('a chain whose signature is broken, handed beside the real copy of it', async () => {
    expect(
      await refused(async (laptop) => {
        const deviceKeyPair = generateKeyPair<DeviceKey>()
        const handed = ready(await laptop.authorizeDevice(deviceKeyPair.publicKey, 'Phone'))
        const { signature } = handed.chain.proof
        const broken = {
          ...handed.chain,
          proof: { ...handed.chain.proof, signature: signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
        }
        return { deviceKeyPair, identityKey: laptop.identityKey, chain: broken, credentials: handed.credentials }
      }),
    ).toBe('does-not-verify')
  })

  it('a profile that already has an identity', async () => {
    const laptop = await firstDevice()
    const deviceKeyPair = generateKeyPair<DeviceKey>()
    const handed = ready(await laptop.authorizeDevice(deviceKeyPair.publicKey, 'Phone'))
    const target = open()
    const existing = ready(
      await target.store.create({ profile: { displayName: 'Kim', avatar: { colour: '#654321' } }, deviceName: 'PC' }),
    ).identity
    const result = await target.store.createLinked({
      deviceKeyPair,
      identityKey: laptop.identityKey,
      chain: handed.chain,
      credentials: handed.credentials,
    })
    expect(!result.ok && result.error.code).toBe('identity-exists')
    const state = await open(target.databaseName).store.load()
    expect(state.status === 'ready' && state.identity.identityKey).toBe(existing.identityKey)
  })
})

describe('openSealed', () => {
  it('opens a box sealed to this device and refuses one sealed to another device', async () => {
    const laptop = await firstDevice()
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const box = sealFor(laptop.deviceKey, secret, 'space|1')
    expect(ready(laptop.openSealed(box, 'space|1'))).toEqual(secret)
    const other = sealFor(generateKeyPair<DeviceKey>().publicKey, secret, 'space|1')
    const refused = laptop.openSealed(other, 'space|1')
    expect(refused.ok ? 'opened' : refused.error.code).toBe('not-opened')
  })
})
