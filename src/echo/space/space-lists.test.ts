import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { generateKeyPair } from '../../halo'
import type { SpaceId } from '../ids'
import { exported, makeActor, openTestEcho } from '../testing/fixtures'
import { repoOf, rootOf } from '../testing/internals'
import { pairedAdapters, whenPeer } from '../testing/paired-network'
import type { SwarmBoxes } from './space-lists'
import { MAX_SWARM_BOX_LENGTH } from './space-lists'

const BOX = 'A'.repeat(139)
const HEX = (c: string) => c.repeat(64)
/** A well-formed entry (echo checks the shape only; signatures are the client's to check). */
const entry = (recipient: string, box = BOX, generation = 1, commitment = HEX('c')) => ({
  generation,
  recipient: recipient as never,
  sealer: HEX('5') as never,
  box,
  commitment,
  sig: 'e'.repeat(128),
})
const keyOf = (spaceId: string, recipient: string, generation = '1') =>
  `${spaceId}:${generation}:${recipient}:${HEX('5')}:${HEX('c')}`
const value = (box: unknown = BOX) => ({ box, commitment: HEX('c'), sig: 'e'.repeat(128) })

describe("the personal space's lists of spaces and sealed swarm secrets", () => {
  it('lists spaces and boxes, tells listeners, and never replaces an entry', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const personal = await echo.personalSpace(actor)
    const work = await echo.createSpace(makeActor(), 'Work')
    const device = generateKeyPair().publicKey
    const heard: SwarmBoxes[] = []
    personal.swarmBoxes(work.id).subscribe((boxes) => heard.push(boxes))

    expect(personal.listSpace(actor, work.id, rootOf(work).url)).toEqual({ ok: true, value: true })
    expect(personal.listedSpaces.get()).toEqual([{ spaceId: work.id, rootUrl: rootOf(work).url }])
    expect(personal.listSpace(actor, work.id, rootOf(personal).url)).toEqual({ ok: true, value: false })
    expect(personal.listSpace(actor, work.id, rootOf(work).url)).toEqual({ ok: true, value: false })
    expect(personal.listedSpaces.get()).toEqual([{ spaceId: work.id, rootUrl: rootOf(work).url }])

    expect(personal.addSwarmBox(actor, work.id, entry(device))).toEqual({ ok: true, value: true })
    expect(personal.addSwarmBox(actor, work.id, entry(device, 'B'.repeat(139)))).toEqual({ ok: true, value: false })
    // Another generation or commitment is another entry.
    expect(personal.addSwarmBox(actor, work.id, entry(device, BOX, 2))).toEqual({ ok: true, value: true })
    expect(personal.addSwarmBox(actor, work.id, entry(device, BOX, 1, HEX('d')))).toEqual({ ok: true, value: true })
    expect(personal.swarmBoxes(work.id).get()).toEqual([
      entry(device),
      entry(device, BOX, 1, HEX('d')),
      entry(device, BOX, 2),
    ])
    expect(heard[0]).toEqual([entry(device)])
    await echo.close()
  })

  it('ignores junk a peer wrote into the lists, and every read still answers', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const personal = await echo.personalSpace(actor)
    const good = generateKeyPair().publicKey as string as SpaceId
    const device = generateKeyPair().publicKey
    const root = rootOf(personal)
    root.change((doc) => {
      const raw = doc as unknown as Record<string, unknown>
      raw.spaces = {
        [good]: { root: root.url },
        'not-an-id': { root: root.url },
        [generateKeyPair().publicKey]: { root: 'https://example.com' },
        [generateKeyPair().publicKey]: 7,
      }
      raw.spaceKeys = {
        [keyOf(good, device)]: value(),
        [keyOf(good, 'short')]: value(),
        [keyOf(good, device, '01')]: value(),
        [keyOf(good, device, '0')]: value(),
        [keyOf(good, device, '99999999999')]: value(),
        [`${keyOf(good, device)}:extra`]: value(),
        [keyOf(good, generateKeyPair().publicKey)]: value('x'.repeat(MAX_SWARM_BOX_LENGTH + 1)),
        [keyOf(good, generateKeyPair().publicKey)]: { ...value(), commitment: HEX('d') },
        [keyOf(good, generateKeyPair().publicKey)]: { ...value(), extra: 1 },
        [keyOf(good, generateKeyPair().publicKey)]: BOX,
        [generateKeyPair().publicKey]: 'junk',
      }
    })
    expect(personal.listedSpaces.get()).toEqual([{ spaceId: good, rootUrl: root.url }])
    expect(personal.swarmBoxes(good).get()).toEqual([entry(device)])
    root.change((doc) => {
      const raw = doc as unknown as Record<string, unknown>
      raw.spaces = 'junk'
      raw.spaceKeys = [1, 2]
    })
    expect(personal.listedSpaces.get()).toEqual([])
    expect(personal.swarmBoxes(good).get()).toEqual([])
    // Writing over the junk adds a valid entry.
    expect(personal.listSpace(actor, good, root.url).ok).toBe(true)
    expect(personal.addSwarmBox(actor, good, entry(device)).ok).toBe(true)
    expect(personal.listedSpaces.get()).toHaveLength(1)
    expect(personal.swarmBoxes(good).get()).toEqual([entry(device)])
    await echo.close()
  })

  it('refuses other spaces, non-members and malformed entries with typed errors', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const personal = await echo.personalSpace(actor)
    const work = await echo.createSpace(actor, 'Work')
    const url = rootOf(work).url
    const code = (result: { ok: boolean; error?: { code: string } }) => result.error?.code
    expect(code(work.listSpace(actor, work.id, url))).toBe('not-allowed')
    expect(code(personal.listSpace(makeActor(), work.id, url))).toBe('not-allowed')
    expect(code(personal.listSpace(actor, 'nope' as SpaceId, url))).toBe('invalid-space-listing')
    const device = generateKeyPair().publicKey
    expect(code(personal.addSwarmBox(actor, work.id, entry(device, 'not base64url!')))).toBe('invalid-space-listing')
    expect(code(personal.addSwarmBox(actor, work.id, entry(device, 'x'.repeat(MAX_SWARM_BOX_LENGTH + 1))))).toBe(
      'invalid-space-listing',
    )
    expect(code(personal.addSwarmBox(actor, work.id, entry(device, BOX, 0)))).toBe('invalid-space-listing')
    expect(code(personal.addSwarmBox(actor, work.id, { ...entry(device), sig: 'zz' }))).toBe('invalid-space-listing')
    expect(personal.listedSpaces.get().map((listed) => listed.spaceId)).toEqual([work.id])
    await echo.close()
  })

  it("a shared space's root keeps its own secret's entries from a member who may write, and only those", async () => {
    const echo = openTestEcho()
    const owner = makeActor()
    const viewer = makeActor()
    const work = await echo.createSpace(owner, 'Work')
    const other = await echo.createSpace(owner, 'Other')
    expect(work.admit(owner, viewer.identity, 'viewer').ok).toBe(true)
    const device = generateKeyPair().publicKey
    const code = (result: { ok: boolean; error?: { code: string } }) => result.error?.code
    expect(work.addSwarmBox(owner, work.id, entry(device))).toEqual({ ok: true, value: true })
    expect(work.swarmBoxes(work.id).get()).toEqual([entry(device)])
    expect(code(work.addSwarmBox(viewer, work.id, entry(device, BOX, 2)))).toBe('not-allowed')
    expect(code(work.addSwarmBox(makeActor(), work.id, entry(device, BOX, 2)))).toBe('not-allowed')
    expect(code(work.addSwarmBox(owner, other.id, entry(device, BOX, 2)))).toBe('not-allowed')
    expect(code(work.addSwarmBox(owner, work.id, entry(device, BOX, 0)))).toBe('invalid-space-listing')
    expect(work.swarmBoxes(work.id).get()).toEqual([entry(device)])
    await echo.close()
  })
})

