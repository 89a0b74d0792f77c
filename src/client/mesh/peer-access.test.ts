import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import { PeerAccess } from './peer-access'

const S = 's'.repeat(64) as SpaceId
const T = 't'.repeat(64) as SpaceId
const spaceOf = (doc: string): SpaceId | undefined =>
  doc === 'in-s' || doc === 'root-s' ? S : doc === 'in-t' ? T : undefined

describe('PeerAccess', () => {
  it('lets our tabs see everything and a remote only the spaces whose room it passed', () => {
    const access = new PeerAccess({ spaceOf })
    expect(access.allows('peer-tab', 'in-s')).toBe(true)
    expect(access.allows('peer-tab', 'nowhere')).toBe(true)
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
    const revoke = access.grant('cp1.d.r', S, 1)
    expect(access.allows('cp1.d.r', 'in-s')).toBe(true)
    expect(access.allows('cp1.d.r', 'in-t')).toBe(false)
    expect(access.allows('cp1.d.r', 'nowhere')).toBe(false)
    revoke()
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
  })

  it('tells when a remote may see a space it could not see just before (its first grant there)', () => {
    const gained: string[] = []
    const access = new PeerAccess({ spaceOf, gained: (repo, space) => gained.push(`${repo} ${space.slice(0, 1)}`) })
    const first = access.grant('cp1.d.r', S, 1)
    const second = access.grant('cp1.d.r', S, 1)
    access.grant('cp1.d.r', T, 1)
    expect(gained).toEqual(['cp1.d.r s', 'cp1.d.r t'])
    first()
    second()
    // Every room of S left, then met again in a new one (a rotation): S is gained again.
    access.grant('cp1.d.r', S, 1)
    expect(gained).toEqual(['cp1.d.r s', 'cp1.d.r t', 'cp1.d.r s'])
  })

  it('counts grants, so a peer met twice keeps the space until both connections go', () => {
    const access = new PeerAccess({ spaceOf })
    const first = access.grant('cp1.d.r', S, 1)
    const second = access.grant('cp1.d.r', S, 1)
    first()
    first()
    expect(access.spacesOf('cp1.d.r')).toEqual([S])
    second()
    expect(access.spacesOf('cp1.d.r')).toEqual([])
  })

  it('lets a root being adopted go to the adopting space’s peers only if this device placed it nowhere else', () => {
    // 'placed-t' is a document stored here under T that T's root no longer lists.
    const access = new PeerAccess({ spaceOf, placedIn: (doc) => (doc === 'placed-t' ? T : undefined) })
    access.grant('cp1.d.r', S, 1)
    const forgetNew = access.expect('new-root', S)
    expect(access.allows('cp1.d.r', 'new-root')).toBe(true)
    forgetNew()
    access.expect('placed-t', S)
    expect(access.allows('cp1.d.r', 'placed-t')).toBe(false)
  })

  it('tells the remotes already in a space’s room when a root is expected there, so the Repo asks them for it', () => {
    const gained: string[] = []
    const access = new PeerAccess({ spaceOf, gained: (repo, space) => gained.push(`${repo} ${space.slice(0, 1)}`) })
    access.grant('cp1.d.r', S, 1)
    access.grant('cp1.e.r', T, 1)
    gained.length = 0
    access.expect('new-root', S)
    expect(gained).toEqual(['cp1.d.r s'])
  })

  it('lets a peer met only in a room kept below the space’s current generation see the root alone', () => {
    const gained: string[] = []
    let current = 5
    const access = new PeerAccess({
      spaceOf,
      isRoot: (doc) => doc === 'root-s',
      currentGeneration: (space) => (space === S ? current : undefined),
      gained: (repo, space) => gained.push(`${repo} ${space.slice(0, 1)}`),
    })
    const kept = access.grant('cp1.d.r', S, 3)
    expect(access.allows('cp1.d.r', 'root-s')).toBe(true)
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
    // A root being adopted for another space, which S's root lists: not S's root (review of the change, helper 125).
    const forget = access.expect('in-s', T)
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
    forget()
    // Met in the current room too: every document, and the Repo is told it may offer them.
    const now = access.grant('cp1.d.r', S, 5)
    expect(access.allows('cp1.d.r', 'in-s')).toBe(true)
    expect(gained).toEqual(['cp1.d.r s', 'cp1.d.r s'])
    now()
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
    // A rotation here (a room of generation 6 joined) makes generation 5 a kept room as well.
    const again = access.grant('cp1.d.r', S, 5)
    current = 6
    expect(access.allows('cp1.d.r', 'in-s')).toBe(false)
    expect(access.allows('cp1.d.r', 'root-s')).toBe(true)
    kept()
    again()
    expect(access.allows('cp1.d.r', 'root-s')).toBe(false)
  })
})
