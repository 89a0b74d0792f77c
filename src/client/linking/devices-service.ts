import { err, ok, toHex, type Clock, type Result } from '../../base'
import {
  decodeCredential,
  fingerprint,
  generateKeyPair,
  newLinkSecret,
  signWith,
  verifyCredential,
  type HaloIdentity,
  type IdentityKey,
  type LinkedInput,
  type PublicKey,
} from '../../halo'
import { type MeshSettings, type TrysteroPage, type WelcomeFrame } from '../../mesh'
import type { DevicesApi, LinkInvitation } from '../devices-api'
import type { Avatar } from '../identity-api'
import { problem, toProblem } from '../problem-words'
import { joinLink, type ReadInvitation } from './join'
import { latestProfile, linkEdges } from './link-edges'
import { offerLink } from './offer'
import type { Arrivals, LinkEdges, LinkResult, PersonalSpace } from './ports'

/** halo's link payload codec (`encodeDeviceLink`, `decodeJoinLink`); expiry in unix milliseconds. */
interface LinkCodec {
  encode(link: { identityKey: IdentityKey; secret: Uint8Array; expiresAt: number }): string
  decode(
    text: string,
  ): Result<{ kind: 'device'; identityKey: IdentityKey; secret: Uint8Array; expiresAt: number }, { code: string }>
}

export interface DevicesServiceOptions {
  readonly clock: Clock
  readonly after: (ms: number, fire: () => void) => () => void
  readonly page: TrysteroPage
  readonly settings: () => MeshSettings
  /** `location.origin`. */
  readonly origin: string
  readonly codec: LinkCodec
  /** The identity open in this tab, if any. */
  readonly current: () => HaloIdentity | undefined
  /** Whether this browser holds an identity (or is loading one): joining is for an empty profile only. */
  readonly hasIdentity: () => boolean
  /** The personal space with its swarm secret (the mesh service keeps the secrets). */
  readonly personal: (identity: HaloIdentity) => LinkResult<PersonalSpace>
  /** Stores the linked identity and registers the personal space; stores nothing on a refusal. */
  readonly storeLinked: (input: LinkedInput, personal: PersonalSpace, signal: AbortSignal) => LinkResult<Arrivals>
  /** The leader tab holds the rooms: a link room needs it on the joining side (see CONTEXT.md). */
  readonly takeLead: () => Promise<boolean>
}

const invitations = new WeakMap<LinkInvitation, ReadInvitation>()

/** `#/join/<payload>`, the payload alone, or a whole URL. */
const payloadOf = (fragment: string): string => {
  const at = fragment.lastIndexOf('/join/')
  return at === -1 ? fragment.trim() : fragment.slice(at + '/join/'.length).trim()
}

/** The host's Profile, if it verifies and is the identity's own. */
const profileOf = (
  profile: unknown,
  identity: IdentityKey,
  clock: Clock,
): { name: string; avatar: Avatar } | undefined => {
  const decoded = decodeCredential(profile)
  if (!decoded.ok) return undefined
  const verified = verifyCredential(decoded.value, { clock })
  if (!verified.ok || verified.value.issuer !== identity) return undefined
  const { assertion } = verified.value
  if (assertion.kind !== 'Profile') return undefined
  return { name: assertion.displayName, avatar: assertion.avatar }
}

/** `client.devices`: links offered from this device and joins from a link, over link rooms. */
export const createDevicesService = (options: DevicesServiceOptions): DevicesApi => {
  const edges = (isRevoked: (identity: PublicKey, device: PublicKey) => boolean): LinkEdges =>
    linkEdges(options.settings(), options.page, isRevoked, options.clock, options.after)

  return {
    offerLink: () => {
      const identity = options.current()
      if (identity === undefined) return Promise.resolve(err(problem('no-identity')))
      try {
        return Promise.resolve(
          offerLink({
            edges: edges((owner, device) => owner === identity.identityKey && identity.isRevoked(device)),
            host: {
              identityKey: identity.identityKey,
              deviceKey: identity.deviceKey,
              chain: identity.chain,
              sign: (bytes) => identity.signBytes(bytes),
              profile: latestProfile(identity),
              authorizeDevice: async (device, name) => {
                const authorized = await identity.authorizeDevice(device, name)
                return authorized.ok ? authorized : err(toProblem(authorized.error))
              },
              revokeDevice: async (device) => {
                const revoked = await identity.revokeDevice(device)
                return revoked.ok ? ok(undefined) : err(toProblem(revoked.error))
              },
              personal: () => options.personal(identity),
            },
            origin: options.origin,
            newSecret: newLinkSecret,
            encodeLink: (link) => options.codec.encode(link),
          }),
        )
      } catch (error) {
        return Promise.resolve(err(toProblem(error)))
      }
    },
    readLink: (fragment) => {
      const decoded = options.codec.decode(payloadOf(fragment))
      if (!decoded.ok) return err(problem(decoded.error.code))
      const { identityKey, secret, expiresAt } = decoded.value
      const read: ReadInvitation = { identityKey, secret, expiresAt, fingerprint: fingerprint(identityKey) }
      const invitation: LinkInvitation = {
        fingerprint: read.fingerprint,
        expiresAt,
        expired: options.clock.now() >= expiresAt,
      }
      invitations.set(invitation, read)
      return ok(invitation)
    },
    join: async (invitation) => {
      const read = invitations.get(invitation)
      if (read === undefined) return err(problem('malformed-link'))
      if (options.hasIdentity()) return err(problem('identity-exists'))
      // The joining tab holds the link room, then the personal room while it receives the personal space, then
      // (as the leader) the new identity's mesh: leading first keeps every room in this one tab. The offering
      // device needs no lead: its leader tab, whichever it is, serves the personal space and seals the new box.
      await options.takeLead()
      const pair = generateKeyPair<LinkedInput['deviceKeyPair']['publicKey']>()
      const store = (welcome: WelcomeFrame, signal: AbortSignal): LinkResult<Arrivals> =>
        options.storeLinked(
          {
            deviceKeyPair: pair,
            identityKey: read.identityKey,
            chain: welcome.chain,
            credentials: welcome.credentials,
          },
          welcome.personal,
          signal,
        )
      return ok(
        joinLink({
          // Nothing is revoked yet on a device with no identity; the host's chain is checked on its own.
          edges: edges(() => false),
          invitation: read,
          guest: {
            deviceKey: pair.publicKey,
            sign: (bytes) => Promise.resolve(toHex(signWith(pair, bytes))),
            verifyProfile: (profile, identity) => profileOf(profile, identity, options.clock),
            store,
          },
        }),
      )
    },
  }
}
