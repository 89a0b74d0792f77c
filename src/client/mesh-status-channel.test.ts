import { describe, expect, it } from 'vitest'
import { startMeshTab, type StartMesh } from './mesh-tab'
import type { MeshStatus } from '../mesh'
import { CONNECTING, openMeshStatus } from './mesh-status-channel'
import { fakeBrowser, until } from './testing/fake-edges'

const idle = () =>
  new Promise<void>((resolve) => {
    setImmediate(resolve)
  })

const upToDate: MeshStatus = {
  overall: 'up-to-date',
  spaces: { 'space-1': { state: 'up-to-date', peers: [{ device: 'ab'.repeat(32), name: 'Phone' }] } },
  lastSynced: { at: 1_800_000_000_000, device: 'ab'.repeat(32), name: 'Phone' },
}

/** A mesh that publishes `status` as soon as it starts. */
const publishing =
  (status: MeshStatus): StartMesh =>
  (publish) => {
    publish(status)
    return Promise.resolve(() => Promise.resolve())
  }

describe('the mesh status every tab shows', () => {
  it('reaches a tab opened later at once, and shows connecting while leaders change', async () => {
    const browser = fakeBrowser()
    const leader = startMeshTab(browser.edges, publishing(upToDate))
    await until(leader.status, (status) => status.overall === 'up-to-date')

    const second = browser.openTab()
    const follower = startMeshTab(second.edges, publishing({ ...upToDate, overall: 'syncing' }))
    expect(follower.status.get()).toEqual(CONNECTING)
    // It asked on opening; the leader answered with what it holds.
    expect(await until(follower.status, (status) => status.overall !== 'connecting')).toEqual(upToDate)
    expect(follower.role.get()).toBe('follower')

    // A third tab sees which status moments are shown while the lead moves from the first tab to the second.
    const third = startMeshTab(browser.openTab().edges, publishing(upToDate))
    await until(third.status, (status) => status.overall === 'up-to-date')
    const seen: MeshStatus[] = []
    third.status.subscribe((status) => void seen.push(status))
    await leader.stop()
    await until(follower.role, (role) => role === 'leader')
    await until(third.status, (status) => status.overall === 'syncing')
    expect(seen[0]).toEqual({
      ...upToDate,
      overall: 'connecting',
      spaces: { 'space-1': { state: 'connecting', peers: [] } },
    })
    expect(seen.at(-1)).toEqual({ ...upToDate, overall: 'syncing' })
    await Promise.all([follower.stop(), third.stop()])
    expect(browser.channels.openCount).toBe(0)
  })

  it('ignores what is not a status message, and a late status from a leader that said it was gone', async () => {
    const browser = fakeBrowser()
    const follower = openMeshStatus(browser.edges.openChannel)
    const raw = browser.openTab().edges.openChannel('commonplace/mesh')
    const junk: unknown[] = [
      'status',
      { type: 'status', leader: 'x', status: { overall: 'up-to-date' } },
      { type: 'status', leader: 'x', status: { ...upToDate, overall: 'great' } },
      { type: 'status', leader: 'x', status: { ...upToDate, extra: '<script>' } },
      { type: 'status', leader: 'x', status: { ...upToDate, lastSynced: { at: -1, device: 'a' } } },
      { type: 'status', leader: 'x'.repeat(65), status: upToDate },
      { type: 'gone' },
    ]
    for (const message of junk) raw.postMessage(message)
    await idle()
    expect(follower.status.get()).toEqual(CONNECTING)

    raw.postMessage({ type: 'status', leader: 'old', status: upToDate })
    raw.postMessage({ type: 'gone', leader: 'old' })
    raw.postMessage({ type: 'status', leader: 'old', status: { ...upToDate, overall: 'syncing' } })
    await idle()
    expect(follower.status.get().overall).toBe('connecting')
    raw.postMessage({ type: 'status', leader: 'new', status: { ...upToDate, overall: 'alone' } })
    await idle()
    expect(follower.status.get().overall).toBe('alone')
    follower.close()
    raw.close()
  })

  it('tells the tabs a status only when it differs from the one before', async () => {
    const browser = fakeBrowser()
    const leading = openMeshStatus(browser.edges.openChannel)
    const follower = openMeshStatus(browser.openTab().edges.openChannel)
    const heardHere: MeshStatus[] = []
    const heardThere: MeshStatus[] = []
    leading.status.subscribe((status) => heardHere.push(status))
    follower.status.subscribe((status) => heardThere.push(status))
    const publisher = leading.lead()
    // The mesh tells of each batch of sync progress, mostly with nothing changed: a copy each time.
    for (let batch = 0; batch < 5; batch++) publisher.publish(structuredClone(upToDate))
    const syncing: MeshStatus = { ...upToDate, overall: 'syncing' }
    publisher.publish(syncing)
    publisher.publish(structuredClone(syncing))
    await until(follower.status, (status) => status.overall === 'syncing')
    await idle()
    const overall = (heard: MeshStatus[]) => heard.map((status) => status.overall)
    expect(overall(heardHere)).toEqual(['connecting', 'up-to-date', 'syncing'])
    expect(overall(heardThere)).toEqual(['connecting', 'up-to-date', 'syncing'])
    leading.close()
    follower.close()
  })

  it('tells a status again in a new term, and answers a tab opened while it was unchanged', async () => {
    const browser = fakeBrowser()
    const leading = openMeshStatus(browser.edges.openChannel)
    const follower = openMeshStatus(browser.openTab().edges.openChannel)
    const first = leading.lead()
    first.publish(structuredClone(upToDate))
    first.publish(structuredClone(upToDate))
    await until(follower.status, (status) => status.overall === 'up-to-date')
    const later = openMeshStatus(browser.openTab().edges.openChannel)
    await until(later.status, (status) => status.overall === 'up-to-date')
    first.stepDown()
    await until(follower.status, (status) => status.overall === 'connecting')
    // The same status as the last one told in the term before: the tabs show connecting, so it is told again.
    leading.lead().publish(structuredClone(upToDate))
    await until(follower.status, (status) => status.overall === 'up-to-date')
    await until(later.status, (status) => status.overall === 'up-to-date')
    for (const channel of [leading, follower, later]) channel.close()
  })
})
