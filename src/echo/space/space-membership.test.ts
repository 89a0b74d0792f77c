// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho, T0, uniqueDatabaseName } from '../testing/fixtures'
import { Repo } from '@automerge/automerge-repo/slim'
import { describe, expect, it } from 'vitest'
import type { Result } from '../../base'
import { fromBase64Url, toBase64Url } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { PublicKey } from '../../halo'
import { generateKeyPair, issueCredential } from '../../halo'
import type { Echo } from '../echo'
import type { NotAllowed } from '../errors'
import { makeDeviceActor } from '../testing/device-actor'
import { issueDeviceRevocation } from '../membership/entries'
import { foldMembership, roleOf } from '../membership/fold'
import type { SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import type { Space } from './space'
import { documentsOf, rootOf } from '../testing/internals'

const open = async (echo: Echo, space: Space): Promise<Space> => {
  const opened = await echo.openSpace(space.id)
  if (!opened.ok) throw opened.error
  return opened.value
}

const accepted = <T>(result: Result<T, NotAllowed>): T => {
  if (!result.ok) throw result.error
  return result.value
}

const imported = async (echo: Echo, actor: ReturnType<typeof makeActor>, file: string): Promise<Space> => {
  const result = await echo.importSpace(actor, file)
  if (!result.ok) throw result.error
  return result.value
}

describe('the membership log only grows', () => {
  it('keeps a removed editor removed when her copy, without her removal, is imported, and after a reopen', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const mallory = makeActor()
    const aliceEcho = openTestEcho({ name })
    const space = await aliceEcho.createSpace(alice, 'Work')
    space.admit(alice, mallory.identity, 'editor')
    const removal = accepted(space.remove(alice, mallory.identity))
    expect(space.roleOf(mallory.identity)).toBeUndefined()

    // Mallory deletes her removal from her copy of the root and sends the copy back.
    await imported(aliceEcho, alice, await exportWithout(aliceEcho, space, removal.id))
    expect(space.roleOf(mallory.identity)).toBeUndefined()
    await waitForEntry(space, removal.id)
    expect((await aliceEcho.close()).ok).toBe(true)

    const again = openTestEcho({ name })
    const reopened = await open(again, space)
    expect(reopened.roleOf(mallory.identity)).toBeUndefined()
    expect(rootOf(reopened).doc().log[removal.id]).toBeDefined()
    await again.close()
  })

  it('does not lock the owner out when the whole log is wiped', async () => {
    const alice = makeActor()
    const mallory = makeActor()
    const aliceEcho = openTestEcho()
    const space = await aliceEcho.createSpace(alice, 'Mine')
    space.admit(alice, mallory.identity, 'viewer')
    const ids = Object.keys(rootOf(space).doc().log)
    await imported(aliceEcho, alice, await exportWithout(aliceEcho, space, ...ids))

    expect(space.roleOf(alice.identity)).toBe('owner')
    expect((await space.create(alice, 'task', { title: 'still mine', done: false, order: 'a0' })).ok).toBe(true)
    expect(space.roleOf(mallory.identity)).toBe('viewer')
    for (const id of ids) await waitForEntry(space, id)
    await aliceEcho.close()
  })

  it('takes an entry back from the store when the document lost it while the space was closed', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const bob = makeActor()
    const first = openTestEcho({ name })
    const space = await first.createSpace(alice, 'Closed')
    space.admit(alice, bob.identity, 'editor')
    const removal = accepted(space.remove(alice, bob.identity))
    await first.close()

    // The root changes without the space being opened (as a sync or a file would change it).
    const second = openTestEcho({ name })
    const root = await documentsOf(second).find<SpaceDoc>(rootOf(space).url)
    root.change((doc) => {
      Reflect.deleteProperty(doc.log, removal.id)
    })
    await second.close()

    const third = openTestEcho({ name })
    const reopened = await open(third, space)
    expect(reopened.roleOf(bob.identity)).toBeUndefined()
    await waitForEntry(reopened, removal.id)
    await third.close()
  })
})

/** The space exported from `echo` with `ids` deleted from its log, as a hostile client would send it. */
const exportWithout = async (echo: Echo, space: Space, ...ids: string[]): Promise<string> => {
  const file = JSON.parse(await exported(echo, space)) as { documents: Record<string, string> }
  const rootId = rootOf(space).documentId
  // Another device's repo: the deletion is a change in the document's history, merged on import.
  const elsewhere = new Repo({ network: [] })
  const handle = elsewhere.import<SpaceDoc>(fromBase64Url(file.documents[rootId] ?? '') ?? new Uint8Array())
  handle.change((doc) => {
    for (const id of ids) Reflect.deleteProperty(doc.log, id)
  })
  file.documents[rootId] = toBase64Url((await elsewhere.export(handle.documentId)) ?? new Uint8Array())
  await elsewhere.shutdown()
  return JSON.stringify(file)
}

const waitForEntry = (space: Space, id: string): Promise<void> =>
  new Promise((resolve) => {
    if (rootOf(space).doc().log[id] !== undefined) {
      resolve()
      return
    }
    const check = () => {
      if (rootOf(space).doc().log[id] === undefined) return
      rootOf(space).off('change', check)
      resolve()
    }
    rootOf(space).on('change', check)
  })

