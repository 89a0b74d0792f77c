/**
 * Hands a space to another identity in tests, until invitations do it (issue 12's invite part): the owner admits
 * the guest in the log, and the guest stores what an invitation's welcome would give it, as its own devices store
 * a space: the space listed in its personal root and the swarm secret sealed by its device to itself. Its mesh
 * then joins the space's room, where the owner's handshake admits it by the fold, and adopts the root.
 */
import { toBase64Url } from '../../base'
import type { SpaceId } from '../../echo'
import { IdentityStore, sealFor, swarmCommitment, type HaloIdentity, type SpaceRole } from '../../halo'
import { clientInternals, type Client } from '../client'
import { aadOf, signedBytesOf } from '../mesh/swarm-boxes'
import type { fakeBrowser } from './fake-edges'
import { until } from './fake-edges'
import { Polled } from './polled'

type Browser = ReturnType<typeof fakeBrowser>

/** HALO's identity of a browser profile, opened beside its client (as another tab would). */
export const haloOf = async (browser: Browser): Promise<HaloIdentity> => {
  const store = new IdentityStore({ locks: browser.edges.locks, databaseName: browser.databases.halo })
  const state = await store.load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  return state.identity
}

const echoOf = (client: Client) => {
  const internal = clientInternals(client)
  if (internal === undefined) throw new Error('no client internals')
  return internal.echo()
}

export const shareSpace = async (
  host: { client: Client; browser: Browser },
  guest: { client: Client; browser: Browser },
  spaceId: string,
  role: SpaceRole,
): Promise<void> => {
  const id = spaceId as SpaceId
  const hostHalo = await haloOf(host.browser)
  const guestHalo = await haloOf(guest.browser)
  const hostEcho = await echoOf(host.client)
  const space = await hostEcho.openSpace(id)
  if (!space.ok) throw space.error
  const admitted = space.value.admit(
    { identity: hostHalo.identityKey, signer: hostHalo.signer },
    guestHalo.identityKey,
    role,
  )
  if (!admitted.ok) throw admitted.error
  const flushed = await hostEcho.flush()
  if (!flushed.ok) throw flushed.error
  const row = (await hostEcho.listSpaces(hostHalo.identityKey)).find((each) => each.id === id)
  if (row === undefined) throw new Error('the host has no such space')
  const held = await until(
    new Polled(() => clientInternals(host.client)?.spaceSecret(id)),
    (value) => value !== undefined,
  )
  if (held === undefined) throw new Error('the host holds no secret of the space')

  // As an invitation's welcome does: the guest fetches the space from the host, whose membership it was shown.
  clientInternals(guest.client)?.expectMembers(id, [hostHalo.identityKey])
  const guestEcho = await echoOf(guest.client)
  const guestRow = (await guestEcho.listSpaces(guestHalo.identityKey)).find((each) => each.personal === 1)
  if (guestRow === undefined) throw new Error('the guest has no personal space')
  const personal = await guestEcho.openSpace(guestRow.id as SpaceId)
  if (!personal.ok) throw personal.error
  const actor = { identity: guestHalo.identityKey, signer: guestHalo.signer }
  const me = guestHalo.deviceKey
  const unsigned = {
    generation: held.generation,
    recipient: me,
    sealer: me,
    box: toBase64Url(sealFor(me, held.secret, aadOf(id, held.generation, me))),
    commitment: swarmCommitment(held.secret, id, held.generation),
  }
  const sig = await guestHalo.signBytes(signedBytesOf(id, unsigned))
  const boxed = personal.value.addSwarmBox(actor, id, { ...unsigned, sig })
  if (!boxed.ok) throw boxed.error
  const listed = personal.value.listSpace(actor, id, row.rootUrl as never)
  if (!listed.ok) throw listed.error
  const saved = await guestEcho.flush()
  if (!saved.ok) throw saved.error
}
