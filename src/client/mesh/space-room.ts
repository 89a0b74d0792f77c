import type { Result, Trace } from '../../base'
import type { SpaceId } from '../../echo'
import type { IdentityKey, PublicKey } from '../../halo'
import {
  joinSwarm,
  runHandshake,
  type AuthenticatedPeer,
  type HandshakeContext,
  type LocalParty,
  type MeshNetworkAdapter,
  type MeshSettings,
  type Refused,
  type Swarm,
  type SwarmRefusal,
  type TrysteroPage,
} from '../../mesh'
import type { PeerAccess } from './peer-access'
import { NOTICE_CHANNEL, readNotice, writeNotice, type RefusalNotice } from './refusal-notice'

/** Space rooms; link and invitation rooms use another app id, so guests never see these tokens. */
const SPACE_APP_ID = 'commonplace/1'
/** automerge-repo's messages, one channel per room (sharing-protocol §4.6). */
const REPO_CHANNEL = 'cp.am'

export interface SpaceRoomOptions {
  readonly spaceId: SpaceId
  /** The swarm secret's generation this room is derived from; the handshake's ctx carries it. */
  readonly generation: number
  readonly room: { readonly roomId: string; readonly password: string }
  readonly settings: MeshSettings
  readonly page: TrysteroPage
  /** Everything of our side but the Trystero id, which is the page's. */
  readonly local: Omit<LocalParty, 'peerId'>
  readonly verifyChain: (chain: unknown, device: PublicKey) => Promise<Result<{ identity: IdentityKey }, Refused>>
  /** Whether a proven peer may be in this space now; a refusal says why (and may carry evidence). */
  readonly admits: (peer: AuthenticatedPeer) => Refused | undefined
  /** Calls its listener whenever an answer of `admits` may have changed; returns the unsubscribe. */
  readonly accessChanged: (listener: () => void) => () => void
  /** How long a `not-member` answer may wait for the log to admit the peer (see `admitted`). */
  readonly membershipWaitMs?: number
  readonly adapter: MeshNetworkAdapter
  readonly access: PeerAccess
  readonly onRefused?: (refusal: SwarmRefusal) => void
  /**
   * A connected peer told us why it cuts us off (`refusal-notice.ts`; unverified: the handler verifies its evidence
   * as a refused handshake's); true when it took effect, and our side then closes the connection.
   */
  readonly onNotice?: (notice: RefusalNotice) => boolean
  /** How long a peer cut off with evidence has to read it before we close its connection (`NOTICE_GRACE_MS`). */
  readonly noticeGraceMs?: number
  /** Who is connected, for the sync status. */
  readonly watch?: RoomWatcher
  /**
   * Whether the room is now one kept below the space's current generation: lonely, it waits for a member catching
   * up to come (its own rejoins announce it) instead of rejoining (review of kept rooms, 6: relay load).
   */
  readonly kept?: () => boolean
  /** Where the room's swarm tells its rare events. */
  readonly trace?: Trace
}

export interface RoomWatcher {
  /** `repo`: the remote's automerge-repo peer id; `identity`: the identity it proved. */
  connected(peerId: string, device: string, repo: string, identity: string | undefined): void
  disconnected(peerId: string): void
}

/** One space's room: peers that pass the handshake are attached to the adapter and granted the space. */
export interface SpaceRoom {
  readonly spaceId: SpaceId
  readonly generation: number
  readonly swarm: Swarm
  /** Checks every connected peer again (revocations or membership changed); returns how many were cut off. */
  recheck(): number
  leave(): Promise<void>
}

/**
 * A member admitted a moment ago (a guest let in by another member) may knock before its entry reaches our log.
 * Refusing would cost a meeting: two peers that stay connected through a third meet again only when the swarm
 * rejoins for the missed meeting, 4 s or more later (src/mesh/CONTEXT.md, missed meeting). So a `not-member` answer
 * waits, within the handshake's 15 s, for the access to change; anything else is final at once.
 */
const MEMBERSHIP_WAIT_MS = 8_000

/**
 * A peer cut off with evidence it can verify (its removal, its device's revocation) is told so before its connection
 * closes; it closes the connection itself once the notice took effect, or we do after this long (a slow page, or one
 * that never answers). Its documents stop before the notice: its adapter link and grant go at once.
 */
const NOTICE_GRACE_MS = 1_000

const admitted = (options: SpaceRoomOptions, peer: AuthenticatedPeer): Promise<Refused | undefined> => {
  const first = options.admits(peer)
  // A member removed by our log is refused at once with its removal: while the answer waited, its lonely room's
  // rejoin (after 4 s, mesh's swarm.ts) cut the handshake, and the evidence never reached it. A re-admission not
  // here yet is met at its next rejoin.
  if (first?.code !== 'not-member' || first.evidence !== undefined) return Promise.resolve(first)
  return new Promise((resolve) => {
    const done = (answer: Refused | undefined): void => {
      stop()
      clearTimeout(timer)
      resolve(answer)
    }
    const stop = options.accessChanged(() => {
      const again = options.admits(peer)
      if (again?.code !== 'not-member') done(again)
    })
    const timer = setTimeout(() => {
      done(options.admits(peer))
    }, options.membershipWaitMs ?? MEMBERSHIP_WAIT_MS)
  })
}

