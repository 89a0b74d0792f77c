/**
 * Test only: a stranger who saw an invitation link (it knows K, it is no member of the space) and plays its host
 * with the project's own room and handshake code: it offers what it likes (its own delegation and a Profile that
 * says "Ada", or a real host's offer it recorded as a guest), refuses, or welcomes into a root and secret it chose.
 */
import { systemClock, toBase64Url, toHex } from '../../../base'
import {
  decodeJoinLinkOf,
  generateKeyPair,
  issueCredential,
  inviteRendezvous,
  linkRoom,
  newSwarmSecret,
  signWith,
  type IdentityKey,
} from '../../../halo'
import {
  INVITE_CHANNEL,
  readInviteFrame,
  runHandshake,
  writeInviteFrame,
  type InviteOffer,
  type TrysteroPage,
} from '../../../mesh'
import { linkEdges } from '../../linking/link-edges'
import { roomParty } from '../../linking/ports'
import { createMeshSettings } from '../../mesh-settings'

type Answer = { readonly offer: Partial<InviteOffer> } | { readonly refuse: string }

export type IdentityPair = ReturnType<typeof generateKeyPair<IdentityKey>>

/**
 * Someone in `url`'s invitation room with an identity of its own: as a guest it proves the link's K (every host
 * answers it), else it only proves its identity. `peers` are the peers its handshake let in. `room` puts it in
 * another room (one it derived from what it holds, for instance).
 */
export const stranger = (
  page: TrysteroPage,
  url: string,
  guest: boolean,
  identity: IdentityPair,
  room?: { readonly roomId: string; readonly password: string },
) => {
  const link = decodeJoinLinkOf('space', url)
  if (!link.ok) throw new Error('not an invitation link')
  const { spaceId, secret } = link.value
  const keys = linkRoom(secret)
  const device = generateKeyPair()
  const signer = { key: identity }
  const chain = issueCredential({
    issuer: identity.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer,
    clock: systemClock,
  })
  const settings = createMeshSettings({ getItem: () => null, setItem: () => undefined, removeItem: () => undefined })
  const edges = linkEdges(settings.current.get(), page, () => false)
  const party = { identityKey: identity.publicKey, deviceKey: device.publicKey, chain }
  const sign = (bytes: Uint8Array) => Promise.resolve(toHex(signWith(device, bytes)))
  const peers: string[] = []
  /** Every handshake frame it received, as text (what a peer in the room learns before any check). */
  const heard: string[] = []
  const joined = room ?? edges.invitationRoom(spaceId, inviteRendezvous(secret))
  const opened = edges.openRoom(joined, async (peerId, send, receive, isInitiator) => {
    const base = roomParty(opened.selfId, edges.repoId(device.publicKey), { ...party, sign })
    const outcome = await runHandshake({
      ctx: { kind: 'invite', spaceId, inviteKey: keys.inviteKey },
      local: guest ? { ...base, signInvite: (bytes) => keys.signInvite(bytes) } : base,
      remotePeerId: peerId,
      roomPassword: joined.password,
      send,
      receive: async () => {
        const frame = await receive()
        heard.push(typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data))
        return frame
      },
      isInitiator,
      verifyChain: edges.verifyPeerDevice,
      authorize: () => Promise.resolve({ ok: true, value: undefined }),
    })
    if (outcome.ok) peers.push(peerId)
    return outcome
  })
  const channel = opened.channel(INVITE_CHANNEL)
  return {
    spaceId,
    keys,
    identity,
    signer,
    peers,
    heard,
    channel,
    authenticated: opened.authenticated,
    leave: () => opened.leave(),
  }
}

/**
 * Hosts `url` as a stranger: answers every hello with `answer` (an offer with its own delegation and a Profile
 * named `name` unless the answer gives its own fields), and every accept with `welcome`: a root URL of its own and
 * a secret it drew, at the highest generation. `accepts` counts the admissions guests sent it. With `identity`,
 * it plays that identity (a member whose log it shows, as a demoted admin or a man in the middle would).
 */
export const strangerHost = (
  page: TrysteroPage,
  url: string,
  answer: Answer,
  { name = 'Ada', identity = generateKeyPair<IdentityKey>() }: { name?: string; identity?: IdentityPair } = {},
) => {
  const host = stranger(page, url, false, identity)
  const welcome = {
    rootUrl: 'automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu',
    generation: 2 ** 31 - 1,
    secret: newSwarmSecret(),
  }
  const delegation = issueCredential({
    issuer: host.identity.publicKey,
    subject: host.keys.inviteKey,
    assertion: {
      kind: 'DelegatedInvitation',
      space: host.spaceId,
      role: 'editor',
      uses: 1,
      until: Date.now() + 3_600_000,
    },
    signer: host.signer,
    clock: systemClock,
  })
  const profile = issueCredential({
    issuer: host.identity.publicKey,
    subject: host.identity.publicKey,
    assertion: { kind: 'Profile', displayName: name, avatar: { colour: '#2f5d50' } },
    signer: host.signer,
    clock: systemClock,
  })
  const seen = { hellos: 0, accepts: 0 }
  host.channel.subscribe((data, peerId) => {
    const frame = readInviteFrame(data, 'guest')
    const reply = (out: Parameters<typeof writeInviteFrame>[0]): void => {
      host.channel.send(writeInviteFrame(out), peerId).catch(() => undefined)
    }
    if (frame?.t === 'hello') {
      seen.hellos++
      if ('refuse' in answer) reply({ v: 1, t: 'refused', code: answer.refuse })
      else
        reply({
          v: 1,
          t: 'offer',
          spaceName: 'Garden plans',
          role: 'editor',
          delegation,
          profile,
          heads: [],
          log: [delegation],
          ...answer.offer,
        })
    } else if (frame?.t === 'accept') {
      seen.accepts++
      reply({ v: 1, t: 'welcome', ...welcome, secret: toBase64Url(welcome.secret) })
    }
  })
  return { seen, welcome, leave: host.leave }
}

/** Plays a guest of `url`'s real hosts and records the first offer one sends (it never accepts). */
export const recordedOffer = (
  page: TrysteroPage,
  url: string,
): { offer: Promise<InviteOffer>; leave(): Promise<void> } => {
  const guest = stranger(page, url, true, generateKeyPair<IdentityKey>())
  const offer = new Promise<InviteOffer>((resolve) => {
    guest.channel.subscribe((data) => {
      const frame = readInviteFrame(data, 'host')
      if (frame?.t === 'offer') resolve(frame)
    })
  })
  const hello = setInterval(() => {
    for (const peerId of guest.peers)
      guest.channel.send(writeInviteFrame({ v: 1, t: 'hello' }), peerId).catch(() => undefined)
  }, 200)
  void offer.then(() => {
    clearInterval(hello)
  })
  return {
    offer,
    leave: () => {
      clearInterval(hello)
      return guest.leave()
    },
  }
}
