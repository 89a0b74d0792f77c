import { Cell, err, ok, type Result } from '../../base'
import type { IdentityKey, PublicKey } from '../../halo'
import {
  confirmationCode,
  runHandshake,
  type AuthenticatedPeer,
  type HandshakeContext,
  type Refused,
  LINK_CHANNEL,
  readLinkFrame,
  writeLinkFrame,
  type WelcomeFrame,
} from '../../mesh'
import type { Avatar } from '../identity-api'
import type { JoinState, LinkJoin } from '../devices-api'
import { LIMITS } from '../limits'
import { problem, toProblem, type Problem } from '../problem-words'
import { roomParty, type Arrivals, type LinkEdges, type LinkResult } from './ports'

/** With nobody found after this long, B says the other device is not online (and keeps looking). */
export const UNREACHABLE_AFTER_MS = 8_000
/**
 * Once the identity is stored, the screen shows the spaces arriving and says `linked` when all are here, or after
 * this long at most: the rest go on arriving in the background (the person need not wait on this screen).
 */
const RECEIVE_FOR_MS = 20_000
const HELLO_EVERY_MS = 1_000

/** A link as B read it. */
export interface ReadInvitation {
  readonly identityKey: IdentityKey
  readonly secret: Uint8Array
  /** Unix milliseconds, from the payload. */
  readonly expiresAt: number
  readonly fingerprint: string
}

/** The new device: a key made in memory, and what stores the linked identity once welcomed. */
export interface LinkGuest {
  readonly deviceKey: PublicKey
  sign(bytes: Uint8Array): Promise<string>
  /** Checks the host's Profile credential against the identity key; undefined if it does not verify. */
  verifyProfile(profile: unknown, identity: IdentityKey): { name: string; avatar: Avatar } | undefined
  /** Stores the linked identity and registers the personal space; stores nothing on a refusal. Then the spaces arrive. */
  store(welcome: WelcomeFrame, signal: AbortSignal): LinkResult<Arrivals>
}

export interface JoinOptions {
  readonly edges: LinkEdges
  readonly invitation: ReadInvitation
  readonly guest: LinkGuest
}

const refusalState = (code: string): JoinState | undefined =>
  code === 'link-expired'
    ? { kind: 'expired' }
    : code === 'link-used'
      ? { kind: 'used' }
      : code === 'not-invited'
        ? { kind: 'failed', problem: problem('link-not-invited') }
        : undefined

