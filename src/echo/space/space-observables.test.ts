// What the client reads of a space without reaching into Automerge: its name and each key's role, as observables.
// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { SpaceRole } from '../../halo'

describe('a space as observables', () => {
  it('tells its name now and after each rename, until unsubscribed', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Work')
    const heard: string[] = []
    const stop = space.liveName.subscribe((name) => heard.push(name))
    expect(space.liveName.get()).toBe('Work')
    expect(space.rename(alice, 'Office').ok).toBe(true)
    stop()
    expect(space.rename(alice, 'Home').ok).toBe(true)
    expect(heard).toEqual(['Office'])
    expect(space.liveName.get()).toBe('Home')
    await echo.close()
  })

  it("tells a key's role as the membership changes, and nothing when others change", async () => {
    const echo = openTestEcho()
    const [alice, bob, carol] = [makeActor(), makeActor(), makeActor()]
    const space = await echo.createSpace(alice, 'Work')
    const role = space.role(bob.identity)
    const heard: (SpaceRole | undefined)[] = []
    role.subscribe((value) => heard.push(value))
    expect(role.get()).toBeUndefined()
    expect(space.admit(alice, bob.identity, 'editor').ok).toBe(true)
    expect(space.admit(alice, carol.identity, 'viewer').ok).toBe(true)
    expect(space.admit(alice, bob.identity, 'admin').ok).toBe(true)
    expect(space.remove(alice, bob.identity).ok).toBe(true)
    expect(heard).toEqual(['editor', 'admin', undefined])
    await echo.close()
  })
})
