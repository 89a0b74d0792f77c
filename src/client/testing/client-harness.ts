// The real client in Node for tests: started on fake edges, closed after each test.
import { afterEach } from 'vitest'
import { createClient, type Client } from '../client'
import type { BrowserEdges } from '../edges'
import type { SpaceSession } from '../spaces-api'
import { automergeWasmUrl, until } from './fake-edges'

/** Starts clients that are all closed after each test of the file that calls it. */
export const clientsClosedAfterEach = (): ((edges: BrowserEdges) => Promise<Client>) => {
  const wasm = automergeWasmUrl()
  const clients: Client[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
  })
  return async (edges) => {
    const client = createClient({ edges, automergeWasmUrl: wasm })
    clients.push(client)
    await client.start()
    return client
  }
}

export const expectOk = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`)
  return result.value
}

/** Opens the identity's personal space once the client lists it. */
export const personalSpace = async (client: Client): Promise<SpaceSession> => {
  const list = await until(client.spaces.list, (spaces) => spaces?.some((space) => space.personal) === true)
  const personal = list?.find((space) => space.personal)
  if (!personal) throw new Error('no personal space')
  return expectOk(await client.spaces.open(personal.id))
}
