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
} from '../../mesh'
import type { LinkOffer, OfferState } from '../devices-api'
import { problem, toProblem, type Problem } from '../problem-words'
import { roomParty, type LinkEdges, type LinkResult, type PersonalSpace } from './ports'

/** A link works for 10 minutes, once. */
export const LINK_TTL_MS = 10 * 60_000

/** The device that holds the identity, as a link's host needs it. */
export interface LinkHost {
  readonly identityKey: IdentityKey
  readonly deviceKey: PublicKey
  /** This device's AuthorizedDevice. */
  readonly chain: unknown
  sign(bytes: Uint8Array): Promise<string>
  /** The identity's signed Profile credential, if it has one. */
  readonly profile: unknown
  /** halo's authorizeDevice: signs and stores AuthorizedDevice and DeviceName for the new device. */
  authorizeDevice(device: PublicKey, name: string): LinkResult<{ chain: unknown; credentials: readonly unknown[] }>
  /** halo's revokeDevice without the phrase: refuses when this device does not keep the identity secret. */
  revokeDevice(device: PublicKey): LinkResult<void>
  /** The personal space, with its swarm secret, for the welcome. */
  personal(): LinkResult<PersonalSpace>
}

export interface OfferOptions {
  readonly edges: LinkEdges
  readonly host: LinkHost
  /** `location.origin`. */
  readonly origin: string
  readonly newSecret: () => Uint8Array
  readonly encodeLink: (link: { identityKey: IdentityKey; secret: Uint8Array; expiresAt: number }) => string
  readonly ttlMs?: number
}

/**
 * Offers a one-time device link: the room is keyed by K, the guest proves it holds the link's invite key in the
 * handshake, and only one guest, before expiry, gets past it. Nothing reaches the guest before Allow but the
 * identity's public profile.
 */
