import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Echo } from './echo'
import type { Query } from './query/query'
import { makeActor, openTestEcho } from './testing/fixtures'
import { repoOf, rootOf } from './testing/internals'

const alice = makeActor()
const byOrder: Query = { type: 'task', sort: { by: 'order' } }

describe('an object document whose `objects` is not a map, listed by a member', () => {
  let echo: Echo | undefined
  afterEach(async () => {
    await echo?.close()
    echo = undefined
  })

  it.each([[null], ['junk'], [42], [['a', 'b']]])(
    'is no object document: the space still lists, indexes and places objects (%j)',
    async (objects) => {
      echo = openTestEcho()
      const space = await echo.createSpace(alice, 'Garden')
      await space.create(alice, 'task', { title: 'first', done: false, order: 'a0' })
      const live = space.query(byOrder)
      // What an editor's device can write: a document of the objects kind with anything under `objects`, listed.
      const junk = repoOf(echo).create({ kind: 'commonplace/objects', space: space.id, objects })
      rootOf(space).change((doc) => {
        doc.documents[junk.documentId] = 'objects'
      })
      await space.refresh()
      const second = await space.create(alice, 'task', { title: 'second', done: false, order: 'a1' })
      expect(second.ok).toBe(true)
      await echo.settled()
      expect((await space.find(byOrder)).map((task) => task.fields.title)).toEqual(['first', 'second'])
      await vi.waitFor(() => {
        const state = live.get()
        expect(state.status === 'ready' ? state.objects.map((task) => task.fields.title) : []).toEqual([
          'first',
          'second',
        ])
      })
      // Nothing was written into it.
      expect(junk.doc().objects).toEqual(objects)
      live.close()
    },
  )
})
