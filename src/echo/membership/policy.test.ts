import { describe, expect, it } from 'vitest'
import type { SpaceRole } from '../../halo'
import { can, leastRoleFor, mayChange, mayGrant, SPACE_ACTIONS } from './policy'
import type { SpaceAction } from './policy'

const ROLES: readonly SpaceRole[] = ['owner', 'admin', 'editor', 'viewer']

describe('the permission policy', () => {
  it('gives each role exactly these actions', () => {
    const table = Object.fromEntries(
      [...ROLES, undefined].map((role) => [
        String(role),
        SPACE_ACTIONS.filter((action: SpaceAction) => can(role, action)),
      ]),
    )
    expect(table).toEqual({
      owner: ['write', 'rename', 'compact', 'admit', 'remove', 'leave', 'share', 'revoke-device'],
      admin: ['write', 'rename', 'compact', 'admit', 'remove', 'leave', 'share', 'revoke-device'],
      editor: ['write', 'rename', 'leave', 'revoke-device'],
      viewer: ['leave', 'revoke-device'],
      undefined: [],
    })
  })

  it('lets owners manage every role, and admins admit admins but change and remove only editors and viewers', () => {
    const targets = [...ROLES, 'removed'] as const
    const managed = (issuer: SpaceRole) =>
      [undefined, ...ROLES].flatMap((from) =>
        targets.filter((to) => mayChange(issuer, from, to)).map((to) => `${from ?? 'none'}->${to}`),
      )
    expect(managed('owner')).toHaveLength(5 * 5)
    expect(managed('admin')).toEqual([
      'none->admin',
      'none->editor',
      'none->viewer',
      'none->removed',
      'editor->editor',
      'editor->viewer',
      'editor->removed',
      'viewer->editor',
      'viewer->viewer',
      'viewer->removed',
    ])
    expect([...managed('editor'), ...managed('viewer')]).toEqual([])
    expect(mayChange(undefined, undefined, 'viewer')).toBe(false)
  })

  it('names the least role each change needs (what a demotion of its issuer must keep)', () => {
    expect(leastRoleFor(undefined, 'viewer')).toBe('admin')
    expect(leastRoleFor('editor', 'removed')).toBe('admin')
    expect(leastRoleFor('admin', 'removed')).toBe('owner')
    expect(leastRoleFor(undefined, 'owner')).toBe('owner')
    expect(leastRoleFor(undefined, 'admin')).toBe('admin')
    expect(leastRoleFor('editor', 'admin')).toBe('owner')
    // Raising a key that held admin before (removed, left or demoted) is the owner's, as its removal was.
    expect(leastRoleFor(undefined, 'admin', 'admin')).toBe('owner')
    expect(leastRoleFor('viewer', 'editor', 'admin')).toBe('owner')
    expect(leastRoleFor(undefined, 'admin', 'editor')).toBe('admin')
    expect(leastRoleFor('admin', 'removed', 'admin')).toBe('owner')
  })

  it('lets a raise of a key that held a role before need MANAGES over that role; lowering and removal do not', () => {
    expect(mayGrant('admin', undefined, 'viewer', 'admin')).toBe(false)
    expect(mayGrant('admin', 'viewer', 'editor', 'admin')).toBe(false)
    expect(mayGrant('admin', 'editor', 'viewer', 'admin')).toBe(true)
    expect(mayGrant('admin', 'viewer', 'removed', 'admin')).toBe(true)
    expect(mayGrant('admin', undefined, 'admin', 'editor')).toBe(true)
    expect(mayGrant('admin', undefined, 'admin', undefined)).toBe(true)
    expect(mayGrant('owner', undefined, 'admin', 'owner')).toBe(true)
    expect(mayGrant('editor', undefined, 'viewer', undefined)).toBe(false)
  })
})
