/**
 * Hosting invitations (issue 12): while its mesh runs, a member who may admit (`share`) joins the room of every
 * invitation of its spaces before its `until` (the room comes from the invitation's rendezvous secret R_K, which the
 * inviter keeps in the root signed by the invite key, and each device keeps once verified, whatever the root later
 * holds: echo's `kept-invitation-rooms.ts`; K is never stored in the space, and the log names no room), and admits
 * the guest who proves K: hello -> offer, accept -> the guest's admission checked (`checkInvitationUse`, then the
 * fold's preview) and appended -> welcome with the space swarm's secret. Any such member hosts, not only the inviter.
 */
import { err, ok, toBase64Url, type Clock, type Result } from '../../base'
import {
  can,
  checkInvitationUse,
  MAX_ENTRY_PARENTS,
  type Actor,
  type Invitation,
  type MembershipState,
  type Space,
  type SpaceId,
} from '../../echo'
import { decodeCredential, verifyCredential, type Credential, type IdentityKey, type PublicKey } from '../../halo'
import {
  INVITE_CHANNEL,
  MAX_LOG_ENTRIES,
  readInviteFrame,
  runHandshake,
  writeInviteFrame,
  type AuthenticatedPeer,
  type HandshakeContext,
  type Refused,
} from '../../mesh'
import { roomParty, type LinkEdges, type LinkRoom } from '../linking/ports'
import { GuestConnections } from './guest-connections'
import { offerBudget } from './offer-budget'

/** This device's identity as a host needs it. */
interface InviteHost {
  /** Signs the countersignature that admits a guest (rule 8: a use counts only countersigned by a host). */
  readonly actor: Actor
  readonly identityKey: IdentityKey
  readonly deviceKey: PublicKey
  readonly chain: unknown
  sign(bytes: Uint8Array): Promise<string>
  /** The identity's latest signed Profile credential, shown to the guest when this identity invited. */
  profile(): unknown
}

export interface HostInvitationsOptions {
  readonly host: InviteHost
  readonly edges: LinkEdges
  /** The spaces open in the mesh now. */
  readonly spaces: () => Iterable<Space>
  /** Calls the listener when the spaces or their membership changed. */
  readonly onChange: (listener: () => void) => () => void
  readonly rootUrlOf: (spaceId: SpaceId) => string | undefined
  /** The space swarm's current secret this device holds. */
  readonly secret: (spaceId: SpaceId) => { readonly generation: number; readonly secret: Uint8Array } | undefined
  /** halo's verifyPeerDevice with the space's and HALO's revocations. */
  readonly verifyChain: (
    spaceId: SpaceId,
    chain: unknown,
    device: PublicKey,
  ) => ReturnType<LinkEdges['verifyPeerDevice']>
}

/** How long a room stays after it is no longer hosted (past `until`, or this member may no longer share). */
const CLOSE_AFTER_MS = 10_000

/**
 * Whether a host keeps an invitation's room: until its `until`, even once cancelled or used up, so a guest who
 * comes late hears why ("already used", "cancelled") rather than finding nobody. Past `until` the guest reads
 * the expiry from its own link.
 */
const hosting = (invitation: Invitation, now: number): boolean => now <= invitation.until

/** Whether `entry` is the admission the invitation allows for `guest`: signed by I_K, its role, this space. */
const isAdmission = (
  entry: Credential,
  invitation: Invitation,
  spaceId: SpaceId,
  guest: PublicKey,
  clock: Clock,
): boolean => {
  // Its signature; its parents (the delegation, the heads) the fold judges when it previews the entry.
  const verified = verifyCredential(entry, { clock, hasCredential: () => true })
  const { assertion } = entry
  return (
    verified.ok &&
    entry.issuer === invitation.key &&
    entry.subject === guest &&
    assertion.kind === 'SpaceMember' &&
    (assertion.space as string) === spaceId &&
    assertion.role === invitation.role &&
    entry.parents.includes(invitation.id)
  )
}

