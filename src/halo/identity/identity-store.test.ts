import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { openHaloDatabase } from '../storage/halo-database'
import type { DamageReason } from './errors'
import type { CreateInput, HaloIdentityState, Locks } from './identity-store'
import { IdentityStore } from './identity-store'

const clock = new ManualClock(1_800_000_000_000)
const input: CreateInput = {
  profile: { displayName: 'Ada', avatar: { colour: '#aa00ff', emoji: '🦉' } },
  deviceName: 'Laptop',
}
let databases = 0
const opened: IdentityStore[] = []
const freshName = () => `halo-test-${++databases}-${crypto.randomUUID()}`
const storeOn = (databaseName: string, locks?: Locks) => {
  const store = new IdentityStore({ databaseName, clock, ...(locks === undefined ? {} : { locks }) })
  opened.push(store)
  return store
}
afterEach(() => {
  for (const store of opened.splice(0)) store.close()
})

const ready = async (store: IdentityStore) => {
  const created = await store.create(input)
  if (!created.ok) throw created.error
  return created.value.identity
}

describe('first run and reload', () => {
  it('a fresh profile holds nothing, and loading writes nothing', async () => {
    const name = freshName()
    expect((await storeOn(name).load()).status).toBe('none')
    expect((await storeOn(name).load()).status).toBe('none')
  })

  it('creates identity key, device key, AuthorizedDevice and Profile, with strict-durability writes', async () => {
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const identity = await ready(storeOn(freshName()))
    const durabilities = spy.mock.results
      .map((result) => result.value as IDBTransaction)
      .filter((transaction) => transaction.mode === 'readwrite')
      .map((transaction) => transaction.durability)
    spy.mockRestore()

    expect(durabilities.length).toBeGreaterThan(0)
    expect(new Set(durabilities)).toEqual(new Set(['strict']))
    expect(identity.identityKey).not.toBe(identity.deviceKey)
    expect(identity.profile).toEqual(input.profile)
    expect(
      identity.credentials
        .get()
        .map((c) => c.assertion.kind)
        .sort(),
    ).toEqual(['AuthorizedDevice', 'DeviceName', 'Profile'])
    expect(identity.devices()).toEqual([
      {
        key: identity.deviceKey,
        name: 'Laptop',
        authorizedAt: clock.now(),
        revokedAt: undefined,
        revokedByIdentityKey: false,
        isThisDevice: true,
      },
    ])
    expect(identity.did).toMatch(/^did:key:z6Mk/)
  })

  it('keeps private keys sealed by a non-extractable AES-GCM key', async () => {
    const name = freshName()
    const identity = await ready(storeOn(name))
    const db = openHaloDatabase(name)
    const wrapping = await db.wrapping.get('wrapping')
    const secrets = await db.secrets.toArray()
    db.close()
    expect(wrapping?.key.extractable).toBe(false)
    expect(wrapping?.key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 })
    expect(secrets.map((s) => s.slot).sort()).toEqual(['device', 'identity'])
    // AES-GCM adds a 16-byte tag: 16 + 16 for the recovery secret, 32 + 16 for the device seed.
    expect(secrets.map((s) => ('ciphertext' in s ? s.ciphertext.length : 0)).sort()).toEqual([32, 48])
    const phrase = await identity.recoveryPhrase()
    expect(phrase.ok && JSON.stringify(secrets)).not.toContain(phrase.ok ? phrase.value.split(' ')[0] : 'no phrase')
  })

  it('loads the same identity after a reload', async () => {
    const name = freshName()
    const first = await ready(storeOn(name))
    const state = await storeOn(name).load()
    expect(state.status).toBe('ready')
    const again = state.status === 'ready' ? state.identity : undefined
    expect([again?.identityKey, again?.deviceKey, await again?.recoveryPhrase()]).toEqual([
      first.identityKey,
      first.deviceKey,
      await first.recoveryPhrase(),
    ])
    expect(again?.profile).toEqual(input.profile)
  })

  it('publishes its state', async () => {
    const store = storeOn(freshName())
    const seen: HaloIdentityState['status'][] = []
    store.state.subscribe((state) => seen.push(state.status))
    await store.load()
    const identity = await ready(store)
    expect(seen).toEqual(['none', 'ready'])
    await store.load()
    const state = store.state.get()
    expect(state.status === 'ready' && state.identity).toBe(identity)
    expect(seen).toEqual(['none', 'ready'])
  })

  it('accepts a colour as a colour picker writes it', async () => {
    const result = await storeOn(freshName()).create({
      ...input,
      profile: { ...input.profile, avatar: { colour: '#AA00FF' } },
    })
    expect(result.ok && result.value.identity.profile?.avatar).toEqual({ colour: '#aa00ff' })
  })

  it('refuses invalid input before storing anything', async () => {
    const name = freshName()
    const result = await storeOn(name).create({ ...input, profile: { ...input.profile, displayName: ' ' } })
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid-input')
    expect((await storeOn(name).load()).status).toBe('none')
  })
})

