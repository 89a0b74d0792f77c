import { createSignal, onCleanup, type Accessor } from 'solid-js'

/**
 * In-app places live in the URL fragment (`#/settings`), which never reaches a
 * server: the same holds for invite links (`#/join/...`) that carry secrets.
 */
export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'settings' }
  | { readonly view: 'space'; readonly spaceId: string; readonly noteId?: string }
  /** A device link; `payload` is its secret, kept in memory only (see `createRoute`). */
  | { readonly view: 'join'; readonly payload: string }

const SPACE = /^#\/space\/([0-9a-f]{64})(?:\/note\/([0-9a-f]{32}))?$/
/** Base64url, bounded: the client reads what it says (a device link is 94 characters). */
const JOIN = /^#\/join\/([A-Za-z0-9_-]{1,512})$/

export const parseRoute = (hash: string): Route => {
  if (hash === '#/settings') return { view: 'settings' }
  const join = JOIN.exec(hash)
  if (join?.[1] !== undefined) return { view: 'join', payload: join[1] }
  const space = SPACE.exec(hash)
  if (space?.[1] !== undefined) {
    return space[2] === undefined
      ? { view: 'space', spaceId: space[1] }
      : { view: 'space', spaceId: space[1], noteId: space[2] }
  }
  return { view: 'home' }
}

export const hrefOf = (route: Route): string => {
  switch (route.view) {
    case 'home':
      return '#/'
    case 'settings':
      return '#/settings'
    case 'space':
      return route.noteId === undefined ? `#/space/${route.spaceId}` : `#/space/${route.spaceId}/note/${route.noteId}`
    case 'join':
      // Never writes a link's secret back into the address.
      return '#/join'
  }
}

/**
 * Reads the address; a link's secret is taken out of it at once (`#/join/<payload>` becomes
 * `#/join`, with no new history entry and no `hashchange`), so it is not left in the history, a
 * bookmark or a screenshot. The route keeps the payload in memory; a reload opens home.
 */
const readRoute = (): Route => {
  const route = parseRoute(location.hash)
  if (route.view === 'join') history.replaceState(history.state, '', hrefOf(route))
  return route
}

export const navigate = (route: Route): void => {
  location.hash = hrefOf(route)
}

export const createRoute = (): Accessor<Route> => {
  const [route, setRoute] = createSignal(readRoute())
  const follow = () => setRoute(readRoute())
  window.addEventListener('hashchange', follow)
  onCleanup(() => {
    window.removeEventListener('hashchange', follow)
  })
  return route
}
