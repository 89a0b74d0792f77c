/**
 * The one permission policy of a space: what each role may do. The fold, the
 * space, epochs, leaving and the client all ask here; no other code compares
 * roles (policy.test.ts checks that the fold and the space agree with it).
 */
import type { SpaceRole } from '../../halo'

export const SPACE_ACTIONS = [
  /** Create, update, delete and restore objects. */
  'write',
  /** Rename the space. */
  'rename',
  /** Record an epoch (compact the object documents). */
  'compact',
  /** Admit a member or change a member's role (whom: `manages`). */
  'admit',
  /** Remove another member (whom: `manages`). */
  'remove',
  /** Remove oneself. */
  'leave',
  /** Invite others (an invitation admits, so it goes with `admit`). */
  'share',
  /** Record a revocation of one of one's own devices in the log. */
  'revoke-device',
] as const

export type SpaceAction = (typeof SPACE_ACTIONS)[number]

/** Roles from the least to the most powerful (a demotion lowers a member in this order). */
const ROLES_ASCENDING: readonly SpaceRole[] = ['viewer', 'editor', 'admin', 'owner']

const ALL: readonly SpaceAction[] = SPACE_ACTIONS

/** The table: what each role may do. */
const POLICY: Readonly<Record<SpaceRole, readonly SpaceAction[]>> = {
  owner: ALL,
  admin: ALL,
  editor: ['write', 'rename', 'leave', 'revoke-device'],
  viewer: ['leave', 'revoke-device'],
}

/** Whose role each role may change or take away: only owners manage admins and owners. */
const MANAGES: Readonly<Record<SpaceRole, readonly SpaceRole[]>> = {
  owner: ['owner', 'admin', 'editor', 'viewer'],
  admin: ['editor', 'viewer'],
  editor: [],
  viewer: [],
}

/**
 * Which role each role may give a newcomer (an admission, or an invitation, which admits). Admins also admit
 * admins, as the sharing issue asks ("admins can also invite admins"): a new admin can do no more than its
 * admitter, and only owners change it, remove it or bring it back afterwards (`mayGrant`: someone who held a role
 * before is no newcomer).
 */
const ADMITS: Readonly<Record<SpaceRole, readonly SpaceRole[]>> = {
  owner: ['owner', 'admin', 'editor', 'viewer'],
  admin: ['admin', 'editor', 'viewer'],
  editor: [],
  viewer: [],
}

/** Whether `role` (undefined: not a member) may do `action`. */
export const can = (role: SpaceRole | undefined, action: SpaceAction): boolean =>
  role !== undefined && POLICY[role].includes(action)

/**
 * Whether `issuer` may move a member from `from` (undefined: not a member) to
 * `to`: admit, change a role, or remove someone else.
 */
export const mayChange = (
  issuer: SpaceRole | undefined,
  from: SpaceRole | undefined,
  to: SpaceRole | 'removed',
): boolean => {
  if (issuer === undefined) return false
  if (!can(issuer, to === 'removed' ? 'remove' : 'admit')) return false
  if (to === 'removed') return from === undefined || MANAGES[issuer].includes(from)
  return from === undefined
    ? ADMITS[issuer].includes(to)
    : MANAGES[issuer].includes(from) && MANAGES[issuer].includes(to)
}

/**
 * `mayChange` for a change to `to` of a key whose highest role in the space so far was `held` (undefined: it never
 * held one). Raising a key that held a role before (admitting it again after a removal or a leave, any raise after
 * a demotion) changes that member's role, as removing or demoting it did: it also needs `MANAGES` over `held`.
 * Otherwise an admin undid an owner's removal or demotion of an admin by admitting it again as a newcomer (review
 * 13, G2). Lowering and removing are judged by `mayChange` alone.
 */
export const mayGrant = (
  issuer: SpaceRole | undefined,
  from: SpaceRole | undefined,
  to: SpaceRole | 'removed',
  held: SpaceRole | undefined,
): boolean => {
  if (!mayChange(issuer, from, to)) return false
  const raise = to !== 'removed' && (from === undefined || outranks(to, from))
  return !raise || held === undefined || (issuer !== undefined && MANAGES[issuer].includes(held))
}

/** The least role that may make the change (what a demotion of its issuer must keep, cascade.ts). */
export const leastRoleFor = (
  from: SpaceRole | undefined,
  to: SpaceRole | 'removed',
  held?: SpaceRole,
): SpaceRole | undefined => ROLES_ASCENDING.find((role) => mayGrant(role, from, to, held))

/** The least role that may do `action`. */
export const leastRoleTo = (action: SpaceAction): SpaceRole | undefined =>
  ROLES_ASCENDING.find((role) => can(role, action))

/**
 * The role a space always keeps one of: the last member holding it can be
 * neither removed nor demoted, and only this role may be given by the space key.
 */
const TOP_ROLE: SpaceRole = 'owner'

export const isTopRole = (role: SpaceRole | undefined): boolean => role === TOP_ROLE

/** Roles that may remove others: their removals and demotions are what the cascade looks at. */
export const mayRemoveOthers = (role: SpaceRole | undefined): boolean => can(role, 'remove')

const rank = (role: SpaceRole): number => ROLES_ASCENDING.indexOf(role)

/** Whether `a` is above `b` in `ROLES_ASCENDING`. */
export const outranks = (a: SpaceRole, b: SpaceRole): boolean => rank(a) > rank(b)

/** The lower of two roles. */
export const lowerRole = (a: SpaceRole, b: SpaceRole): SpaceRole => (outranks(a, b) ? b : a)
