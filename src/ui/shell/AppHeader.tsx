import type { Accessor, Component } from 'solid-js'
import { hrefOf, type Route } from '../router'
import { StatusBar } from './StatusBar'

const NavLink: Component<{ to: Route; current: Route; label: string }> = (props) => (
  <a href={hrefOf(props.to)} aria-current={props.current.view === props.to.view ? 'page' : undefined}>
    {props.label}
  </a>
)

export const AppHeader: Component<{ route: Accessor<Route> }> = (props) => (
  <header class="header">
    <div class="brand">
      <img src="/icons/icon.svg" alt="" width="40" height="40" />
      <div>
        <h1>Commonplace</h1>
        <p class="tagline">
          Notes and tasks on your own devices, shared directly with the people you choose. No account, no server holding
          your data.
        </p>
      </div>
    </div>
    <StatusBar />
    <nav class="nav" aria-label="Main">
      <NavLink to={{ view: 'home' }} current={props.route()} label="Home" />
      <NavLink to={{ view: 'settings' }} current={props.route()} label="Settings" />
    </nav>
  </header>
)
