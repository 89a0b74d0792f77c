import { expect, it, vi } from 'vitest'
import { makeActor, openTestEcho } from '../testing/fixtures'
import { rootOf } from '../testing/internals'

it('a root key that is no document id is never counted as an object document still to receive', async () => {
  const echo = openTestEcho()
  const space = await echo.createSpace(makeActor(), 'Ada')
  // A member may write any string as a key of the root's list: none is fetched, so none can ever be done.
  rootOf(space).change((doc) => {
    ;(doc.documents as Record<string, string>)['not an id'] = 'objects'
  })
  await vi.waitFor(() => {
    const { objects } = space.receiving.get()
    expect(objects.done).toBe(objects.total)
  })
})