export const offerLink = (options: OfferOptions): Result<LinkOffer, Problem> => {
  const { edges, host } = options
  const expiresAt = edges.clock.now() + (options.ttlMs ?? LINK_TTL_MS)
  const secret = options.newSecret()
  const keys = edges.linkRoom(secret)
  // The payload's expiry only drives words on the new device; this device enforces its own.
  const payload = options.encodeLink({ identityKey: host.identityKey, secret, expiresAt })
  secret.fill(0)
  const state = new Cell<OfferState>({ kind: 'waiting' })
  // Once a guest finished the handshake the link is spent on its device, whatever happens next; that device may
  // still come back over a new connection (Trystero replaces one that drops). A guest whose handshake is still
  // running holds the link only until that handshake ends, so one that stops half way spends nothing. One device
  // may run several attempts at once (two connections): each is kept, the latest to succeed is the guest, and the
  // link is free again only once none runs and none succeeded (review 13, G9).
  const claim: { guest?: AuthenticatedPeer; running: Map<object, PublicKey> } = { running: new Map() }
  const holder = (): PublicKey | undefined => claim.guest?.device ?? claim.running.values().next().value
  let ended = false
  // Read after an await: the session may have ended meanwhile.
  const over = (): boolean => ended
  const ctx: HandshakeContext = { kind: 'link', inviteKey: keys.inviteKey }

  const authorizeFor =
    (attempt: object) =>
    (_ctx: HandshakeContext, peer: AuthenticatedPeer): Promise<Result<void, Refused>> => {
      if (edges.clock.now() >= expiresAt) return Promise.resolve(err({ code: 'link-expired' }))
      const device = holder()
      if (ended || (device !== undefined && device !== peer.device)) {
        return Promise.resolve(err({ code: 'link-used' }))
      }
      claim.running.set(attempt, peer.device)
      return Promise.resolve(ok(undefined))
    }
  const room = edges.openRoom(
    { roomId: keys.roomId, password: keys.password },
    async (peerId, send, receive, isInitiator) => {
      const attempt = {}
      const outcome = await runHandshake({
        ctx,
        local: roomParty(room.selfId, edges.repoId(host.deviceKey), host),
        remotePeerId: peerId,
        roomPassword: keys.password,
        send,
        receive,
        isInitiator,
        verifyChain: edges.verifyPeerDevice,
        authorize: authorizeFor(attempt),
      })
      const device = claim.running.get(attempt)
      claim.running.delete(attempt)
      if (outcome.ok && device !== undefined && device === outcome.value.device) claim.guest = outcome.value
      return outcome
    },
  )
  const channel = room.channel(LINK_CHANNEL)
  const stops: (() => void)[] = []
  const end = (last: OfferState | undefined): void => {
    if (ended) return
    ended = true
    // While Allow runs, ending always says so: Allow then takes back what it authorized.
    const linking = state.get().kind === 'linking'
    if (last !== undefined) state.set(last)
    else if (linking) state.set({ kind: 'failed', problem: problem('link-ended') })
    for (const stop of stops.splice(0)) stop()
    // Leaving is best effort: nothing depends on it but the relay's memory.
    room.leave().catch(() => undefined)
  }
  const send = (peerId: string, frame: Parameters<typeof writeLinkFrame>[0]): Promise<void> =>
    channel.send(writeLinkFrame(frame), peerId)

  // The device Allow authorized and welcomed, until it says it stored the identity.
  let welcomed: PublicKey | undefined
  /** Ends the link from any side: a device welcomed and never heard from is taken back, as nothing holds it. */
  const close = (last: OfferState | undefined): void => {
    if (welcomed !== undefined && state.get().kind === 'linking') {
      takeBack(welcomed).catch((error: unknown) => {
        state.set({ kind: 'failed', problem: toProblem(error) })
      })
    } else end(last)
  }
  const abandon = (code: string): void => {
    close({ kind: 'failed', problem: problem(code) })
  }
  stops.push(
    edges.after(expiresAt - edges.clock.now(), () => {
      // After its time the room is left in any step; a link not yet allowed reads as expired.
      const kind = state.get().kind
      close(kind === 'waiting' || kind === 'confirm' ? { kind: 'expired' } : undefined)
    }),
  )
  stops.push(
    room.authenticated.subscribe((peers) => {
      if (claim.guest === undefined || ended || peers.has(claim.guest.peerId)) return
      // The new device left before the link was done.
      if (['waiting', 'confirm', 'linking'].includes(state.get().kind) && heard) abandon('link-peer-left')
    }),
  )
  let heard = false
  stops.push(
    channel.subscribe((data, peerId) => {
      if (ended || claim.guest?.peerId !== peerId) return
      const frame = readLinkFrame(data)
      if (frame === undefined) {
        // The new device proved the link and sent what this version cannot read: waiting would never end.
        abandon('link-unreadable')
        return
      }
      if (frame.t === 'hello' && state.get().kind === 'waiting') {
        heard = true
        send(peerId, { v: 1, t: 'profile', profile: host.profile }).catch((error: unknown) => {
          end({ kind: 'failed', problem: toProblem(error) })
        })
      } else if (frame.t === 'request' && state.get().kind === 'waiting') {
        confirmationCode(claim.guest.transcript).then(
          (code) => {
            if (!ended) state.set({ kind: 'confirm', code, deviceName: frame.deviceName })
          },
          (error: unknown) => {
            end({ kind: 'failed', problem: toProblem(error) })
          },
        )
      } else if (frame.t === 'stored' && welcomed !== undefined) {
        // Only once the welcome is on its way (a word before it would hide a welcome that then fails); the new
        // device may say so before our own send has resolved.
        welcomed = undefined
        const now = state.get()
        if (now.kind === 'linking') state.set({ kind: 'linked', deviceName: now.deviceName })
      }
    }),
  )

  const expired = (): boolean => edges.clock.now() >= expiresAt
  /** The link ended while Allow authorized the device: take the authorization back, or say what to do. */
  const takeBack = async (device: PublicKey): Promise<void> => {
    welcomed = undefined
    end(undefined)
    const revoked = await host.revokeDevice(device)
    if (!revoked.ok) state.set({ kind: 'failed', problem: problem('link-ended-remove-device') })
  }
  const allow = async (): Promise<void> => {
    const current = state.get()
    const peer = claim.guest
    if (current.kind !== 'confirm' || peer === undefined || ended) return
    // The timer may not have fired yet (a page asleep): the clock decides.
    if (expired()) {
      end({ kind: 'expired' })
      return
    }
    state.set({ kind: 'linking', deviceName: current.deviceName })
    // The personal space first: a device authorized and then not welcomed would be one to take back.
    const personal = await host.personal()
    if (!personal.ok) {
      end({ kind: 'failed', problem: personal.error })
      return
    }
    if (over() || expired()) {
      end({ kind: 'failed', problem: problem('link-ended') })
      return
    }
    const authorized = await host.authorizeDevice(peer.device, current.deviceName)
    if (!authorized.ok) {
      end({ kind: 'failed', problem: authorized.error })
      return
    }
    if (over() || expired()) {
      await takeBack(peer.device)
      return
    }
    // Linked once the new device says it stored the identity: a sent frame may still be lost, or refused there.
    welcomed = peer.device
    const sent = await send(peer.peerId, {
      v: 1,
      t: 'welcome',
      identityKey: host.identityKey,
      chain: authorized.value.chain,
      credentials: [...authorized.value.credentials],
      personal: personal.value,
    }).then(
      () => true,
      () => false,
    )
    // The other device left before its welcome went (the send says so): authorized and never told, it is taken back
    // (unless its leaving did so already).
    if (!sent && welcomed === peer.device) await takeBack(peer.device)
  }

  return ok({
    url: `${options.origin}/#/join/${payload}`,
    expiresAt,
    state,
    allow: () => {
      allow().catch((error: unknown) => {
        end({ kind: 'failed', problem: toProblem(error) })
      })
    },
    deny: () => {
      const peerId = claim.guest?.peerId
      if (state.get().kind !== 'confirm' || peerId === undefined || ended) return
      state.set({ kind: 'denied' })
      // The guest reads 'denied' before the room closes.
      send(peerId, { v: 1, t: 'denied' }).then(
        () => end(undefined),
        () => end(undefined),
      )
    },
    cancel: () => {
      close(undefined)
    },
  })
}