describe('a value put under an entry’s id', () => {
  const setup = async () => {
    const alice = makeActor()
    const mallory = makeActor()
    const echo = openTestEcho()
    const space = await echo.createSpace(alice, 'Work')
    const admission = accepted(space.admit(alice, mallory.identity, 'editor'))
    const removal = accepted(space.remove(alice, mallory.identity))
    return { echo, space, mallory, admission, removal }
  }
  /** What a device that has only the document (a fresh one, an import) makes of it. */
  const freshRole = (space: Space, key: PublicKey) =>
    roleOf(foldMembership(space.id, Object.values(rootOf(space).doc().log).map(toPlain)), key)
  const signatureOf = (space: Space, id: string) => {
    const value = toPlain(rootOf(space).doc().log[id]) as { proof?: { signature?: unknown } }
    return value.proof?.signature
  }

  it('is replaced by the entry when it is another entry', async () => {
    const { echo, space, mallory, admission, removal } = await setup()
    rootOf(space).change((doc) => {
      doc.log[removal.id] = toStored(admission)
    })
    await waitForValue(space, removal.id, (value) => (value as { id?: unknown }).id === removal.id)
    expect(space.roleOf(mallory.identity)).toBeUndefined()
    expect(freshRole(space, mallory.identity)).toBeUndefined()
    await echo.close()
  })

  it('is replaced by the entry when it is a copy whose signature does not hold', async () => {
    const { echo, space, mallory, removal } = await setup()
    rootOf(space).change((doc) => {
      doc.log[removal.id] = toStored({ ...removal, proof: { ...removal.proof, signature: '00'.repeat(64) } })
    })
    await waitForValue(space, removal.id, () => signatureOf(space, removal.id) === removal.proof.signature)
    expect(freshRole(space, mallory.identity)).toBeUndefined()
    await echo.close()
  })
})

describe('two valid copies of one entry', () => {
  it('are not written over each other: a copy through another chain of the same device stays', async () => {
    const aliceKey = generateKeyPair()
    const clock = new ManualClock(T0)
    const alice = makeDeviceActor(aliceKey, clock)
    const echo = openTestEcho()
    const space = await echo.createSpace(alice, 'Work')
    const bob = makeActor()
    const admission = accepted(space.admit(alice, bob.identity, 'editor'))
    const removal = accepted(space.remove(alice, bob.identity))
    clock.advance(1)
    // The identity key authorizes the same device again: the entry with that chain is the same entry, and verifies.
    const chain = issueCredential({
      issuer: aliceKey.publicKey,
      subject: alice.signer.key.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: { key: aliceKey },
      clock,
    })
    const otherCopy = { ...removal, proof: { ...removal.proof, chain } }
    rootOf(space).change((doc) => {
      doc.log[removal.id] = toStored(otherCopy)
      Reflect.deleteProperty(doc.log, admission.id)
    })
    // The write-back that puts the admission back would also have put this device's copy of the removal back.
    await waitForEntry(space, admission.id)
    const kept = toPlain(rootOf(space).doc().log[removal.id]) as { proof?: { chain?: { id?: unknown } } }
    expect(kept.proof?.chain?.id).toBe(chain.id)
    expect(space.roleOf(bob.identity)).toBeUndefined()
    await echo.close()
  })
})

describe('a copy put over an entry', () => {
  it('leaves in the document a copy of it that holds once the device of the other chain is revoked, and puts it back', async () => {
    const aliceKey = generateKeyPair()
    const clock = new ManualClock(T0)
    const alice = makeDeviceActor(aliceKey, clock)
    const thief = makeDeviceActor(aliceKey, clock)
    const echo = openTestEcho()
    const space = await echo.createSpace(alice, 'Work')
    const bob = makeActor()
    const admission = accepted(space.admit(alice, bob.identity, 'editor'))
    // The thief authorizes Alice's device through its own chain and puts that under her admission of Bob.
    const chain = issueCredential({
      issuer: aliceKey.publicKey,
      subject: alice.signer.key.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: thief.signer,
      clock,
    })
    rootOf(space).change((doc) => {
      doc.log[admission.id] = toStored({ ...admission, proof: { ...admission.proof, chain } })
    })
    // The phrase revokes the thief's device, concurrently with the admission (from the genesis on).
    const values = () => Object.values(rootOf(space).doc().log).map(toPlain)
    const genesisHead = foldMembership(space.id, values()).applied.slice(1, 2)
    const revocation = issueDeviceRevocation({
      actor: { identity: aliceKey.publicKey, signer: { key: aliceKey } },
      space: space.id,
      device: thief.signer.key.publicKey,
      parents: genesisHead,
      clock,
    })
    rootOf(space).change((doc) => {
      doc.log[revocation.id] = toStored(revocation)
    })
    /** What a device that has only the document (a fresh one, an import) makes of it. */
    const fresh = () =>
      roleOf(foldMembership(space.id, Object.values(rootOf(space).doc().log).map(toPlain)), bob.identity)
    expect(space.roleOf(bob.identity)).toBe('editor')
    await expect.poll(fresh).toBe('editor')
    // Deleting the copy put beside it puts it back.
    const beside = Object.keys(rootOf(space).doc().log).filter((key) => key.startsWith(`${admission.id}:`))
    expect(beside).toHaveLength(1)
    rootOf(space).change((doc) => {
      for (const key of beside) Reflect.deleteProperty(doc.log, key)
    })
    await expect.poll(fresh).toBe('editor')
    await echo.close()
  })
})

const waitForValue = (space: Space, id: string, done: (value: unknown) => boolean): Promise<void> =>
  new Promise((resolve) => {
    const check = () => {
      const value = rootOf(space).doc().log[id]
      if (value === undefined || !done(toPlain(value))) return
      rootOf(space).off('change', check)
      resolve()
    }
    rootOf(space).on('change', check)
    check()
  })
