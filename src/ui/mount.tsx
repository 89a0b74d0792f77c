import { render } from 'solid-js/web'
import type { Client } from '../client'
import { App } from './App'
import { ClientContext } from './client-context'
import './styles.css'

/** Renders the app into `root`; returns the function that unmounts it. */
export const mountApp = (root: HTMLElement, client: Client): (() => void) =>
  render(
    () => (
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>
    ),
    root,
  )