export const joinSpaceRoom = (options: SpaceRoomOptions): SpaceRoom => {
  const { spaceId, adapter, access } = options
  const ctx: HandshakeContext = { kind: 'space', spaceId, generation: options.generation }
  const swarm = joinSwarm(options.settings, options.room, {
    appId: SPACE_APP_ID,
    page: options.page,
    ...(options.kept === undefined ? {} : { waitsWhileLonely: options.kept }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    handshake: (remotePeerId, send, receive, isInitiator) =>
      runHandshake({
        ctx,
        local: { ...options.local, peerId: options.page.selfId },
        remotePeerId,
        roomPassword: options.room.password,
        send,
        receive,
        isInitiator,
        verifyChain: options.verifyChain,
        authorize: async (_ctx, peer) => {
          const refused = await admitted(options, peer)
          return refused === undefined ? { ok: true, value: undefined } : { ok: false, error: refused }
        },
      }),
  })
  const channel = swarm.channel<Uint8Array>(REPO_CHANNEL)
  const notices = swarm.channel<string>(NOTICE_CHANNEL)
  // Per connected peer: what undoes its attachment and its grant.
  const attached = new Map<string, () => void>()
  // Peers cut off and told why, until their connection goes: the timer that closes it.
  const closing = new Map<string, ReturnType<typeof setTimeout>>()
  // Peers whose notice we read on this connection: one each, whatever else they send.
  const heard = new Set<string>()
  const watch = options.watch
  const release = (peerId: string): void => {
    const undo = attached.get(peerId)
    if (undo === undefined) return
    attached.delete(peerId)
    undo()
    watch?.disconnected(peerId)
  }
  const attach = (peer: AuthenticatedPeer): void => {
    const detach = adapter.attach({
      remote: { repo: peer.repo, storage: peer.storage, device: peer.device, identity: peer.identity },
      send: (bytes) => channel.send(bytes, peer.peerId),
      subscribe: (onBytes) =>
        channel.subscribe((data, from) => {
          // Only this connection's bytes, and only bytes: anything else from a peer is dropped here.
          if (from !== peer.peerId || !(data instanceof Uint8Array)) return
          onBytes(data)
        }),
      // Oversize or undecodable frames, over and over: no honest peer sends them. It must pass the handshake again.
      misbehaved: () => {
        swarm.closePeer(peer.peerId)
      },
    })
    const ungrant = access.grant(peer.repo, spaceId, options.generation)
    attached.set(peer.peerId, () => {
      ungrant()
      detach()
    })
    watch?.connected(peer.peerId, peer.device, peer.repo, peer.identity ?? undefined)
  }
  const close = (peerId: string): void => {
    clearTimeout(closing.get(peerId))
    closing.delete(peerId)
    swarm.closePeer(peerId)
  }
  const cutOff = (peerId: string, refused: Refused): void => {
    release(peerId)
    if (closing.has(peerId)) return
    const { code, evidence } = refused
    if ((code !== 'not-member' && code !== 'revoked') || !Array.isArray(evidence) || evidence.length === 0) {
      swarm.closePeer(peerId)
      return
    }
    closing.set(
      peerId,
      setTimeout(() => {
        close(peerId)
      }, options.noticeGraceMs ?? NOTICE_GRACE_MS),
    )
    notices.send(writeNotice({ code, evidence }), peerId).catch(() => undefined)
  }
  const stopNotices = notices.subscribe((data, from) => {
    if (heard.has(from)) return
    heard.add(from)
    const notice = readNotice(data)
    if (notice === undefined || options.onNotice?.(notice) !== true) return
    // Taken: we close, so the peer that told us need not wait for its timer.
    release(from)
    close(from)
  })
  const stopFollowing = swarm.authenticated.subscribe((peers) => {
    for (const peerId of [...attached.keys()]) if (!peers.has(peerId)) release(peerId)
    for (const peerId of [...heard]) if (!peers.has(peerId)) heard.delete(peerId)
    for (const [peerId, timer] of [...closing]) {
      if (peers.has(peerId)) continue
      clearTimeout(timer)
      closing.delete(peerId)
    }
    for (const [peerId, peer] of peers) {
      if (attached.has(peerId) || closing.has(peerId)) continue
      // A change may have come between the handshake and the join: check again before any byte flows.
      const refused = options.admits(peer)
      if (refused === undefined) attach(peer)
      else cutOff(peerId, refused)
    }
  })
  const stopRefusals = options.onRefused === undefined ? () => undefined : swarm.onRefused(options.onRefused)
  return {
    spaceId,
    generation: options.generation,
    swarm,
    recheck: () => {
      let cut = 0
      for (const [peerId, peer] of swarm.authenticated.get()) {
        if (closing.has(peerId)) continue
        const refused = options.admits(peer)
        if (refused === undefined) continue
        cutOff(peerId, refused)
        cut++
      }
      return cut
    },
    leave: async () => {
      stopFollowing()
      stopRefusals()
      stopNotices()
      for (const timer of closing.values()) clearTimeout(timer)
      closing.clear()
      for (const peerId of [...attached.keys()]) release(peerId)
      await swarm.leave()
    },
  }
}
