import { describe, expect, it } from 'vitest'
import { invitationText, inviteExpiresText, inviteJoinText, roleWithArticle } from './invite-words'

describe('invitation words', () => {
  it('says the role with its article', () => {
    expect(roleWithArticle('editor')).toBe('an editor')
    expect(roleWithArticle('viewer')).toBe('a viewer')
    expect(roleWithArticle('admin')).toBe('an admin')
  })

  it('says how long an invitation still works, rounded up', () => {
    expect(inviteExpiresText(1000, 1000)).toBe('Expired')
    expect(inviteExpiresText(10 * 60_000, 0)).toBe('Expires in 10 min')
    expect(inviteExpiresText(60 * 60_000, 0)).toBe('Expires in 1 hour')
    expect(inviteExpiresText(23.5 * 60 * 60_000, 0)).toBe('Expires in 24 hours')
    expect(inviteExpiresText(7 * 24 * 60 * 60_000, 0)).toBe('Expires in 7 days')
  })

  it('lists an invitation by role, uses left and expiry', () => {
    const invitation = { id: 'x', role: 'editor', uses: 3, usesLeft: 2, expiresAt: 2 * 60 * 60_000 } as const
    expect(invitationText(invitation, 0)).toBe('Editor · 2 uses left · Expires in 2 hours')
  })

  it('says each step of a join', () => {
    expect(inviteJoinText({ kind: 'unreachable' })).toMatch(/Nobody from the space is online right now/)
    expect(inviteJoinText({ kind: 'receiving', spaceName: 'Garden plans' })).toBe('Receiving Garden plans…')
    expect(inviteJoinText({ kind: 'failed', problem: { code: 'invitation-used', message: 'Used.' } })).toBe('Used.')
  })
})
