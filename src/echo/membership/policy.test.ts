import { describe, expect, it } from 'vitest'
import type { SpaceRole } from '../../halo'
import { can, leastRoleFor, mayChange, SPACE_ACTIONS } from './policy'
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
  })
})
