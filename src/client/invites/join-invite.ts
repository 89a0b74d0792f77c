/**
 * The guest's side of an invitation (issue 12): joins the invitation's room with its own identity, proves K in the
 * handshake (ctx `invite`), shows who invited it to what once a host offers, and on accept sends its admission
 * signed by the invite key. A host's words count only once its log proves it may admit (`proofOf`): anyone who
 * saw the link can be in its room. Nothing is stored from the welcome either: `hold` keeps it in memory, the mesh
 * joins its room and adopts its root, and only a root whose log admits this identity is kept (its secret and listing
 * then go into the personal space as for any space of the identity's).
 */
import { Cell, err, ok, type Result } from '../../base'
import {
  can,
  checkInvitationUse,
  foldMembership,
  issueInvitationUse,
  type Invitation,
  type MembershipState,
  type SpaceId,
} from '../../echo'
import {
  decodeCredential,
  fingerprint,
  invitationKey,
  inviteRendezvous,
  type IdentityKey,
  type PublicKey,
} from '../../halo'
import {
  HandshakeRefusal,
  INVITE_CHANNEL,
  readInviteFrame,
  runHandshake,
  writeInviteFrame,
  type AuthenticatedPeer,
  type HandshakeContext,
  type InviteOffer,
  type InviteRefusal,
  type InviteWelcome,
  type Refused,
} from '../../mesh'
import type { Avatar } from '../identity-api'
import { roomParty, type LinkEdges } from '../linking/ports'
import { problem, toProblem, type Problem } from '../problem-words'
import { foldGate, type FoldOutcome } from './fold-gate'
import type { InviteJoin, InviteJoinState, Inviter } from './invites-api'
import { mayProve } from './offer-precheck'

/** With nobody found after this long, the guest says nobody from the space is online (and keeps looking). */
const UNREACHABLE_AFTER_MS = 8_000
const HELLO_EVERY_MS = 1_000
/**
 * Frames read from one host connection (review 14 H1): a host sends its answer at most 3 times, then a welcome or a
 * refusal; each frame may be 2 MiB of JSON to parse, so a connection that streams them is not read past this.
 */
const MAX_FRAMES_PER_HOST = 16

/** The guest's identity on this device. */
interface InviteGuest {
  readonly identityKey: IdentityKey
  readonly deviceKey: PublicKey
  readonly chain: unknown
  sign(bytes: Uint8Array): Promise<string>
  /** The inviter's Profile credential, if it verifies as the inviter's own. */
  verifyProfile(profile: unknown, inviter: PublicKey): { name: string; avatar: Avatar } | undefined
  /**
   * Marks the identities the mesh meets in the space's swarm before the space is here: the members who may write
   * by the log the host proved (a viewer's or a stranger's root changes would pass unscreened while it is fetched).
   */
  expectHosts(spaceId: SpaceId, hosts: readonly PublicKey[]): () => void
  /**
   * Holds the welcome in memory for the mesh, in place of an earlier one into the space (review 13 G5: a host's
   * welcome is checked only by the root it leads to). Returns its release.
   */
  hold(spaceId: SpaceId, welcome: InviteWelcome): () => void
  /**
   * Resolves once the space is on this device: adopted from its swarm, its root's log admitting this identity;
   * then its listing names that root, in place of any other.
   */
  arrived(spaceId: SpaceId, signal: AbortSignal): Promise<boolean>
}

/** A host a peek proved (`proofOf`): its connection's Trystero id, its identity and the device it proved. */
export interface ProvedHost {
  readonly peerId: string
  readonly identity: PublicKey
  readonly device: PublicKey
}

export interface JoinInviteOptions {
  readonly edges: LinkEdges
  readonly spaceId: SpaceId
  readonly secret: Uint8Array
  readonly guest: InviteGuest
  /**
   * Meet only this host (review 13 G7): the real identity joins after a throwaway one proved the host and the person
   * clicked Join, and its Hello (identity, device, chain, storage id) goes to no other peer in the room: not to
   * another peer id, nor (review 16) to one answering under that id whose Hello names another identity or device,
   * and its Proof (chain, invite signature) only once that device signed the handshake (`runHandshake`'s `expect`).
   */
  readonly only?: ProvedHost
}

