/** `client.invites`: invitations of a space (create, list, cancel) and joining a space from an invitation link. */
import { Cell, err, fromBase64Url, ok, toHex, until, type Clock, type Result } from '../../base'
import { can, invitationRoomEntry, type Echo, type Space, type SpaceId } from '../../echo'
import {
  decodeCredential,
  decodeJoinLinkOf,
  encodeSpaceLink,
  generateKeyPair,
  issueCredential,
  signWith,
  invitationKey,
  newLinkSecret,
  verifyCredential,
  type HaloIdentity,
  type IdentityKey,
  type PublicKey,
} from '../../halo'
import type { MeshSettings, TrysteroPage } from '../../mesh'
import type { IdentityService } from '../identity'
import { DEFAULT_AVATAR, LIMITS } from '../limits'
import { linkEdges } from '../linking/link-edges'
import { attempt, problem, type Problem } from '../problem-words'
import { joinInvite, type ProvedHost } from './join-invite'
import type { Welcomes } from './welcomes'
import type { InviteJoin, InviteJoinState, InvitesApi, OpenInvitation, ReadInvite } from './invites-api'

/** A day, the default; at most a week. */
const DEFAULT_INVITE_MS = 24 * 60 * 60_000
const MAX_INVITE_MS = 7 * 24 * 60 * 60_000

export interface InvitesServiceOptions {
  readonly clock: Clock
  readonly echo: Promise<Echo>
  readonly identity: IdentityService
  readonly page: TrysteroPage
  readonly settings: () => MeshSettings
  /** `location.origin`. */
  readonly origin: string
  /**
   * Spaces being joined here by invitation, with the members who may write by the log the host proved: the peers
   * the leader's mesh fetches the space from.
   */
  readonly invited: Map<string, Set<string>>
  /** Their welcomes, held in memory for the leader's mesh until the space's root is here. */
  readonly welcomed: Welcomes
  /** The leader tab holds the rooms: the joining tab leads, so the space's swarm is joined here. */
  readonly takeLead: () => Promise<boolean>
}

interface Link {
  readonly spaceId: SpaceId
  readonly secret: Uint8Array
}

const reads = new WeakMap<ReadInvite, Link>()

/** The name of the device a guest with no identity joins from (renamed in Settings, like any device). */
const DEVICE_NAME = 'This device'

/** A join that ended before it began (already a member here). */
const settledJoin = (last: InviteJoinState): InviteJoin => ({
  state: new Cell(last),
  accept: () => Promise.resolve(ok(undefined)),
  cancel: () => undefined,
})

const profileOf = (profile: unknown, inviter: PublicKey, clock: Clock) => {
  const decoded = decodeCredential(profile)
  if (!decoded.ok) return undefined
  const verified = verifyCredential(decoded.value, { clock })
  if (!verified.ok || verified.value.issuer !== inviter || verified.value.assertion.kind !== 'Profile') return undefined
  return { name: verified.value.assertion.displayName, avatar: verified.value.assertion.avatar }
}

