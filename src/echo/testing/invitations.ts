/** Fixed people, keys and entry makers for the invitation tests (fixed keys: ids, and so orders, replay). */
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, SpaceRole } from '../../halo'
import { invitationKey } from '../../halo'
import { fixedKeyPair } from '../../halo/testing'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import {
  issueCountersign,
  issueGenesis,
  issueInvitation,
  issueInvitationCancel,
  issueInvitationUse,
  issueMember,
  issueRemoval,
} from '../membership/entries'
import type { MembershipState } from '../membership/log'
import { MembershipLog } from '../membership/log'

export const T0 = 1_800_000_000_000
export const HOUR = 60 * 60 * 1000
export const clock = new ManualClock(T0)
const spaceKey = fixedKeyPair(1)
export const space = spaceKey.publicKey as string as SpaceId
export const alice = fixedKeyPair(2)
export const bob = fixedKeyPair(3)
export const carol = fixedKeyPair(4)
export const guests = [
  fixedKeyPair(10),
  fixedKeyPair(11),
  fixedKeyPair(12),
  fixedKeyPair(13),
  fixedKeyPair(14),
] as const
/** Never a guest of the fixtures' uses. */
export const outsider = fixedKeyPair(20)
export const actor = (pair: KeyPair): Actor => ({ identity: pair.publicKey, signer: { key: pair } })
const at = (time: number) => new ManualClock(time)

/** The link secret K of invitation n, and its invite key. */
export const linkKey = (n: number): KeyPair => invitationKey(new Uint8Array(32).fill(100 + n))

/** Genesis (alice owner), bob admin, carol editor. */
const genesis = issueGenesis(spaceKey, alice.publicKey, clock)
const bobAdmin = issueMember({
  actor: actor(alice),
  space,
  subject: bob.publicKey,
  role: 'admin',
  parents: [genesis[1]?.id ?? ('' as CredentialId)],
  clock,
})
const carolEditor = issueMember({
  actor: actor(alice),
  space,
  subject: carol.publicKey,
  role: 'editor',
  parents: [bobAdmin.id],
  clock,
})
export const base: readonly Credential[] = [...genesis, bobAdmin, carolEditor]
export const baseHead = [carolEditor.id]

export const invite = (
  by: KeyPair,
  options: { key?: KeyPair; role?: SpaceRole; uses?: number; until?: number; parents?: readonly CredentialId[] } = {},
) =>
  issueInvitation({
    actor: actor(by),
    space,
    key: (options.key ?? linkKey(0)).publicKey,
    role: options.role ?? 'editor',
    uses: options.uses ?? 1,
    until: options.until ?? T0 + HOUR,
    parents: options.parents ?? baseHead,
    clock,
  })

export const use = (
  invitation: Credential,
  guest: KeyPair,
  options: { key?: KeyPair; heads?: readonly CredentialId[]; role?: SpaceRole; time?: number } = {},
) =>
  issueInvitationUse({
    invitationKey: options.key ?? linkKey(0),
    space,
    invitation: invitation.id,
    heads: options.heads ?? [],
    guest: guest.publicKey,
    role: options.role ?? (invitation.assertion.kind === 'DelegatedInvitation' ? invitation.assertion.role : 'viewer'),
    clock: at(options.time ?? T0 + 1000),
  })

/** A guest's use and a host's countersignature of it (`id`: the countersignature's, the entry that admits). */
export interface Redemption {
  readonly use: Credential
  readonly admission: Credential
  readonly entries: readonly Credential[]
  readonly id: CredentialId
}

/**
 * `guest` redeems `invitation` through `host` (default alice, the owner): the use names the invitation and
 * `heads`, the countersignature the use and `hostHeads` (default `heads`), signed at `hostTime` (default `time`).
 */
export const redeem = (
  invitation: Credential,
  guest: KeyPair,
  options: Parameters<typeof use>[2] & { host?: KeyPair; hostHeads?: readonly CredentialId[]; hostTime?: number } = {},
): Redemption => {
  const made = use(invitation, guest, options)
  const admission = issueCountersign({
    actor: actor(options.host ?? alice),
    space,
    use: made,
    parents: options.hostHeads ?? options.heads ?? [],
    clock: at(options.hostTime ?? options.time ?? T0 + 1000),
  })
  return { use: made, admission, entries: [made, admission], id: admission.id }
}

export const cancel = (by: KeyPair, parents: readonly CredentialId[], key: KeyPair = linkKey(0)) =>
  issueInvitationCancel({ actor: actor(by), space, key: key.publicKey, parents, clock })

export const removal = (by: KeyPair, subject: KeyPair, parents: readonly CredentialId[]) =>
  issueRemoval({ actor: actor(by), space, subject: subject.publicKey, parents, clock })

/** The same set folded one entry at a time, in the given order (the incremental path a device takes). */
export const incremental = (entries: readonly Credential[]): MembershipState => {
  const log = new MembershipLog(space)
  for (const entry of entries) log.add([entry])
  return log.state()
}

export const verdict = (state: MembershipState, id: CredentialId): string =>
  state.applied.includes(id) ? 'applied' : (state.ignored.find((ignored) => ignored.id === id)?.reason ?? 'absent')
