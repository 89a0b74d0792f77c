// A refused save (a full disk) in the real client, in Node: the change is taken back, so what the list shows,
// what the document holds and what a reload finds all say it was not made, as the action's words do.
import { fakeBrowser, refuseWrites, until } from './testing/fake-edges'
import { describe, expect, it } from 'vitest'
import { clientsClosedAfterEach, expectOk, personalSpace } from './testing/client-harness'
import type { LiveList, TaskView } from './spaces-api'

const start = clientsClosedAfterEach()

/** The tasks a list shows, as "title" or "title (done)". */
const shown = (tasks: readonly TaskView[] | undefined): string[] =>
  (tasks ?? []).map((task) => (task.done ? `${task.title} (done)` : task.title))

/** Waits until `list` shows `expected` (the index may still be writing the last change). */
const showing = async (list: LiveList<TaskView>, expected: readonly string[]): Promise<string[]> =>
  shown(await until(list, (tasks) => shown(tasks).join('|') === expected.join('|')))

/** A person with two tasks, and a full disk that can be switched on and off. */
const twoTasks = async () => {
  const browser = fakeBrowser()
  const client = await start(browser.edges)
  expectOk(await client.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop'))
  const space = await personalSpace(client)
  const water = expectOk(await space.createTask('Water the plants'))
  const cat = expectOk(await space.createTask('Feed the cat'))
  return { browser, client, space, water, cat }
}

/**
 * Writes allowed again, one more change that saves (a rename: another document than the tasks', so
 * only the queued changes carry the tasks' document to the disk), then a reload: the tasks it finds.
 */
const afterNextSaveAndReload = async (setup: Awaited<ReturnType<typeof twoTasks>>): Promise<string[]> => {
  expectOk(await setup.space.rename('Home'))
  setup.space.close()
  await setup.client.close()
  const reloaded = await start(setup.browser.edges)
  const again = await personalSpace(reloaded)
  const list = again.tasks('')
  const tasks = shown(await until(list, (value) => value !== undefined))
  list.close()
  again.close()
  return tasks
}

describe('a change whose save the browser refused', () => {
  it('a tick: the action fails, the list shows it not done, and after the next save and a reload it is still not done', async () => {
    const setup = await twoTasks()
    const list = setup.space.tasks('')
    const allow = refuseWrites(setup.browser.databases.echo)
    const refused = await setup.space.updateTask(setup.water, { done: true })
    allow()
    expect(refused).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
    expect(!refused.ok && refused.error.message).toContain('was not saved')
    expect(await showing(list, ['Water the plants', 'Feed the cat'])).toEqual(['Water the plants', 'Feed the cat'])
    list.close()
    expect(await afterNextSaveAndReload(setup)).toEqual(['Water the plants', 'Feed the cat'])
  })

  it('a new task: it is not listed, then or after a reload', async () => {
    const setup = await twoTasks()
    const allow = refuseWrites(setup.browser.databases.echo)
    const refused = await setup.space.createTask('Not saved')
    allow()
    expect(refused).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
    const list = setup.space.tasks('')
    expect(await showing(list, ['Water the plants', 'Feed the cat'])).toEqual(['Water the plants', 'Feed the cat'])
    list.close()
    expect(await afterNextSaveAndReload(setup)).toEqual(['Water the plants', 'Feed the cat'])
  })

  it('an undone delete (the toast’s Undo): the task stays gone, then and after a reload; a later Undo brings it back', async () => {
    const setup = await twoTasks()
    expectOk(await setup.space.remove(setup.cat))
    const allow = refuseWrites(setup.browser.databases.echo)
    const refused = await setup.space.restore(setup.cat)
    allow()
    expect(refused).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
    const list = setup.space.tasks('')
    expect(await showing(list, ['Water the plants'])).toEqual(['Water the plants'])
    expect(await afterNextSaveAndReload(setup)).toEqual(['Water the plants'])
    list.close()
  })

  it('an Undo tried again once there is room succeeds, and the reload keeps it', async () => {
    const setup = await twoTasks()
    expectOk(await setup.space.remove(setup.cat))
    const allow = refuseWrites(setup.browser.databases.echo)
    expect((await setup.space.restore(setup.cat)).ok).toBe(false)
    allow()
    expectOk(await setup.space.restore(setup.cat))
    expect(await afterNextSaveAndReload(setup)).toEqual(['Water the plants', 'Feed the cat'])
  })
})