/** Joins the link room as the guest and walks B's steps; nothing is stored before the welcome verifies. */
export const joinLink = (options: JoinOptions): LinkJoin => {
  const { edges, invitation, guest } = options
  const state = new Cell<JoinState>({ kind: 'looking' })
  if (edges.clock.now() >= invitation.expiresAt) {
    state.set({ kind: 'expired' })
    return { state, request: () => Promise.resolve(err(problem('link-expired'))), cancel: () => undefined }
  }
  const keys = edges.linkRoom(invitation.secret)
  const ctx: HandshakeContext = { kind: 'link', inviteKey: keys.inviteKey }
  const found: { host?: AuthenticatedPeer } = {}
  let ended = false
  // Set once the identity is stored: the host leaving is no failure then.
  let stored = false
  // Following the spaces as they arrive, after the link room is left; `cancel` stops it too.
  let stopArrivals: (() => void) | undefined
  // Read after an await: the session may have ended meanwhile.
  const over = (): boolean => ended
  const stops: (() => void)[] = []
  // Stops receiving the welcome's spaces when the join ends first (cancel, the host left).
  const receiving = new AbortController()
  stops.push(() => {
    receiving.abort()
  })

  const authorize = (_ctx: HandshakeContext, peer: AuthenticatedPeer): Promise<Result<void, Refused>> =>
    // The host's chain verified; it must be the identity the link names, and only one host device is heard (it
    // may come back over a new connection when Trystero replaces one that dropped).
    Promise.resolve(
      peer.identity !== invitation.identityKey
        ? err({ code: 'bad-chain' })
        : found.host === undefined || found.host.device === peer.device
          ? ok(undefined)
          : err({ code: 'link-used' }),
    )
  const room = edges.openRoom(
    { roomId: keys.roomId, password: keys.password },
    async (peerId, send, receive, isInitiator) => {
      const outcome = await runHandshake({
        ctx,
        roomPassword: keys.password,
        local: {
          // Not linked yet: no identity and no chain; the invite key proves the link instead.
          ...roomParty(room.selfId, edges.repoId(guest.deviceKey), {
            identityKey: null,
            deviceKey: guest.deviceKey,
            chain: null,
            sign: (bytes) => guest.sign(bytes),
          }),
          signInvite: (bytes) => keys.signInvite(bytes),
        },
        remotePeerId: peerId,
        send,
        receive,
        isInitiator,
        verifyChain: edges.verifyPeerDevice,
        authorize,
      })
      if (outcome.ok) found.host = outcome.value
      else if (found.host === undefined && (outcome.error.remoteCode === undefined || outcome.error.remoteProven)) {
        // Only the host's word ends the join: anyone who saw the link can send a reject, before proving nothing.
        const next = refusalState(outcome.error.remoteCode ?? outcome.error.code)
        if (next !== undefined) end(next)
      }
      return outcome
    },
  )
  const channel = room.channel(LINK_CHANNEL)
  const end = (last: JoinState | undefined): void => {
    if (ended) return
    ended = true
    if (last !== undefined) state.set(last)
    for (const stop of stops.splice(0)) stop()
    room.leave().catch(() => undefined)
  }

  stops.push(
    edges.after(UNREACHABLE_AFTER_MS, () => {
      if (state.get().kind === 'looking') state.set({ kind: 'unreachable' })
    }),
  )
  // Says hello until the profile comes: the host may let us in a moment after we let it in.
  const hello = (): void => {
    const kind = state.get().kind
    const host = found.host
    if (ended || host === undefined || (kind !== 'looking' && kind !== 'unreachable')) return
    channel.send(writeLinkFrame({ v: 1, t: 'hello' }), host.peerId).catch(() => undefined)
    stops.push(edges.after(HELLO_EVERY_MS, hello))
  }
  stops.push(
    room.authenticated.subscribe((peers) => {
      const host = found.host
      if (ended || host === undefined) return
      if (peers.has(host.peerId)) {
        hello()
        return
      }
      const kind = state.get().kind
      if (!stored && (kind === 'found' || kind === 'confirm' || kind === 'receiving')) {
        end({ kind: 'failed', problem: problem('link-peer-left') })
      }
    }),
  )
  const welcome = async (frame: WelcomeFrame, host: AuthenticatedPeer): Promise<void> => {
    if (frame.identityKey !== invitation.identityKey) {
      end({ kind: 'failed', problem: problem('link-failed') })
      return
    }
    state.set({ kind: 'receiving', done: 0, total: 1 })
    const result = await guest.store(frame, receiving.signal)
    if (!result.ok) {
      end({ kind: 'failed', problem: result.error })
      return
    }
    stored = true
    const arrivals = result.value
    state.set({ kind: 'receiving', ...arrivals.progress.get() })
    // The host leaves the room once told; the spaces come through this device's mesh, not the link room.
    await channel.send(writeLinkFrame({ v: 1, t: 'stored' }), host.peerId).catch(() => undefined)
    if (over()) {
      // Cancelled meanwhile (the screen closed): the identity is stored, and nobody is left to show the count to.
      arrivals.stop()
      return
    }
    end(undefined)
    followArrivals(arrivals)
  }
  const followArrivals = (arrivals: Arrivals): void => {
    const finish = (): void => {
      stopArrivals?.()
      state.set({ kind: 'linked' })
    }
    const stops = [
      arrivals.progress.subscribe((progress) => {
        state.set({ kind: 'receiving', ...progress })
        if (progress.done >= progress.total) finish()
      }),
      edges.after(RECEIVE_FOR_MS, () => {
        finish()
      }),
    ]
    stopArrivals = () => {
      stopArrivals = undefined
      for (const stop of stops) stop()
      arrivals.stop()
    }
    const now = arrivals.progress.get()
    if (now.done >= now.total) finish()
  }
  stops.push(
    channel.subscribe((data, peerId) => {
      const host = found.host
      if (ended || host?.peerId !== peerId) return
      const frame = readLinkFrame(data)
      if (frame === undefined) {
        // The host proved itself and sent what this version cannot read (a newer app, or more than a frame holds):
        // ignoring it would leave this screen at the code while the other device waits to hear it was stored.
        end({ kind: 'failed', problem: problem('link-unreadable') })
        return
      }
      const kind = state.get().kind
      if (frame.t === 'profile' && (kind === 'looking' || kind === 'unreachable')) {
        const profile = guest.verifyProfile(frame.profile, invitation.identityKey)
        if (profile === undefined) {
          end({ kind: 'failed', problem: problem('link-failed') })
          return
        }
        state.set({ kind: 'found', ...profile, fingerprint: invitation.fingerprint })
      } else if (frame.t === 'denied' && kind === 'confirm') {
        end({ kind: 'denied' })
      } else if (frame.t === 'welcome' && kind === 'confirm') {
        welcome(frame, host).catch((error: unknown) => {
          end({ kind: 'failed', problem: toProblem(error) })
        })
      }
    }),
  )

  const request = async (deviceName: string): Promise<Result<void, Problem>> => {
    const name = deviceName.trim()
    if (name === '') return err(problem('device-name-required', 'deviceName'))
    if (name.length > LIMITS.deviceName) return err(problem('device-name-too-long', 'deviceName'))
    const peer = found.host
    if (ended || peer === undefined || state.get().kind !== 'found') return err(problem('link-not-ready'))
    // Confirm first, so a quick Allow's welcome finds this device ready for it.
    const code = await confirmationCode(peer.transcript)
    if (over() || state.get().kind !== 'found') return err(problem('link-not-ready'))
    state.set({ kind: 'confirm', code })
    await channel.send(writeLinkFrame({ v: 1, t: 'request', deviceName: name }), peer.peerId)
    return ok(undefined)
  }

  return {
    state,
    request: async (deviceName) => {
      try {
        return await request(deviceName)
      } catch (error) {
        return err(toProblem(error))
      }
    },
    cancel: () => {
      end(undefined)
      stopArrivals?.()
    },
  }
}
