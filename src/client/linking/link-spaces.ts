import { Cell, err, fromBase64Url, ok, systemClock, toBase64Url, toHex, type Result } from '../../base'
import type { Echo, SpaceId } from '../../echo'
import { signWith, swarmRoom, verifyPeerDevice, type HaloIdentity, type LinkedInput } from '../../halo'
import type { MeshSettings, TrysteroPage } from '../../mesh'
import type { IdentityService } from '../identity'
import { startMeshService } from '../mesh/mesh-service'
import { GENERATION } from '../mesh/space-room'
import { aadOf } from '../mesh/swarm-secrets'
import { problem, type Problem } from '../problem-words'
import type { PersonalSpace } from './ports'

export interface LinkSpacesOptions {
  readonly echo: Promise<Echo>
  readonly identity: IdentityService
  readonly page: TrysteroPage
  readonly settings: () => MeshSettings
}

/** Resolves when `ready` holds of `cell`, or refuses when `signal` aborts. */
const until = <T>(
  cell: { get(): T; subscribe(listener: (value: T) => void): () => void },
  ready: (value: T) => boolean,
  signal: AbortSignal,
): Promise<boolean> =>
  new Promise((resolve) => {
    if (ready(cell.get())) {
      resolve(true)
      return
    }
    const stop = cell.subscribe((value) => {
      if (!ready(value)) return
      stop()
      resolve(true)
    })
    signal.addEventListener('abort', () => {
      stop()
      resolve(false)
    })
  })

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
    const box = opened.value.swarmBoxes(spaceId).get().get(halo.deviceKey)
    const bytes = box === undefined ? undefined : fromBase64Url(box)
    const secret = bytes === undefined ? undefined : halo.openSealed(bytes, aadOf(spaceId))
    if (secret?.ok !== true) return err(problem('link-needs-sync'))
    return ok({ spaceId, rootUrl: row.rootUrl, secret: toBase64Url(secret.value) })
  },

  storeLinked: async (
    input: LinkedInput,
    personal: PersonalSpace,
    signal: AbortSignal,
  ): Promise<Result<void, Problem>> => {
    const echo = await options.echo
    const secret = fromBase64Url(personal.secret)
    if (secret === undefined) return err(problem('link-failed'))
    const spaceId = personal.spaceId as SpaceId
    const device = input.deviceKeyPair.publicKey
    const rooms = new Cell([{ spaceId, room: swarmRoom(secret, spaceId, GENERATION) }])
    const service = startMeshService({
      echo,
      identity: {
        identityKey: input.identityKey,
        deviceKey: device,
        chain: input.chain,
        signBytes: (bytes) => Promise.resolve(toHex(signWith(input.deviceKeyPair, bytes))),
        verifyChain: async (_spaceId, chain, peerDevice) => {
          const verified = await verifyPeerDevice(chain, peerDevice, { clock: systemClock, isRevoked: () => false })
          return verified.ok ? ok({ identity: verified.value.identity }) : err({ code: 'bad-chain' })
        },
        // Only the identity's own devices, in the personal room alone.
        admits: (room, peer) =>
          room === spaceId && peer.identity === input.identityKey ? undefined : { code: 'not-member' },
      },
      rooms,
      onAccessChange: () => () => undefined,
      settings: options.settings(),
      page: options.page,
      storage: null,
    })
    // The access rule learns the root's space before it asks for it, or the request would find no peer.
    const forget = service.access.expect(personal.rootUrl.replace(/^automerge:/, ''), spaceId)
    try {
      const adopted = await echo.adoptSpace(
        { identity: input.identityKey, spaceId, rootUrl: personal.rootUrl as never, personal: true },
        { signal },
      )
      if (!adopted.ok) return err(problem(adopted.error.code === 'aborted' ? 'aborted' : 'link-failed'))
      if (!(await until(adopted.value.swarmBoxes(spaceId), (boxes) => boxes.has(device), signal))) {
        return err(problem('aborted'))
      }
    } finally {
      forget()
      await service.stop()
    }
    return options.identity.createLinked(input)
  },
})
