// The real client in Node: fake-indexeddb for storage, fakes for the browser's other edges.
import { fakeBrowser, refuseWrites, until } from './testing/fake-edges'
import { describe, expect, it } from 'vitest'
import { clientsClosedAfterEach, expectOk, personalSpace } from './testing/client-harness'
import type { LiveList } from './spaces-api'

const start = clientsClosedAfterEach()

const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }

const titles = async <T extends { title: string }>(list: LiveList<T>): Promise<string[]> => {
  const items = await until(list, (value) => value !== undefined)
  list.close()
  return (items ?? []).map((item) => item.title)
}

describe('the device list', () => {
  it('keeps its views while the mesh status changes around them (a row being edited is not re-drawn)', async () => {
    const client = await start(fakeBrowser().edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const listed = await until(client.identity.devices, (devices) => devices.length === 1)
    // New spaces join rooms: the mesh status changes (each space is in it), nothing about the devices does.
    const spaceId = expectOk(await client.spaces.create('Garden')).id
    expectOk(await client.spaces.create('Work'))
    await until(client.sync.space(spaceId), (status) => status.kind === 'solo')
    expect(client.identity.devices.get()).toBe(listed)
  })
})

describe('the client, from a first run to a reload', () => {
  it('creates the identity and its personal space, keeps tasks and notes, and a reload sees them', async () => {
    const browser = fakeBrowser()
    const first = await start(browser.edges)
    expect(first.identity.state.get()).toEqual({ kind: 'none' })
    expect(expectOk(await first.identity.create(profile, 'Laptop'))).toEqual({ created: true })
    const space = await personalSpace(first)
    expectOk(await space.createTask('Buy milk'))
    expectOk(await space.createTask('Call Bob'))
    expectOk(await space.createNote('Ideas'))
    space.close()
    await first.close()

    const reloaded = await start(browser.edges)
    const state = await until(reloaded.identity.state, (value) => value.kind === 'ready')
    expect(state.kind === 'ready' && state.identity.displayName).toBe('Ada')
    const again = await personalSpace(reloaded)
    expect(await titles(again.tasks(''))).toEqual(['Buy milk', 'Call Bob'])
    expect(await titles(again.notes(''))).toEqual(['Ideas'])
    expect(reloaded.spaces.storage.get().cleared).toBe(false)
    again.close()
  })

  it('reports spaces the browser cleared, creates nothing until told, then starts over', async () => {
    const browser = fakeBrowser()
    const first = await start(browser.edges)
    expectOk(await first.identity.create(profile, 'Laptop'))
    const space = await personalSpace(first)
    expectOk(await space.createTask('Lost with the storage'))
    space.close()
    await first.close()
    await browser.clearSpaces()

    const after = await start(browser.edges)
    await until(after.spaces.storage, (storage) => storage.cleared)
    expect(await until(after.spaces.list, (list) => list !== undefined)).toEqual([])
    expectOk(await after.spaces.acknowledgeCleared())
    expect(after.spaces.storage.get().cleared).toBe(false)
    const fresh = await personalSpace(after)
    expect(await titles(fresh.tasks(''))).toEqual([])
    fresh.close()
  })
})

describe('a save the browser refuses', () => {
  it('fails the action with the storage problem, and nothing saved before is lost', async () => {
    const browser = fakeBrowser()
    const client = await start(browser.edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const space = await personalSpace(client)
    expectOk(await space.createTask('Saved before'))

    const allow = refuseWrites(browser.databases.echo)
    try {
      const refused = await space.createTask('Not saved')
      expect(refused).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
      expect(!refused.ok && refused.error.message).toContain('out of storage space')
      const renamed = await space.rename('Renamed while full')
      expect(renamed).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
    } finally {
      allow()
    }
    space.close()
    // The page goes away while the disk is still full: the refused task never reaches storage.
    const stillFull = refuseWrites(browser.databases.echo)
    await client.close()
    stillFull()

    const reloaded = await start(browser.edges)
    const again = await personalSpace(reloaded)
    expect(await titles(again.tasks(''))).toEqual(['Saved before'])
    again.close()
  })
})

describe('rules the client keeps', () => {
  it('refuses a task without a title, naming the field, and changes nothing', async () => {
    const client = await start(fakeBrowser().edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const space = await personalSpace(client)
    expect(await space.createTask('   ')).toMatchObject({
      ok: false,
      error: { code: 'title-required', field: 'title', message: 'A task needs a title.' },
    })
    const id = expectOk(await space.createTask('Keep me'))
    expect(await space.updateTask(id, { title: '' })).toMatchObject({ ok: false, error: { field: 'title' } })
    expect(await titles(space.tasks(''))).toEqual(['Keep me'])
    space.close()
  })

  it('refuses a space name longer than its limit, on create and rename', async () => {
    const client = await start(fakeBrowser().edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const long = 'x'.repeat(client.limits.spaceName + 1)
    expect(await client.spaces.create(long)).toMatchObject({
      ok: false,
      error: { code: 'name-too-long', field: 'name' },
    })
    const space = await personalSpace(client)
    expect(await space.rename(long)).toMatchObject({ ok: false, error: { code: 'name-too-long', field: 'name' } })
    expect(space.name.get()).toBe('Personal')
    expectOk(await client.spaces.create('x'.repeat(client.limits.spaceName)))
    space.close()
  })

  it('bounds a profile as the interface does: the name trimmed, the emoji a few characters, on create, update and restore', async () => {
    const client = await start(fakeBrowser().edges)
    const padded = `  ${'n'.repeat(client.limits.displayName)}  `
    const longEmoji = { ...profile, avatar: { ...profile.avatar, emoji: '🦉'.repeat(client.limits.avatarEmoji) } }
    expect(await client.identity.create(longEmoji, 'Laptop')).toMatchObject({
      ok: false,
      error: { code: 'emoji-too-long', field: 'emoji' },
    })
    expectOk(await client.identity.create({ ...profile, displayName: padded }, 'Laptop'))
    expect(await client.identity.updateProfile(longEmoji)).toMatchObject({
      ok: false,
      error: { code: 'emoji-too-long', field: 'emoji' },
    })
    const phrase = await client.identity.recoveryPhrase()
    if (!phrase.ok) throw new Error('no phrase')
    const other = await start(fakeBrowser().edges)
    const preview = await other.identity.previewPhrase(phrase.value)
    if (!preview.ok) throw new Error('no preview')
    for (const displayName of [' ', 'n'.repeat(client.limits.displayName + 1)])
      expect(
        await other.identity.restoreFromPhrase(phrase.value, preview.value.identityKey, 'Phone', { displayName }),
      ).toMatchObject({ ok: false, error: { field: 'displayName' } })
    expect(other.identity.state.get().kind).toBe('none')
  })

  it('answers an identity action without an identity with a problem instead of a throw', async () => {
    const client = await start(fakeBrowser().edges)
    expect(await client.identity.updateProfile(profile)).toMatchObject({ ok: false, error: { code: 'no-identity' } })
    expect(await client.identity.renameDevice('00', 'Phone')).toMatchObject({
      ok: false,
      error: { code: 'no-identity' },
    })
    expect(await client.identity.create({ ...profile, displayName: ' ' }, 'Laptop')).toMatchObject({
      ok: false,
      error: { field: 'displayName' },
    })
    expectOk(await client.identity.create(profile, 'Laptop'))
    expect(
      await client.identity.updateProfile({ ...profile, displayName: 'x'.repeat(client.limits.displayName + 1) }),
    ).toMatchObject({ ok: false, error: { code: 'display-name-too-long', field: 'displayName' } })
  })
})

describe('long waits', () => {
  it('stops opening a space when its signal is aborted, before or while it waits for the identity', async () => {
    const client = await start(fakeBrowser().edges)
    const aborted = new AbortController()
    aborted.abort()
    expect(await client.spaces.open('any', { signal: aborted.signal })).toMatchObject({
      ok: false,
      error: { code: 'aborted' },
    })
    // No identity yet: without a signal this wait would last until one is created.
    const later = new AbortController()
    const opening = client.spaces.open('any', { signal: later.signal })
    later.abort()
    expect(await opening).toMatchObject({ ok: false, error: { code: 'aborted' } })
    // The wait that was given up on does not stop a later open.
    expectOk(await client.identity.create(profile, 'Laptop'))
    ;(await personalSpace(client)).close()
  })
})

describe('close', () => {
  it('lets go of every listener on the browser edges and closes its channels', async () => {
    const browser = fakeBrowser()
    const client = await start(browser.edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const space = await personalSpace(client)
    space.close()
    expect(browser.connectivity.listenerCount).toBeGreaterThan(0)
    expect(browser.channels.openCount).toBeGreaterThan(0)

    await client.close()
    expect(browser.connectivity.listenerCount).toBe(0)
    expect(browser.visibility.listenerCount).toBe(0)
    expect(browser.page.listenerCount).toBe(0)
    expect(browser.channels.listenerCount).toBe(0)
    expect(browser.channels.openCount).toBe(0)
    // The databases are closed: deleting them is not blocked by an open connection.
    await browser.clearSpaces()
  })

  it('answers an action after close with the closed problem, not an unexpected failure', async () => {
    const client = await start(fakeBrowser().edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    const space = await personalSpace(client)
    await client.close()
    expect(await client.identity.updateProfile({ ...profile, displayName: 'Ada L.' })).toMatchObject({
      ok: false,
      error: { code: 'closed' },
    })
    expect(await space.createTask('After the end')).toMatchObject({ ok: false, error: { code: 'closed' } })
    space.close()
  })

  it('releases the leader lock, so another tab of the profile leads', async () => {
    const browser = fakeBrowser()
    const first = await start(browser.edges)
    await until(first.tabRole, (role) => role === 'leader')
    const second = await start(browser.openTab().edges)
    expect(second.tabRole.get()).toBe('follower')

    await first.close()
    expect(first.tabRole.get()).toBe('follower')
    await until(second.tabRole, (role) => role === 'leader')
  })

  it('follows connectivity until closed', async () => {
    const browser = fakeBrowser()
    const client = await start(browser.edges)
    expectOk(await client.identity.create(profile, 'Laptop'))
    browser.connectivity.dispatch(new Event('offline'))
    expect(client.online.get()).toBe(false)
    await client.close()
    browser.connectivity.dispatch(new Event('online'))
    expect(client.online.get()).toBe(false)
  })
})