/** Host refusals as the guest's problem codes (their words are in problem-words.ts). */
const REFUSALS = new Set([
  'invitation-unknown',
  'invitation-cancelled',
  'invitation-expired',
  'invitation-used',
  'inviter-cannot-grant',
  'would-downgrade',
  'invitation-refused',
])

/** What a host's log proves to the guest: the space's membership and the link's invitation in it. */
interface Proof {
  readonly state: MembershipState
  readonly invitation: Invitation
}

/**
 * Folds the log a host sent, from the genesis the link's space key signed: undefined unless the host may admit
 * (`share`) by it and the link's invitation took effect in it. Anyone who saw the link can join its room and
 * answer; only a member who may admit can show a log that says so (its entries are signed, from the space key
 * down), so a stranger's offer, refusal or welcome is never believed.
 */
const proofOf = (
  log: readonly unknown[],
  spaceId: SpaceId,
  host: PublicKey,
  inviteKey: PublicKey,
): Proof | undefined => {
  const state = foldMembership(spaceId, log)
  const role = state.members.find((member) => member.key === host)?.role
  if (state.genesis === undefined || !can(role, 'share')) return undefined
  const invitation = state.invitations.find((each) => each.key === inviteKey)
  return invitation === undefined ? undefined : { state, invitation }
}

/** The members who may write by the proved log: the peers the guest fetches the space from. */
const writersOf = (state: MembershipState): PublicKey[] =>
  state.members.filter((member) => can(member.role, 'write')).map((member) => member.key)

/** The offer's delegation, if it is the proved invitation's: the credential its profile and parents rest on. */
const delegationOf = (offer: InviteOffer, invitation: Invitation): boolean => {
  const decoded = decodeCredential(offer.delegation)
  return decoded.ok && decoded.value.id === invitation.id && offer.role === invitation.role
}

/**
 * The join, when its room has been left (a room joined again before that is Trystero's cached one), and the host
 * whose offer it shows (a peek's, for the real join to meet only that host).
 */
export type RunningJoin = InviteJoin & { left(): Promise<void>; chosen(): ProvedHost | undefined }