describe('two tabs at the same moment', () => {
  const createBoth = async (locks?: Locks) => {
    const name = freshName()
    const results = await Promise.all([storeOn(name, locks).create(input), storeOn(name, locks).create(input)])
    const identities = results.map((result) => (result.ok ? result.value : undefined))
    const stored = await storeOn(name).load()
    return { identities, stored }
  }

  it('end with exactly one identity under Web Locks', async () => {
    const { identities, stored } = await createBoth()
    expect(identities.map((i) => i?.created).sort()).toEqual([false, true])
    expect(new Set(identities.map((i) => i?.identity.identityKey)).size).toBe(1)
    expect(stored.status === 'ready' && stored.identity.identityKey).toBe(identities[0]?.identity.identityKey)
  })

  it('still end with one identity if the lock does not exclude (the write checks in its transaction)', async () => {
    const noLock: Locks = { request: (_name, callback) => callback() }
    const { identities, stored } = await createBoth(noLock)
    expect(identities.filter((i) => i?.created)).toHaveLength(1)
    const winner = identities.find((i) => i?.created)?.identity.identityKey
    expect(stored.status === 'ready' && stored.identity.identityKey).toBe(winner)
  })
})

describe('a damaged identity', () => {
  type Db = ReturnType<typeof openHaloDatabase>
  const damage = async (name: string, harm: (db: Db) => Promise<unknown>) => {
    const db = openHaloDatabase(name)
    await harm(db)
    db.close()
  }
  const flipFirstByte = (bytes: Uint8Array) => Uint8Array.from(bytes, (byte, i) => (i === 0 ? byte ^ 1 : byte))

  const cases: [DamageReason, (db: Db) => Promise<unknown>][] = [
    ['missing-identity-record', (db) => db.identity.clear()],
    ['malformed-identity-record', (db) => db.table('identity').put({ slot: 'self', version: 9 })],
    ['missing-wrapping-key', (db) => db.wrapping.clear()],
    ['missing-identity-secret', (db) => db.secrets.delete('identity')],
    ['missing-device-secret', (db) => db.secrets.delete('device')],
    [
      'unreadable-secret',
      async (db) => {
        const record = await db.secrets.get('device')
        if (record && 'ciphertext' in record) {
          await db.secrets.put({ ...record, ciphertext: flipFirstByte(record.ciphertext) })
        }
      },
    ],
    [
      'key-mismatch',
      async (db) => {
        const record = await db.identity.get('self')
        if (record) await db.identity.put({ ...record, identityKey: record.deviceKey })
      },
    ],
    ['missing-device-authorization', (db) => db.credentialCopies.clear()],
  ]

  it.each(cases)('%s: reported with its reason, never replaced by a new identity', async (reason, harm) => {
    const name = freshName()
    const original = await ready(storeOn(name))
    await damage(name, harm)

    const store = storeOn(name)
    const state = await store.load()
    expect(state.status === 'damaged' && state.error.reason).toBe(reason)
    const created = await store.create(input)
    expect(created.ok ? 'created' : created.error.code).toBe('identity-damaged')
    const after = await storeOn(name).load()
    expect(after.status === 'damaged' && after.error.reason).toBe(reason)

    const fresh = await store.create({ ...input, discardDamaged: true })
    expect(fresh.ok && fresh.value.created).toBe(true)
    expect(fresh.ok && fresh.value.identity.identityKey).not.toBe(original.identityKey)
  })
})