/**
 * Whether every parent of the guest's entry is in the log and they are few: checked before the fold's preview,
 * which costs a fold of the whole log (54 ms at 303 entries) for an entry naming a parent nobody has.
 */
const namesKnownParents = (entry: Credential, state: MembershipState): boolean => {
  if (entry.parents.length > MAX_ENTRY_PARENTS) return false
  const known = new Set<string>(state.applied)
  for (const ignored of state.ignored) known.add(ignored.id)
  return entry.parents.every((parent) => known.has(parent))
}

/** One invitation's room, hosted until `close`. */
const hostOne = (
  options: HostInvitationsOptions,
  space: Space,
  opened: Invitation,
  rendezvous: Uint8Array,
): { close(): void } => {
  const { edges, host } = options
  const spaceId = space.id
  const invitationId = opened.id as string
  const ctx: HandshakeContext = { kind: 'invite', spaceId, inviteKey: opened.key }
  // Per guest connection: its answer and how often it was sent. The guest says hello every second until a host
  // offers, and a frame sent before it let us in is lost, so a few repeats are answered; the rest get nothing.
  // A waiting connection's turn in the room's line: answered unasked (review 15 J5).
  const budget = offerBudget({ now: () => edges.clock.now(), after: edges.after, turn: (peerId) => greet(peerId) })
  const guests = new GuestConnections(edges.after, (peerId) => {
    budget.leave(peerId)
  })
  const invitation = (): Invitation | undefined =>
    space.membership.get().invitations.find((each) => each.id === invitationId)
  const authorize = (_ctx: HandshakeContext, peer: AuthenticatedPeer): Promise<Result<void, Refused>> => {
    if (!peer.invited || peer.identity === null) return Promise.resolve(err({ code: 'not-invited' }))
    // A host that may no longer admit (demoted, removed) stops at once, whatever the room still shows.
    if (!can(space.roleOf(host.identityKey), 'share')) return Promise.resolve(err({ code: 'not-member' }))
    return Promise.resolve(ok(undefined))
  }
  const { roomId, password } = edges.invitationRoom(spaceId, rendezvous)
  const room: LinkRoom = edges.openRoom({ roomId, password }, async (peerId, send, receive, isInitiator) => {
    const outcome = await runHandshake({
      ctx,
      roomPassword: password,
      local: roomParty(room.selfId, edges.repoId(host.deviceKey), host),
      remotePeerId: peerId,
      send,
      receive,
      isInitiator,
      verifyChain: (chain, device) => options.verifyChain(spaceId, chain, device),
      authorize,
    })
    if (outcome.ok) guests.passed(peerId, outcome.value)
    return outcome
  })
  const channel = room.channel(INVITE_CHANNEL)
  const send = (peerId: string, frame: Parameters<typeof writeInviteFrame>[0]): void => {
    channel.send(writeInviteFrame(frame), peerId).catch(() => undefined)
  }
  /** The log the guest folds to check we may admit it (more than a frame holds: it cannot, and waits for another). */
  const proof = (): unknown[] => space.logValues().slice(0, MAX_LOG_ENTRIES)
  /** The inviter's signed Profile: ours, or the one the inviter signed into the log (the guest verifies it). */
  const profileOf = (inviter: PublicKey): unknown => {
    if (inviter === host.identityKey) return host.profile()
    const id = space.profiles().get(inviter)?.id
    return (id === undefined ? undefined : space.entry(id)) ?? null
  }
  /** The invitation's verdict for this guest now; 'already-member' still gets the space (it is theirs). */
  const verdict = (guest: PublicKey): Result<Invitation, { code: string }> => {
    const checked = checkInvitationUse(space.membership.get(), invitationId as never, edges.clock.now(), guest)
    if (checked.ok) return checked
    const known = invitation()
    if (checked.error.code === 'already-member' && known !== undefined) return ok(known)
    return err({ code: checked.error.code })
  }
  const welcome = (peerId: string): void => {
    const rootUrl = options.rootUrlOf(spaceId)
    const held = options.secret(spaceId)
    if (rootUrl === undefined || held === undefined) {
      // Not in the space's swarm yet here: another host (or this one, later) can welcome the guest.
      send(peerId, { v: 1, t: 'refused', code: 'host-not-ready' })
      return
    }
    send(peerId, { v: 1, t: 'welcome', rootUrl, generation: held.generation, secret: toBase64Url(held.secret) })
  }
  // The offer's bytes for the log as it is now: the same for every guest (the role is the invitation's), so a
  // flood of new connections costs one serialization per change of the log, not one per guest.
  let written: { state: MembershipState; name: string; bytes: string } | undefined
  const offerBytes = (role: Invitation['role'], inviter: PublicKey): string => {
    const state = space.membership.get()
    if (written?.state !== state || written.name !== space.name) {
      const bytes = writeInviteFrame({
        v: 1,
        t: 'offer',
        spaceName: space.name,
        role,
        delegation: space.entry(invitationId) ?? null,
        profile: profileOf(inviter),
        heads: [...state.heads].slice(0, 64),
        log: proof(),
      })
      written = { state, name: space.name, bytes }
    }
    return written.bytes
  }
  /**
   * The answer to a guest that proved K, the same bytes each time for one connection (its hello, or unasked once
   * Trystero lets it in): the offer with the log, or for an invitation cancelled, used up or expired, a short
   * refusal without it (review 13 G3, G8: a dead link's K got the whole log, names and all, once per hello).
   */
  const answerOf = (peerId: string, guest: PublicKey): string | undefined => {
    const checked = verdict(guest)
    if (!checked.ok) return writeInviteFrame({ v: 1, t: 'refused', code: checked.error.code })
    // The log only within the room's and this identity's offers (review 14 H2); a refusal is a few bytes.
    if (!budget.take(peerId, guest)) return undefined
    return offerBytes(checked.value.role, checked.value.inviter)
  }
  const busy = (): string => writeInviteFrame({ v: 1, t: 'refused', code: 'host-busy' })
  const offer = (peerId: string, guest: PublicKey): void => {
    const bytes = guests.answer(peerId, () => answerOf(peerId, guest), busy)
    if (bytes !== undefined) channel.send(bytes, peerId).catch(() => undefined)
  }
  // Trystero lets each side in at its own moment and a frame from a peer not let in yet is dropped: a hello sent
  // before we let the guest in is lost, so we offer as soon as we do rather than wait for its next, a second later.
  const greet = (peerId: string): void => {
    const guest = guests.guest(peerId)?.identity
    if (guest != null) offer(peerId, guest)
  }
  const stopGreeting = room.authenticated.subscribe((peers) => {
    for (const peerId of guests.present(peers)) greet(peerId)
  })
  const stopFrames = channel.subscribe((data, peerId) => {
    const guest = guests.guest(peerId)
    if (guest?.identity == null) return
    const frame = readInviteFrame(data, 'guest')
    if (frame === undefined) return
    if (frame.t === 'hello') {
      offer(peerId, guest.identity)
    } else if (frame.t === 'accept') {
      const checked = verdict(guest.identity)
      if (!checked.ok) {
        send(peerId, { v: 1, t: 'refused', code: checked.error.code })
        return
      }
      if (space.roleOf(guest.identity) === checked.value.role) {
        welcome(peerId)
        return
      }
      // One admission per guest connection: whatever its outcome, this peer is not answered again (a refused
      // guest may not make the host fold the log frame after frame).
      guests.judging(peerId)
      const decoded = decodeCredential(frame.member)
      if (
        !decoded.ok ||
        !isAdmission(decoded.value, checked.value, spaceId, guest.identity, edges.clock) ||
        !namesKnownParents(decoded.value, space.membership.get())
      ) {
        send(peerId, { v: 1, t: 'refused', code: 'invitation-refused' })
        return
      }
      // This host countersigns the use (K alone admits nobody); the fold judges the pair by the log's order: a
      // use another host countersigned first wins, and nothing is written. The guest hears the fold's reason.
      const admitted = space.admitGuest(host.actor, decoded.value)
      if (!admitted.ok) {
        send(peerId, { v: 1, t: 'refused', code: admitted.error.reason ?? 'invitation-refused' })
        return
      }
      guests.admitted(peerId, guest)
      welcome(peerId)
    }
  })
  return {
    close: () => {
      stopGreeting()
      stopFrames()
      budget.stop()
      room.leave().catch(() => undefined)
    },
  }
}

