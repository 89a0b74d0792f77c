import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { generateKeyPair } from '../../halo'
import type { SpaceId } from '../ids'
import { makeActor, openTestEcho } from '../testing/fixtures'
import { repoOf, rootOf } from '../testing/internals'
import { pairedAdapters, whenPeer } from '../testing/paired-network'
import type { SwarmBoxes } from './space-lists'
import { MAX_SWARM_BOX_LENGTH } from './space-lists'

const BOX = 'A'.repeat(139)

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
    expect(personal.listedSpaces.get()[0]?.rootUrl).toBe(rootOf(work).url)

    expect(personal.addSwarmBox(actor, work.id, device, BOX)).toEqual({ ok: true, value: true })
    expect(personal.addSwarmBox(actor, work.id, device, 'B'.repeat(139))).toEqual({ ok: true, value: false })
    expect(personal.swarmBoxes(work.id).get()).toEqual(new Map([[device, BOX]]))
    expect(heard).toEqual([new Map([[device, BOX]])])
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
        [`${good}:${device}`]: BOX,
        [`${good}:short`]: BOX,
        [`${good}:${generateKeyPair().publicKey}`]: 'x'.repeat(MAX_SWARM_BOX_LENGTH + 1),
        [`${good}:${generateKeyPair().publicKey}`]: { nested: BOX },
        [generateKeyPair().publicKey]: 'junk',
      }
    })
    expect(personal.listedSpaces.get()).toEqual([{ spaceId: good, rootUrl: root.url }])
    expect(personal.swarmBoxes(good).get()).toEqual(new Map([[device, BOX]]))
    root.change((doc) => {
      const raw = doc as unknown as Record<string, unknown>
      raw.spaces = 'junk'
      raw.spaceKeys = [1, 2]
    })
    expect(personal.listedSpaces.get()).toEqual([])
    expect(personal.swarmBoxes(good).get()).toEqual(new Map())
    // Writing over the junk adds a valid entry.
    expect(personal.listSpace(actor, good, root.url).ok).toBe(true)
    expect(personal.addSwarmBox(actor, good, device, BOX).ok).toBe(true)
    expect(personal.listedSpaces.get()).toHaveLength(1)
    expect(personal.swarmBoxes(good).get().get(device)).toBe(BOX)
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
    expect(code(personal.addSwarmBox(actor, work.id, device, 'not base64url!'))).toBe('invalid-space-listing')
    expect(code(personal.addSwarmBox(actor, work.id, device, 'x'.repeat(MAX_SWARM_BOX_LENGTH + 1)))).toBe(
      'invalid-space-listing',
    )
    expect(personal.listedSpaces.get().map((listed) => listed.spaceId)).toEqual([work.id])
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
    const file = await elsewhere.exportSpace(shared)
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
    expect(onA.addSwarmBox(ada, work.id, laptop, BOX)).toEqual({ ok: true, value: true })
    expect(onB.addSwarmBox(ada, work.id, phone, BOX)).toEqual({ ok: true, value: true })
    expect(onA.listSpace(ada, work.id, rootOf(work).url)).toEqual({ ok: true, value: true })
    expect(onB.listSpace(ada, home.id, rootOf(home).url)).toEqual({ ok: true, value: true })
    await connect()

    const merged = (space: typeof onA) => ({
      boxes: [...space.swarmBoxes(work.id).get().keys()].sort(),
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
