import { err, ok, type Result } from '../../base'
import type { Echo, SpaceId } from '../../echo'
import type { LinkedInput } from '../../halo'
import type { IdentityService } from '../identity'
import { problem, type Problem } from '../problem-words'
import type { PersonalSpace } from './ports'

/**
 * What a link hands over of the identity's spaces, and what the new device does with it. The personal swarm's
 * secret is the mesh service's to keep (sealed per device in the personal root); until it hands it out here,
 * Allow is refused with words rather than a welcome B could not use.
 */
export const linkSpaces = (echo: Promise<Echo>, identity: IdentityService) => ({
  personal: (): Promise<Result<PersonalSpace, Problem>> => Promise.resolve(err(problem('link-needs-sync'))),
  /** Stores the linked identity, then starts adopting the personal space (its root comes over the mesh). */
  storeLinked: async (input: LinkedInput, personal: PersonalSpace): Promise<Result<void, Problem>> => {
    const stored = await identity.createLinked(input)
    if (!stored.ok) return stored
    const opened = await echo
    // The root arrives once the mesh joins the personal room; a refused root stores nothing.
    void opened.adoptSpace({
      identity: input.identityKey,
      spaceId: personal.spaceId as SpaceId,
      rootUrl: personal.rootUrl as Parameters<Echo['adoptSpace']>[0]['rootUrl'],
    })
    return ok(undefined)
  },
})
