import { can, lostWelcomes, type Actor, type Space, type SpaceId } from '../../echo'
import type { IdentityKey, PublicKey } from '../../halo'
import type { SharedSpaces } from './swarm-secrets'

/** Log entries that exclude someone who held the secret: each one asks for a generation drawn after it. */
const EXCLUSIONS: ReadonlySet<string> = new Set(['MemberRemoved', 'DeviceRevoked'])

export interface SharedSpacesOptions {
  readonly actor: Actor
  /** A space open here (undefined while not). */
  readonly spaceOf: (spaceId: SpaceId) => Space | undefined
  /** Calls its listener whenever membership or revocations may have changed. */
  readonly onAccessChange: (listener: () => void) => () => void
}

/**
 * Shared spaces as the swarm secrets ask them. Other members' devices are known only by a handshake in the space's
 * room (the peer proved its chain, checked against HALO's and the space's revocations, and the fold let it in), so
 * an entry's sealer counts only while its identity is a member who may write and its device is not revoked: a
 * removed member's entries, or a stranger's, are ignored. `met` is told of each peer let in.
 */
export const sharedSpaces = (
  options: SharedSpacesOptions,
): SharedSpaces & { met(spaceId: SpaceId, device: PublicKey, identity: IdentityKey): void } => {
  const { actor, spaceOf } = options
  const known = new Map<SpaceId, Map<PublicKey, IdentityKey>>()
  const listeners = new Set<() => void>()
  // An id is the hash of its entry: its kind never changes, so it is read from the log once.
  const kinds = new Map<string, string | undefined>()
  const sharedOf = (spaceId: SpaceId): Space | undefined => {
    const space = spaceOf(spaceId)
    return space === undefined || space.personal ? undefined : space
  }
  const identityOf = (spaceId: SpaceId, device: PublicKey): IdentityKey | undefined => known.get(spaceId)?.get(device)
  const isMemberDevice = (space: Space, identity: IdentityKey, device: PublicKey): boolean =>
    space.roleOf(identity) !== undefined && !space.isDeviceRevoked(device)
  return {
    boxes: (spaceId) => sharedOf(spaceId)?.swarmBoxes(spaceId),
    add: (spaceId, entry) => {
      // Refused only when this identity lost the right to write meanwhile: the next refresh no longer seals there.
      sharedOf(spaceId)?.addSwarmBox(actor, spaceId, entry)
    },
    maySeal: (spaceId) => can(sharedOf(spaceId)?.roleOf(actor.identity), 'write'),
    devices: (spaceId) => {
      const space = sharedOf(spaceId)
      if (space === undefined) return []
      return [...(known.get(spaceId) ?? [])]
        .filter(([device, identity]) => isMemberDevice(space, identity, device))
        .map(([device]) => device)
    },
    isSealer: (spaceId, device) => {
      const space = sharedOf(spaceId)
      const identity = identityOf(spaceId, device)
      return (
        space !== undefined &&
        identity !== undefined &&
        isMemberDevice(space, identity, device) &&
        can(space.roleOf(identity), 'write')
      )
    },
    isExcluded: (spaceId, device) => {
      const space = sharedOf(spaceId)
      if (space === undefined) return false
      if (space.isDeviceRevoked(device)) return true
      const identity = identityOf(spaceId, device)
      return identity !== undefined && space.roleOf(identity) === undefined
    },
    floor: (spaceId) => {
      const space = sharedOf(spaceId)
      if (space === undefined) return 0
      const state = space.membership.get()
      // A host that lost its guest's admission (a race for the last use, a cancellation) still welcomed it.
      let exclusions = lostWelcomes(state).length
      for (const id of state.applied) {
        if (!kinds.has(id)) kinds.set(id, space.entry(id)?.assertion.kind)
        if (EXCLUSIONS.has(kinds.get(id) ?? '')) exclusions++
      }
      return 1 + exclusions
    },
    excludedBy: (spaceId) => {
      const space = sharedOf(spaceId)
      const applied = space?.membership.get().applied ?? []
      for (const id of [...applied].reverse()) {
        const entry = space?.entry(id)
        if (EXCLUSIONS.has(entry?.assertion.kind ?? '')) return entry?.proof.signer
      }
      return undefined
    },
    onChange: (listener) => {
      listeners.add(listener)
      const stopAccess = options.onAccessChange(listener)
      return () => {
        listeners.delete(listener)
        stopAccess()
      }
    },
    met: (spaceId, device, identity) => {
      // Kept even before the space is open here (its room may come first): the fold judges the identity at each use.
      if (identity === actor.identity) return
      const devices = known.get(spaceId) ?? new Map<PublicKey, IdentityKey>()
      if (devices.get(device) === identity) return
      devices.set(device, identity)
      known.set(spaceId, devices)
      for (const listener of [...listeners]) listener()
    },
  }
}
