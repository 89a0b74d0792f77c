import { render } from 'solid-js/web'
import type { Client } from '../client'
import { App } from './App'
import { ClientContext } from './client-context'
import { DevicesContext, type DevicesUi } from './devices/devices-context'
import './styles.css'

/**
 * Renders the app into `root`; returns the function that unmounts it. `devices` brings device
 * linking and sync status (`{ devices: client.devices, sync: client.sync }`); without it the app
 * shows neither.
 */
export const mountApp = (root: HTMLElement, client: Client, devices?: DevicesUi): (() => void) =>
  render(
    () => (
      <ClientContext.Provider value={client}>
        <DevicesContext.Provider value={devices}>
          <App />
        </DevicesContext.Provider>
      </ClientContext.Provider>
    ),
    root,
  )
