import { createContext, useContext } from 'solid-js'
import type { Client } from '../client'

/** The one `Client` of the app, provided at the root so components need not pass it down. */
export const ClientContext = createContext<Client>()

export const useClient = (): Client => {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient is used outside <ClientContext.Provider>')
  return client
}
