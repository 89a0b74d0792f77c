import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isKnownActionType, TRYSTERO_ACTION_TYPES } from './action-types'
import { defaultMeshSettings } from './mesh-config'
import { joinSwarm, type TrysteroPage } from './swarm'
import { FakeTrystero } from './testing/fake-trystero'

const trysteroSource = (file: string): string =>
  readFileSync(new URL(`../../node_modules/@trystero-p2p/core/dist/${file}`, import.meta.url), 'utf8')

describe('the action types a connection may carry', () => {
  it('are exactly Trystero’s own, read from its source: an upgrade that adds one fails here, not in a browser', () => {
    const room = [...trysteroSource('room.mjs').matchAll(/internalNs\("([a-z]+)"\)/g)].map(
      (match) => `@_${match[1] ?? ''}`,
    )
    const actions = [...trysteroSource('actions.mjs').matchAll(/makeInternalAction\("(@_[a-z]+)"\)/g)].map(
      (match) => match[1] ?? '',
    )
    expect(new Set([...room, ...actions])).toEqual(TRYSTERO_ACTION_TYPES)
    expect(isKnownActionType('@_zz')).toBe(false)
    expect(isKnownActionType('cp.bind')).toBe(true)
  })

  it('include every channel any swarm made, and every swarm makes each of them in each of its rooms', async () => {
    const network = new FakeTrystero()
    const made: string[][] = []
    // Bob's page, which records the actions each of its rooms makes.
    const real = network.page()
    const page: TrysteroPage = {
      selfId: real.selfId,
      join: (config, roomId, callbacks) => {
        const room = real.join(config, roomId, callbacks)
        const names: string[] = []
        made.push(names)
        const makeAction = room.makeAction.bind(room)
        room.makeAction = ((name: string, actionConfig: never) => {
          names.push(name)
          return makeAction(name, actionConfig)
        }) as typeof room.makeAction
        return room
      },
    }
    const options = {
      every: () => () => undefined,
      after: () => () => undefined,
      online: { subscribe: () => () => undefined },
    }
    const alice = joinSwarm(
      defaultMeshSettings({}),
      { roomId: 'a-room', password: 's' },
      { ...options, page: network.page() },
    )
    const bob = joinSwarm(defaultMeshSettings({}), { roomId: 'b-room', password: 's' }, { ...options, page })
    expect(isKnownActionType('cp.only-alice')).toBe(false)
    alice.channel('cp.only-alice')
    expect(isKnownActionType('cp.only-alice')).toBe(true)
    // Bob never asked for it, yet his room has an action for it: a peer's frames of it are dropped there, not kept.
    expect(made[0]).toContain('cp.only-alice')
    expect(made[0]).toContain('cp.met')
    await Promise.all([alice.leave(), bob.leave()])
  })
})