export const joinInvite = (options: JoinInviteOptions): RunningJoin => {
  const { edges, guest, spaceId } = options
  const state = new Cell<InviteJoinState>({ kind: 'looking' })
  const keys = edges.linkRoom(options.secret)
  const signer = invitationKey(options.secret)
  const ctx: HandshakeContext = { kind: 'invite', spaceId, inviteKey: keys.inviteKey }
  const hosts = new Map<string, AuthenticatedPeer>()
  // Per host connection: the frames read from it, and whether its offer was taken to be checked (one per connection).
  const reads = new Map<string, number>()
  const judged = new Set<string>()
  const gate = foldGate({ after: edges.after })
  const chosen: { peerId?: string; offer?: InviteOffer; proof?: Proof } = {}
  let ended = false
  const stops: (() => void)[] = []
  const arrival = new AbortController()
  stops.push(() => {
    arrival.abort()
    gate.stop()
  })

  const { only } = options
  const authorize = (_ctx: HandshakeContext, peer: AuthenticatedPeer): Promise<Result<void, Refused>> => {
    // A host proved its identity's chain; whether it may admit us its log proves in its offer (`proofOf`).
    if (peer.invited || peer.identity === null) return Promise.resolve(err({ code: 'wrong-role' }))
    if (only !== undefined && peer.identity !== only.identity) return Promise.resolve(err({ code: 'wrong-role' }))
    return Promise.resolve(ok(undefined))
  }
  // From K (R_K): the log the guest is sent names no invitation's room (review 13 G4).
  const { roomId, password } = edges.invitationRoom(spaceId, inviteRendezvous(options.secret))
  const room = edges.openRoom({ roomId, password }, async (peerId, send, receive, isInitiator) => {
    // Not the proved host: no handshake, so nothing of ours is sent to it.
    if (only !== undefined && peerId !== only.peerId) return err(new HandshakeRefusal('wrong-role'))
    const outcome = await runHandshake({
      ctx,
      roomPassword: password,
      local: {
        ...roomParty(room.selfId, edges.repoId(guest.deviceKey), guest),
        signInvite: (bytes) => keys.signInvite(bytes),
      },
      remotePeerId: peerId,
      send,
      receive,
      isInitiator,
      verifyChain: edges.verifyPeerDevice,
      authorize,
      ...(only === undefined ? {} : { expect: { identity: only.identity, device: only.device } }),
    })
    // Hello waits for Trystero to let the host in: a frame sent before that goes nowhere.
    if (outcome.ok) hosts.set(peerId, outcome.value)
    return outcome
  })
  const channel = room.channel(INVITE_CHANNEL)
  let leaving: Promise<void> | undefined
  const end = (last: InviteJoinState | undefined): void => {
    if (ended) return
    ended = true
    if (last !== undefined) state.set(last)
    for (const stop of stops.splice(0)) stop()
    leaving = room.leave().catch(() => undefined)
  }
  const fail = (code: string): void => {
    end({ kind: 'failed', problem: problem(code) })
  }
  const send = (peerId: string, frame: Parameters<typeof writeInviteFrame>[0]): void => {
    channel.send(writeInviteFrame(frame), peerId).catch(() => undefined)
  }
  stops.push(
    edges.after(UNREACHABLE_AFTER_MS, () => {
      if (state.get().kind === 'looking') state.set({ kind: 'unreachable' })
    }),
  )
  /** Whether no host has been chosen yet: still looking, nobody answered, or only refusals nobody proved. */
  const seeking = (): boolean => {
    const kind = state.get().kind
    return kind === 'looking' || kind === 'unreachable' || kind === 'refused'
  }
  // Says hello to every host let in, at once and then every second until one offers: a host may let us in a
  // moment after we let it in, and drop our first hello (it also offers unasked then, see host-invitations.ts).
  let stopHello = (): void => undefined
  stops.push(() => {
    stopHello()
  })
  const hello = (): void => {
    stopHello()
    if (ended || !seeking()) return
    for (const peerId of hosts.keys()) send(peerId, { v: 1, t: 'hello' })
    stopHello = hosts.size > 0 ? edges.after(HELLO_EVERY_MS, hello) : () => undefined
  }
  let present: ReadonlyMap<string, AuthenticatedPeer> = new Map()
  stops.push(
    room.authenticated.subscribe((peers) => {
      const arrived = [...peers.keys()].some((peerId) => hosts.has(peerId) && !present.has(peerId))
      present = peers
      for (const peerId of [...hosts.keys()]) {
        if (peers.has(peerId)) continue
        hosts.delete(peerId)
        reads.delete(peerId)
        judged.delete(peerId)
      }
      if (arrived) hello()
      const kind = state.get().kind
      // The host that offered went away before the welcome: look for another one.
      if (chosen.peerId !== undefined && !hosts.has(chosen.peerId) && (kind === 'found' || kind === 'joining')) {
        delete chosen.peerId
        state.set({ kind: 'looking' })
        hello()
      }
    }),
  )
  const welcomed = async (welcome: InviteWelcome, spaceName: string, proof: Proof): Promise<void> => {
    state.set({ kind: 'receiving', spaceName })
    stops.push(guest.expectHosts(spaceId, writersOf(proof.state)))
    const release = guest.hold(spaceId, welcome)
    // Kept once joined, until the mesh sealed its secret here; a join given up lets it go.
    stops.push(() => {
      if (state.get().kind !== 'joined') release()
    })
    if (!(await guest.arrived(spaceId, arrival.signal))) return
    end({ kind: 'joined', spaceId })
  }
  /** The invitation's verdict by a proved log and our clock: 'already-member' still opens the space. */
  const verdictOf = (proof: Proof): string | undefined => {
    const checked = checkInvitationUse(proof.state, proof.invitation.id, edges.clock.now(), guest.identityKey)
    return checked.ok || checked.error.code === 'already-member' ? undefined : checked.error.code
  }
  /** Folds a host's offer once the gate lets it (the join may have moved on since it came). */
  const folded = (frame: InviteOffer, peerId: string, host: PublicKey): FoldOutcome => {
    if (ended || !seeking() || !hosts.has(peerId)) return 'skipped'
    const proof = proofOf(frame.log, spaceId, host, keys.inviteKey)
    if (proof === undefined || !delegationOf(frame, proof.invitation)) return 'refuted'
    const refused = verdictOf(proof)
    if (refused !== undefined) {
      fail(REFUSALS.has(refused) ? refused : 'invitation-refused')
      return 'proved'
    }
    const shown = guest.verifyProfile(frame.profile, proof.invitation.inviter)
    const inviter: Inviter = {
      name: shown?.name,
      avatar: shown?.avatar,
      fingerprint: fingerprint(proof.invitation.inviter),
    }
    chosen.peerId = peerId
    chosen.offer = frame
    chosen.proof = proof
    state.set({ kind: 'found', spaceName: frame.spaceName, role: proof.invitation.role, inviter })
    return 'proved'
  }
  /**
   * One offer per host connection is looked at (the host's repeats are the same bytes), and only one that may
   * prove its host by a few signatures (`mayProve`) is folded, when the gate lets it (review 14 H1: a stranger who
   * answered every hello with a 1,500-entry log blocked the guest's tab 6.8 s of 8.4).
   */
  const offered = (frame: InviteOffer, peerId: string, host: PublicKey): void => {
    if (!mayProve(frame, { spaceId, inviteKey: keys.inviteKey, host })) {
      judged.add(peerId)
      return
    }
    if (gate.offer(host, () => folded(frame, peerId, host))) judged.add(peerId)
  }
  /**
   * A refusal ends the join only from the host we chose (its log proved it). Before that anyone in the room may
   * say it: it is shown (`refused`) and the guest keeps looking (a real host's offer still comes through).
   */
  const refusedBy = (frame: InviteRefusal, peerId: string): void => {
    // Not a verdict on the invitation: this host cannot answer now (see host-invitations.ts).
    if (frame.code === 'host-not-ready' || frame.code === 'host-busy') return
    const code = REFUSALS.has(frame.code) ? frame.code : 'invitation-refused'
    if (chosen.peerId !== undefined) {
      if (chosen.peerId === peerId) fail(code)
      return
    }
    if (seeking()) state.set({ kind: 'refused', problem: problem(code) })
  }
  stops.push(
    channel.subscribe((data, peerId) => {
      const host = hosts.get(peerId)
      if (ended || host?.identity == null) return
      // Only the chosen host is heard once one offered, and nobody's offer twice; each frame read is parsed JSON.
      const chosenOne = chosen.peerId === peerId
      if (!chosenOne && (!seeking() || judged.has(peerId))) return
      const read = (reads.get(peerId) ?? 0) + 1
      reads.set(peerId, read)
      if (read > MAX_FRAMES_PER_HOST) return
      const frame = readInviteFrame(data, 'host')
      if (frame === undefined) return
      const kind = state.get().kind
      if (frame.t === 'offer' && seeking()) {
        offered(frame, peerId, host.identity)
      } else if (frame.t === 'refused') {
        refusedBy(frame, peerId)
      } else if (frame.t === 'welcome' && kind === 'joining' && chosen.peerId === peerId && chosen.proof) {
        welcomed(frame, chosen.offer?.spaceName ?? '', chosen.proof).catch((error: unknown) => {
          end({ kind: 'failed', problem: toProblem(error) })
        })
      }
    }),
  )

  const accept = (): Result<void, Problem> => {
    const current = state.get()
    const peerId = chosen.peerId
    const offer = chosen.offer
    const proof = chosen.proof
    if (ended || current.kind !== 'found' || peerId === undefined || offer === undefined || proof === undefined) {
      return err(problem('invitation-not-ready'))
    }
    const member = issueInvitationUse({
      invitationKey: signer,
      space: spaceId,
      invitation: proof.invitation.id,
      heads: offer.heads as never,
      guest: guest.identityKey,
      role: current.role,
      clock: edges.clock,
    })
    state.set({ kind: 'joining', spaceName: current.spaceName })
    send(peerId, { v: 1, t: 'accept', member })
    return ok(undefined)
  }

  return {
    state,
    accept: () => {
      try {
        return Promise.resolve(accept())
      } catch (error) {
        return Promise.resolve(err(toProblem(error)))
      }
    },
    cancel: () => {
      end(undefined)
    },
    left: () => leaving ?? Promise.resolve(),
    chosen: () => {
      const peerId = chosen.peerId
      const host = peerId === undefined ? undefined : hosts.get(peerId)
      return peerId === undefined || host?.identity == null
        ? undefined
        : { peerId, identity: host.identity, device: host.device }
    },
  }
}