describe('spaces made or imported here are listed in the personal space', () => {
  it('lists a created space, an imported one, and one made before the personal space at its next opening', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const early = await echo.createSpace(actor, 'Early')
    const personal = await echo.personalSpace(actor)
    const work = await echo.createSpace(actor, 'Work')
    const ids = () => personal.listedSpaces.get().map((listed) => listed.spaceId)
    expect(ids()).toEqual([early.id, work.id].sort())

    const elsewhere = openTestEcho()
    const shared = await elsewhere.createSpace(makeActor(), 'Shared')
    const file = await exported(elsewhere, shared)
    const imported = await echo.importSpace(actor, file)
    expect(imported.ok).toBe(true)
    expect(ids()).toEqual([early.id, work.id, shared.id].sort())
    expect(personal.listedSpaces.get().find((listed) => listed.spaceId === shared.id)?.rootUrl).toBe(rootOf(shared).url)
    await elsewhere.close()
    await echo.close()
  })
})

describe('the personal lists under concurrent first writes on two devices', () => {
  it('keeps every listing and box both devices added while apart', async () => {
    const a = openTestEcho({ peerId: 'cp1.aa.1' })
    const b = openTestEcho({ peerId: 'cp1.bb.2' })
    const everything = { access: () => true, announce: () => true }
    const connect = async () => {
      const [toB, toA] = pairedAdapters()
      a.replicate(toB, everything)
      b.replicate(toA, everything)
      await Promise.all([whenPeer(repoOf(a), 'cp1.bb.2'), whenPeer(repoOf(b), 'cp1.aa.1')])
      return () => {
        a.stopReplicating(toB)
        b.stopReplicating(toA)
      }
    }
    const ada = makeActor()
    const onA = await a.personalSpace(ada)
    const disconnect = await connect()
    const url = rootOf(onA).url
    const adopted = await b.adoptSpace({ identity: ada.identity, spaceId: onA.id, rootUrl: url, personal: true })
    if (!adopted.ok) throw adopted.error
    const onB = adopted.value
    disconnect()

    const [work, home] = [await a.createSpace(makeActor(), 'Work'), await b.createSpace(makeActor(), 'Home')]
    const [laptop, phone] = [generateKeyPair().publicKey, generateKeyPair().publicKey]
    expect(onA.addSwarmBox(ada, work.id, entry(laptop))).toEqual({ ok: true, value: true })
    expect(onB.addSwarmBox(ada, work.id, entry(phone))).toEqual({ ok: true, value: true })
    expect(onA.listSpace(ada, work.id, rootOf(work).url)).toEqual({ ok: true, value: true })
    expect(onB.listSpace(ada, home.id, rootOf(home).url)).toEqual({ ok: true, value: true })
    await connect()

    const merged = (space: typeof onA) => ({
      boxes: space
        .swarmBoxes(work.id)
        .get()
        .map((each) => each.recipient)
        .sort(),
      listed: space.listedSpaces.get().map((each) => each.spaceId),
    })
    const whole = { boxes: [laptop, phone].sort(), listed: [work.id, home.id].sort() }
    await vi.waitFor(() => {
      expect(merged(onA)).toEqual(whole)
      expect(merged(onB)).toEqual(whole)
    })
    await Promise.all([a.close(), b.close()])
  })

  it('creates the maps once in a personal root made before they came with it', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const root = rootOf(await echo.personalSpace(actor))
    root.change((doc) => {
      Reflect.deleteProperty(doc, 'spaces')
      Reflect.deleteProperty(doc, 'spaceKeys')
    })
    await echo.personalSpace(actor)
    expect([root.doc().spaces, root.doc().spaceKeys]).toEqual([{}, {}])
    const heads = root.heads()
    await echo.personalSpace(actor)
    expect(root.heads()).toEqual(heads)
    await echo.close()
  })
})
