import { createSignal, onCleanup, type Accessor } from 'solid-js'

/**
 * In-app places live in the URL fragment (`#/settings`), which never reaches a
 * server: the same holds for invite links (`#/join/...`) that carry secrets.
 */
export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'settings' }
  | { readonly view: 'space'; readonly spaceId: string; readonly noteId?: string }

const SPACE = /^#\/space\/([0-9a-f]{64})(?:\/note\/([0-9a-f]{32}))?$/

export const parseRoute = (hash: string): Route => {
  if (hash === '#/settings') return { view: 'settings' }
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
  }
}

export const navigate = (route: Route): void => {
  location.hash = hrefOf(route)
}

export const createRoute = (): Accessor<Route> => {
  const [route, setRoute] = createSignal(parseRoute(location.hash))
  const follow = () => setRoute(parseRoute(location.hash))
  window.addEventListener('hashchange', follow)
  onCleanup(() => {
    window.removeEventListener('hashchange', follow)
  })
  return route
}
