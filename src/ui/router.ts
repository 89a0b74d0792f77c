import { createSignal, onCleanup, type Accessor } from 'solid-js'

/**
 * In-app places live in the URL fragment (`#/settings`), which never reaches a
 * server: the same holds for invite links (`#/join/...`) that carry secrets.
 */
export type Route = { readonly view: 'home' } | { readonly view: 'settings' }

export const parseRoute = (hash: string): Route => (hash === '#/settings' ? { view: 'settings' } : { view: 'home' })

export const hrefOf = (route: Route): string => (route.view === 'settings' ? '#/settings' : '#/')

export const createRoute = (): Accessor<Route> => {
  const [route, setRoute] = createSignal(parseRoute(location.hash))
  const follow = () => setRoute(parseRoute(location.hash))
  window.addEventListener('hashchange', follow)
  onCleanup(() => {
    window.removeEventListener('hashchange', follow)
  })
  return route
}
