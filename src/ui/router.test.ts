import { describe, expect, it } from 'vitest'
import { hrefOf, parseRoute, type Route } from './router'

const SPACE = 'ab'.repeat(32)
const NOTE = 'cd'.repeat(16)

describe('parseRoute', () => {
  it('reads home, settings, a space and a note in a space', () => {
    expect(parseRoute('')).toEqual({ view: 'home' })
    expect(parseRoute('#/')).toEqual({ view: 'home' })
    expect(parseRoute('#/settings')).toEqual({ view: 'settings' })
    expect(parseRoute(`#/space/${SPACE}`)).toEqual({ view: 'space', spaceId: SPACE })
    expect(parseRoute(`#/space/${SPACE}/note/${NOTE}`)).toEqual({ view: 'space', spaceId: SPACE, noteId: NOTE })
  })

  it('sends anything it does not know home: wrong lengths, capitals, extra parts, other places', () => {
    for (const hash of [
      `#/space/${SPACE.slice(1)}`,
      `#/space/${SPACE}0`,
      `#/space/${SPACE.toUpperCase()}`,
      `#/space/${SPACE}/note/${NOTE.slice(1)}`,
      `#/space/${SPACE}/note/`,
      `#/space/${SPACE}/`,
      `#/space/${SPACE}?x=1`,
      `#/space/${'zz'.repeat(32)}`,
      '#/settings/',
      '#settings',
      '#/join',
      '#/join/',
      '#/join/a+b',
      `#/join/${'a'.repeat(513)}`,
      '#/join/abc/def',
      `/space/${SPACE}`,
    ]) {
      expect(parseRoute(hash), hash).toEqual({ view: 'home' })
    }
  })

  it('reads a device link and keeps its payload, which hrefOf never writes back', () => {
    const payload = 'AQIx_-'.repeat(15)
    expect(parseRoute(`#/join/${payload}`)).toEqual({ view: 'join', payload })
    expect(hrefOf({ view: 'join', payload })).toBe('#/join')
  })

  it('reads back every route hrefOf writes', () => {
    const routes: Route[] = [
      { view: 'home' },
      { view: 'settings' },
      { view: 'space', spaceId: SPACE },
      { view: 'space', spaceId: SPACE, noteId: NOTE },
    ]
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route)
  })
})
