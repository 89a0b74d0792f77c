// The real client in Node for tests: started on fake edges, closed after each test.
import { afterEach } from 'vitest'
import { clientInternals, createClient, type Client } from '../client'
import type { BrowserEdges } from '../edges'
import type { LinkJoin } from '../devices-api'
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

/**
 * Links `to` (a fresh profile) from `from` through the client's own flow: a link offered, read and joined, this
 * device's name, Allow. Resolves with the join once it ended, linked or not: the caller says which it expects.
 */
export const linkDevice = async (from: Client, to: Client, name: string): Promise<LinkJoin> => {
  await until(to.identity.state, (state) => state.kind === 'none')
  const offer = expectOk(await from.devices.offerLink())
  const join = expectOk(await to.devices.join(expectOk(to.devices.readLink(offer.url))))
  await until(join.state, (state) => state.kind === 'found')
  expectOk(await join.request(name))
  await until(offer.state, (state) => state.kind === 'confirm')
  offer.allow()
  await until(join.state, (state) => state.kind === 'linked' || state.kind === 'failed')
  return join
}

/** The client's ECHO (its spaces' documents and logs), for tests that read below the client's API. */
export const echoOf = async (client: Client) => {
  const echo = await clientInternals(client)?.echo()
  if (echo === undefined) throw new Error('no client internals')
  return echo
}
