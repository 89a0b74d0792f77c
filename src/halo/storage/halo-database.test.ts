import 'fake-indexeddb/auto'
import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueCredential } from '../credentials/issue'
import { fixedKeyPair } from '../testing'
import { HaloStorage } from './halo-database'

const clock = new ManualClock(1_800_000_000_000)
const identity = fixedKeyPair(1)
const device = fixedKeyPair(2)
const authorized = issueCredential({
  issuer: identity.publicKey,
  subject: device.publicKey,
  assertion: { kind: 'AuthorizedDevice' },
  signer: { key: identity },
  clock,
})
const named = issueCredential({
  issuer: identity.publicKey,
  subject: device.publicKey,
  assertion: { kind: 'DeviceName', name: 'Laptop' },
  signer: { key: device, chain: authorized },
  clock,
})

describe('the HALO database', () => {
  it('moves every version 1 credential row, one that does not decode too, to the table of copies', async () => {
    const name = `halo-upgrade-${crypto.randomUUID()}`
    // The layout before copies: one row per id.
    const before = new Dexie(name)
    before
      .version(1)
      .stores({ identity: 'slot', secrets: 'slot', wrapping: 'slot', credentials: 'id, issuer, subject, kind' })
    const junk = { id: 'not a credential', proof: 7 }
    await before.table('credentials').bulkPut([
      {
        id: authorized.id,
        issuer: authorized.issuer,
        subject: authorized.subject,
        kind: 'AuthorizedDevice',
        credential: authorized,
      },
      { id: named.id, issuer: named.issuer, subject: named.subject, kind: 'DeviceName', credential: named },
      { id: 'junk', issuer: '', subject: '', kind: '', credential: junk },
    ])
    before.close()
    const storage = new HaloStorage(name)
    const read = await storage.read()
    storage.close()
    expect(read.credentials).toHaveLength(3)
    expect(read.credentials).toEqual(expect.arrayContaining([authorized, named, junk]))
  })

  it('keeps two copies of one id with other proofs, and one of each copy however often it is added', async () => {
    const storage = new HaloStorage(`halo-copies-${crypto.randomUUID()}`)
    // The same content through another chain: the id does not cover the proof.
    const otherChain = issueCredential({
      issuer: identity.publicKey,
      subject: device.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: { key: identity },
      clock: new ManualClock(1_800_000_001_000),
    })
    const rechained = { ...named, proof: { ...named.proof, chain: otherChain } }
    await storage.addCredentials([named, rechained])
    await storage.addCredentials([named, rechained, named])
    const read = await storage.read()
    storage.close()
    expect(read.credentials).toHaveLength(2)
    expect(read.credentials).toEqual(expect.arrayContaining([named, rechained]))
  })
})