export const createInvitesService = (options: InvitesServiceOptions): InvitesApi => {
  const { clock } = options
  const withSpace = async <T>(
    spaceId: string,
    act: (space: Space, halo: HaloIdentity) => Promise<Result<T, Problem>> | Result<T, Problem>,
  ): Promise<Result<T, Problem>> =>
    attempt(async () => {
      const halo = options.identity.current
      if (halo === undefined) return err(problem('no-identity'))
      const opened = await (await options.echo).openSpace(spaceId as SpaceId)
      if (!opened.ok) return err(problem('space-not-found'))
      return act(opened.value, halo)
    })

  const personalOf = async (echo: Echo, halo: HaloIdentity): Promise<Space | undefined> => {
    const row = (await echo.listSpaces(halo.identityKey)).find((each) => each.personal === 1)
    if (row === undefined) return undefined
    const opened = await echo.openSpace(row.id as SpaceId)
    return opened.ok ? opened.value : undefined
  }

  const isHere = async (link: Link, halo: HaloIdentity): Promise<boolean> =>
    (await (await options.echo).listSpaces(halo.identityKey)).some((row) => row.id === link.spaceId)

  /** Joins as `halo`, the identity of this browser, meeting only `only`, the host a peek proved. */
  const joinAs = async (link: Link, halo: HaloIdentity, only: ProvedHost): Promise<InviteJoin> => {
    const echo = await options.echo
    const rows = echo.spaces(halo.identityKey)
    // Already a member here: nothing to join, the space opens.
    if (await isHere(link, halo)) {
      rows.close()
      return settledJoin({ kind: 'joined', spaceId: link.spaceId })
    }
    await options.takeLead()
    const actor = { identity: halo.identityKey, signer: halo.signer }
    const joining = joinInvite({
      edges: linkEdges(
        options.settings(),
        options.page,
        (owner, device) => owner === halo.identityKey && halo.isRevoked(device),
        clock,
      ),
      spaceId: link.spaceId,
      secret: link.secret,
      only,
      guest: {
        identityKey: halo.identityKey,
        deviceKey: halo.deviceKey,
        chain: halo.chain,
        sign: (bytes) => halo.signBytes(bytes),
        verifyProfile: (profile, inviter) => profileOf(profile, inviter, clock),
        expectHosts: (spaceId, hosts) => {
          const expected = options.invited.get(spaceId) ?? new Set<string>()
          const added = hosts.filter((host) => !expected.has(host))
          for (const host of added) expected.add(host)
          options.invited.set(spaceId, expected)
          return () => {
            for (const host of added) expected.delete(host)
            if (expected.size === 0) options.invited.delete(spaceId)
          }
        },
        hold: (spaceId, welcome) => {
          const secret = fromBase64Url(welcome.secret)
          if (secret === undefined) return () => undefined
          return options.welcomed.hold(spaceId, { rootUrl: welcome.rootUrl, generation: welcome.generation, secret })
        },
        arrived: async (spaceId, signal) => {
          signal.addEventListener('abort', () => {
            rows.close()
          })
          const here = await until(rows, (list) => list?.some((row) => row.id === spaceId) === true, signal).finally(
            () => {
              rows.close()
            },
          )
          const row = here ? (await echo.listSpaces(halo.identityKey)).find((each) => each.id === spaceId) : undefined
          const personal = row === undefined ? undefined : await personalOf(echo, halo)
          // Adopted from that root, which admits us. A listing already there stays: the mesh adopted the root it
          // names, not the welcome's (review 14, H6).
          if (row !== undefined) personal?.listSpace(actor, spaceId, row.rootUrl as never)
          return here
        },
      },
    })
    return joining
  }

  /**
   * A throwaway identity (in memory only) meets a host so the screen can show who invited whom to what; Join then
   * joins as the real identity (`existing`, or one made with the name given when there is none) with the host the
   * peek proved, and with nobody else. Review 13 G7: opening a link sent the real identity key, device key, chain and
   * storage id to whoever stood in its room (anyone can make a link and wait in its room), before any check and
   * with no click. A failed or abandoned join before Join stores nothing.
   */
  const preview = (link: Link, existing?: HaloIdentity): InviteJoin => {
    const identity = generateKeyPair<IdentityKey>()
    const device = generateKeyPair()
    const chain = issueCredential({
      issuer: identity.publicKey,
      subject: device.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: { key: identity },
      clock,
    })
    const edges = linkEdges(options.settings(), options.page, () => false, clock)
    const peek = joinInvite({
      edges,
      spaceId: link.spaceId,
      secret: link.secret,
      guest: {
        identityKey: identity.publicKey,
        deviceKey: device.publicKey,
        chain,
        sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
        verifyProfile: (profile, inviter) => profileOf(profile, inviter, clock),
        expectHosts: () => () => undefined,
        // The peek never accepts (Join joins again as the real identity), so it is never welcomed.
        hold: () => () => undefined,
        arrived: () => Promise.resolve(false),
      },
    })
    const state = new Cell<InviteJoinState>(peek.state.get())
    let stop = peek.state.subscribe((next) => {
      state.set(next)
    })
    let real: InviteJoin | undefined
    const accept = async (displayName: string | undefined): Promise<Result<void, Problem>> => {
      const shown = state.get()
      const host = peek.chosen()
      if (shown.kind !== 'found' || host === undefined || real !== undefined)
        return err(problem('invitation-not-ready'))
      if (existing === undefined) {
        const created = await options.identity.create(
          { displayName: displayName ?? '', avatar: DEFAULT_AVATAR },
          DEVICE_NAME,
        )
        if (!created.ok) return created
      }
      const halo = existing ?? options.identity.current
      if (halo === undefined) return err(problem('no-identity'))
      stop()
      peek.cancel()
      state.set({ kind: 'joining', spaceName: shown.spaceName })
      // The same room is joined again as the real identity: only once the peek's room is gone.
      await peek.left()
      const joining = await joinAs(link, halo, host)
      real = joining
      stop = joining.state.subscribe((next) => {
        if (next.kind === 'found') void joining.accept()
        else if (next.kind !== 'looking' && next.kind !== 'unreachable' && next.kind !== 'joining') state.set(next)
      })
      const now = joining.state.get()
      if (now.kind === 'found') return joining.accept()
      if (now.kind === 'joined' || now.kind === 'failed') state.set(now)
      return ok(undefined)
    }
    return {
      state,
      accept: (acceptOptions) => attempt(() => accept(acceptOptions?.displayName)),
      cancel: () => {
        stop()
        peek.cancel()
        real?.cancel()
      },
    }
  }

  const join = async (read: ReadInvite): Promise<Result<InviteJoin, Problem>> => {
    const link = reads.get(read)
    if (link === undefined) return err(problem('malformed-link'))
    if (clock.now() > read.expiresAt) return err(problem('invitation-expired'))
    if (options.identity.state.get().kind === 'none') return ok(preview(link))
    const halo = options.identity.current
    if (halo === undefined) return err(problem('no-identity'))
    if (await isHere(link, halo)) return ok(settledJoin({ kind: 'joined', spaceId: link.spaceId }))
    return ok(preview(link, halo))
  }

  return {
    create: (spaceId, request) =>
      withSpace(spaceId, (space, halo) => {
        const uses = request.uses ?? 1
        const ttl = request.expiresInMs ?? DEFAULT_INVITE_MS
        if (!Number.isInteger(uses) || uses < 1 || uses > LIMITS.invitationUses)
          return err(problem('invalid-input', 'uses'))
        if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_INVITE_MS) return err(problem('invalid-input', 'expiry'))
        if (!can(space.roleOf(halo.identityKey), 'share')) return err(problem('not-allowed'))
        const secret = newLinkSecret()
        const until = clock.now() + ttl
        const issued = space.invite(
          { identity: halo.identityKey, signer: halo.signer },
          { key: invitationKey(secret).publicKey, role: request.role, uses, until },
          invitationRoomEntry(space.id, secret),
        )
        if (!issued.ok) return err(problem('not-allowed', 'role'))
        const payload = encodeSpaceLink({ spaceId: space.id as string as PublicKey, secret, expiresAt: until })
        secret.fill(0)
        return ok({ id: issued.value.id, url: `${options.origin}/#/join/${payload}`, expiresAt: until })
      }),

    open: (spaceId) =>
      withSpace(spaceId, (space) => {
        const list = (): readonly OpenInvitation[] =>
          space.membership
            .get()
            .invitations.filter(
              (each) => !each.cancelled && each.inviterMay && each.usesLeft > 0 && clock.now() <= each.until,
            )
            .map((each) => ({
              id: each.id,
              role: each.role,
              uses: each.uses,
              usesLeft: each.usesLeft,
              expiresAt: each.until,
            }))
        const cell = new Cell(list())
        const stop = space.membership.subscribe(() => {
          const next = list()
          if (JSON.stringify(next) !== JSON.stringify(cell.get())) cell.set(next)
        })
        return ok({ get: () => cell.get(), subscribe: (listener) => cell.subscribe(listener), close: stop })
      }),

    cancel: (spaceId, id) =>
      withSpace(spaceId, (space, halo) => {
        const invitation = space.membership.get().invitations.find((each) => each.id === id)
        if (invitation === undefined) return err(problem('invitation-unknown'))
        const cancelled = space.cancelInvitation({ identity: halo.identityKey, signer: halo.signer }, invitation.key)
        return cancelled.ok ? ok(undefined) : err(problem('not-allowed'))
      }),

    read: (url) => {
      const decoded = decodeJoinLinkOf('space', url)
      if (!decoded.ok) return err(problem(decoded.error.code))
      const { spaceId, secret, expiresAt } = decoded.value
      const read: ReadInvite = { spaceId, expiresAt, expired: clock.now() > expiresAt }
      reads.set(read, { spaceId: spaceId as string as SpaceId, secret })
      return ok(read)
    },

    join: (read) => attempt(() => join(read)),
  }
}
