import { createContext, useContext } from 'solid-js'
import type { DevicesApi, SyncApi } from '../../client'

/** What the device screens need of the client; `Client` has both once it links devices. */
export interface DevicesUi {
  readonly devices: DevicesApi
  readonly sync: SyncApi
}

/**
 * Provided at the root beside the client (`mountApp`'s `devices`). Without it the app shows no link button, no join screen
 * and no sync status, so the screens can land before the client links devices.
 */
export const DevicesContext = createContext<DevicesUi | undefined>(undefined)

export const useDevices = (): DevicesUi | undefined => useContext(DevicesContext)
