import { Cell, err, fromBase64Url, ok, systemClock, toBase64Url, toHex, until, type Result } from '../../base'
import type { Echo, Space, SpaceId } from '../../echo'
import {
  signWith,
  swarmCommitment,
  swarmRoom,
  trustedSet,
  verifyBytes,
  verifyPeerDevice,
  type HaloIdentity,
  type LinkedInput,
  type PublicKey,
} from '../../halo'
import type { MeshSettings, TrysteroPage } from '../../mesh'
import type { IdentityService } from '../identity'
import { deviceStorage } from '../mesh/device-storage'
import { startMeshService } from '../mesh/mesh-service'
import { readSpaceKeys, roomsOf } from '../mesh/swarm-boxes'
import { problem, type Problem } from '../problem-words'
import { arrivalsOf } from './arrivals'
import type { Arrivals, PersonalSpace } from './ports'

export interface LinkSpacesOptions {
  readonly echo: Promise<Echo>
  readonly identity: IdentityService
  readonly page: TrysteroPage
  readonly settings: () => MeshSettings
}

/**
 * What a link hands over of the identity's spaces. A reads the personal space and opens its own sealed box of
 * the personal swarm secret (the mesh seals one per device). B, before it stores the identity, joins the
 * personal room with the secret from the welcome and adopts the personal root, and waits for the box A's mesh
 * seals for it there: so the client's first attach finds the personal space (it does not make one of its own),
 * and the leader's mesh opens B's box like any other device's.
 */
export const linkSpaces = (options: LinkSpacesOptions) => ({
  personal: async (halo: HaloIdentity): Promise<Result<PersonalSpace, Problem>> => {
    const echo = await options.echo
    const row = (await echo.listSpaces(halo.identityKey)).find((each) => each.personal === 1)
    if (row === undefined) return err(problem('link-needs-sync'))
    const spaceId = row.id as SpaceId
    const opened = await echo.openSpace(spaceId)
    if (!opened.ok) return err(problem('link-needs-sync'))
    // The secret the mesh uses: A's own valid entries, read as the mesh reads them.
    const keys = readSpaceKeys(spaceId, opened.value.swarmBoxes(spaceId).get(), {
      me: halo.deviceKey,
      isLive: (device) => halo.devices().some((info) => info.key === device && info.revokedAt === undefined),
      isRevoked: (device) => halo.isRevoked(device),
      verify: verifyBytes,
      open: (box, aad) => halo.openSealed(box, aad),
      commitment: swarmCommitment,
    })
    const held = roomsOf(keys).current
    if (held === undefined) return err(problem('link-needs-sync'))
    return ok({ spaceId, rootUrl: row.rootUrl, generation: held.generation, secret: toBase64Url(held.secret) })
  },

  storeLinked: async (
    input: LinkedInput,
    personal: PersonalSpace,
    signal: AbortSignal,
  ): Promise<Result<Arrivals, Problem>> => {
    const echo = await options.echo
    const secret = fromBase64Url(personal.secret)
    if (secret === undefined) return err(problem('link-failed'))
    const spaceId = personal.spaceId as SpaceId
    const device = input.deviceKeyPair.publicKey
    // B holds no identity yet: the welcome's credentials are all it knows of the identity's revocations.
    const { revoked } = trustedSet(input.identityKey, input.credentials, systemClock)
    const isRevoked = (identity: PublicKey, peer: PublicKey): boolean =>
      identity === input.identityKey && revoked.has(peer)
    const { generation } = personal
    const rooms = new Cell([{ spaceId, generation, room: swarmRoom(secret, spaceId, generation) }])
    const service = startMeshService({
      echo,
      identity: {
        identityKey: input.identityKey,
        deviceKey: device,
        chain: input.chain,
        signBytes: (bytes) => Promise.resolve(toHex(signWith(input.deviceKeyPair, bytes))),
        verifyChain: async (_spaceId, chain, peerDevice) => {
          const verified = await verifyPeerDevice(chain, peerDevice, { clock: systemClock, isRevoked })
          return verified.ok ? ok({ identity: verified.value.identity }) : err({ code: 'bad-chain' })
        },
        // The identity's devices, in the personal room alone: their chains were checked against the welcome's
        // revocations. Refusing the others would not keep anything from them (they hold this space already), and
        // a refusal between two peers that stay connected through a third is not retried until one rejoins.
        admits: (room, peer) =>
          room === spaceId && peer.identity === input.identityKey ? undefined : { code: 'not-member' },
        mayWrite: (_room, writer) => writer === input.identityKey,
      },
      rooms,
      onAccessChange: () => () => undefined,
      settings: options.settings(),
      page: options.page,
      storage: await deviceStorage(echo, device),
    })
    // A failed join stores nothing: a personal space adopted for it goes again (unless it was here before).
    const wasHere = (await echo.listSpaces(input.identityKey)).some((row) => row.id === spaceId)
    const refuse = async (refusal: Problem): Promise<Result<never, Problem>> => {
      const forgot = wasHere ? undefined : await echo.forgetAdopted(spaceId)
      // The join's own problem is what the person reads; this one is for whoever investigates.
      if (forgot?.ok === false) console.warn('The personal space of a failed link stays on this device:', forgot.error)
      return err(refusal)
    }
    // The access rule learns the root's space before it asks for it, or the request would find no peer.
    const forget = service.access.expect(personal.rootUrl.replace(/^automerge:/, ''), spaceId)
    let space: Space
    try {
      const adopted = await echo.adoptSpace(
        { identity: input.identityKey, spaceId, rootUrl: personal.rootUrl as never, personal: true },
        { signal },
      )
      if (!adopted.ok) return err(problem(adopted.error.code === 'aborted' ? 'aborted' : 'link-failed'))
      space = adopted.value
      if (!(await until(space.swarmBoxes(spaceId), (boxes) => boxes.some((box) => box.recipient === device), signal))) {
        return await refuse(problem('aborted'))
      }
    } finally {
      forget()
      await service.stop()
    }
    const stored = await options.identity.createLinked(input)
    if (!stored.ok) return refuse(stored.error)
    return ok(arrivalsOf(echo, input.identityKey, space))
  },
})