/** Hosts every live invitation of the spaces this identity may share in; returns the stop. */
export const hostInvitations = (options: HostInvitationsOptions): (() => void) => {
  const hosted = new Map<string, { close(): void }>()
  const closing = new Map<string, () => void>()
  const watched = new Map<SpaceId, () => void>()
  let stopped = false
  const refresh = (): void => {
    if (stopped) return
    const wanted = new Map<string, { space: Space; invitation: Invitation; rendezvous: Uint8Array }>()
    const now = options.edges.clock.now()
    for (const space of options.spaces()) {
      if (space.personal) continue
      if (!watched.has(space.id)) {
        // An invitation and its rendezvous come in separate changes of the root, in either order.
        const stops = [space.membership.subscribe(refresh), space.invitationRooms.subscribe(refresh)]
        watched.set(space.id, () => {
          for (const stop of stops) stop()
        })
      }
      if (!can(space.roleOf(options.host.identityKey), 'share')) continue
      for (const invitation of space.membership.get().invitations) {
        // An invitation whose inviter may no longer grant it admits nobody: its room is left. One without a
        // rendezvous signed by its key (made before rooms came from R_K, or junk) has no room to host.
        const secret = space.invitationRooms.get().get(invitation.key)
        if (hosting(invitation, now) && invitation.inviterMay && secret !== undefined) {
          wanted.set(`${space.id}:${invitation.id}`, { space, invitation, rendezvous: secret })
        }
      }
    }
    for (const [key, room] of hosted) {
      if (wanted.has(key) || closing.has(key)) continue
      // Not at once: a welcome may be going out in that room right now.
      closing.set(
        key,
        options.edges.after(CLOSE_AFTER_MS, () => {
          closing.delete(key)
          room.close()
          hosted.delete(key)
        }),
      )
    }
    for (const key of wanted.keys()) {
      closing.get(key)?.()
      closing.delete(key)
    }
    for (const [key, { space, invitation, rendezvous: secret }] of wanted) {
      if (hosted.has(key)) continue
      hosted.set(key, hostOne(options, space, invitation, secret))
    }
  }
  const stopChange = options.onChange(refresh)
  refresh()
  // The next `until` passes without any change to the log: look again then, so its room is left.
  let cancelTimer = (): void => undefined
  const arm = (): void => {
    cancelTimer()
    const now = options.edges.clock.now()
    const next = Math.min(
      ...[...options.spaces()].flatMap((space) =>
        space.membership
          .get()
          .invitations.map((each) => each.until)
          .filter((until) => until >= now),
      ),
    )
    if (!Number.isFinite(next)) return
    cancelTimer = options.edges.after(next - now + 1, () => {
      refresh()
      arm()
    })
  }
  arm()
  const stopArming = options.onChange(arm)
  return () => {
    stopped = true
    stopChange()
    stopArming()
    cancelTimer()
    for (const stop of watched.values()) stop()
    for (const cancel of closing.values()) cancel()
    for (const room of hosted.values()) room.close()
    hosted.clear()
  }
}
