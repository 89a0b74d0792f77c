/**
 * A leave or a removal changes its subject's role only, whatever parents its signer picks (review 13, G1): it voids
 * no admission by invitation and closes no invitation, so a member cannot evict others by backdating one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkProperty, propertyTimeout } from '../../base/testing/properties'
import type { Credential, CredentialId } from '../../halo'
import { fixedKeyPair } from '../../halo/testing'
import {
  actor,
  alice,
  base,
  baseHead,
  bob,
  carol,
  clock,
  guests,
  incremental,
  invite,
  linkKey,
  redeem,
  removal,
  space,
  T0,
  verdict,
} from '../testing/invitations'
import { viewerEntryKind } from '../viewer-log-entry'
import { issueMember } from './entries'
import { foldMembership, roleOf } from './fold'
import { checkInvitationUse } from './invitation-check'

const [ada, ben] = guests
const dave = fixedKeyPair(30)
const x = fixedKeyPair(32)
const y = fixedKeyPair(33)
const fold = (log: readonly unknown[]) => foldMembership(space, log)
const problem = (result: ReturnType<typeof checkInvitationUse>) => (result.ok ? 'ok' : result.error.code)

/** Dave, a viewer the owner admitted; every invitation below came after him. */
const daveViewer = issueMember({
  actor: actor(alice),
  space,
  subject: dave.publicKey,
  role: 'viewer',
  parents: baseHead,
  clock,
})

describe('a backdated leave or removal (review 13, G1)', () => {
  it('a viewer who leaves naming only his own admission evicts nobody and cancels no invitation', () => {
    const invitation = invite(alice, { parents: [daveViewer.id], key: linkKey(0) })
    const adaIn = redeem(invitation, ada, { heads: [invitation.id] })
    const open = invite(bob, { parents: [adaIn.id], key: linkKey(1) })
    const log = [...base, daveViewer, invitation, ...adaIn.entries, open]
    const leave = removal(dave, dave, [daveViewer.id])
    // The sync screen takes it as his own leave: what it may change is the fold's to say.
    expect(viewerEntryKind(leave.id, leave, dave.publicKey, clock)).toBe('leave')
    const after = fold([...log, leave])
    expect(verdict(after, leave.id)).toBe('applied')
    expect(roleOf(after, dave.publicKey)).toBeUndefined()
    expect(roleOf(after, ada.publicKey)).toBe('editor')
    expect(verdict(after, adaIn.id)).toBe('applied')
    expect(problem(checkInvitationUse(after, open.id, T0 + 2000))).toBe('ok')
    expect(after.invitations.map((known) => known.cancelled)).toEqual([false, false])
    expect(incremental([...log, leave])).toEqual(after)
    // A leave naming the current heads closes no open invitation either.
    const honest = fold([...log, removal(dave, dave, [open.id])])
    expect(roleOf(honest, ada.publicKey)).toBe('editor')
    expect(problem(checkInvitationUse(honest, open.id, T0 + 2000))).toBe('ok')
  })

  it('an admin who removes an editor with old parents leaves in the admin the owner invited', () => {
    const invitation = invite(alice, { role: 'admin', parents: baseHead, key: linkKey(2) })
    const benIn = redeem(invitation, ben, { heads: [invitation.id], key: linkKey(2) })
    const kick = removal(bob, carol, baseHead)
    const after = fold([...base, invitation, ...benIn.entries, kick])
    expect(verdict(after, kick.id)).toBe('applied')
    expect(roleOf(after, carol.publicKey)).toBeUndefined()
    expect(roleOf(after, ben.publicKey)).toBe('admin')
    expect(verdict(after, benIn.id)).toBe('applied')
  })

  it('a viewer’s backdated leave keeps an invited admin, what was built on her entries, and the owner’s removal', () => {
    const invitation = invite(alice, { role: 'admin', parents: [daveViewer.id], key: linkKey(5) })
    const adaIn = redeem(invitation, ada, { heads: [invitation.id], key: linkKey(5) })
    const xByAda = issueMember({
      actor: actor(ada),
      space,
      subject: x.publicKey,
      role: 'editor',
      parents: [adaIn.id],
      clock,
    })
    const yByAlice = issueMember({
      actor: actor(alice),
      space,
      subject: y.publicKey,
      role: 'editor',
      parents: [xByAda.id],
      clock,
    })
    const carolOut = removal(alice, carol, [yByAlice.id])
    const log = [...base, daveViewer, invitation, ...adaIn.entries, xByAda, yByAlice, carolOut]
    const leave = removal(dave, dave, [daveViewer.id])
    const after = fold([...log, leave])
    expect([ada, x, y, carol].map((pair) => roleOf(after, pair.publicKey))).toEqual([
      'admin',
      'editor',
      'editor',
      undefined,
    ])
    expect([adaIn, xByAda, yByAlice, carolOut].map((entry) => verdict(after, entry.id))).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ])
  })

  it(
    'changes nobody’s role but its subject’s, whatever parents it names (leave or removal, every delivery order)',
    () => {
      const eve = fixedKeyPair(34)
      const eveEditor = issueMember({
        actor: actor(alice),
        space,
        subject: eve.publicKey,
        role: 'editor',
        parents: [daveViewer.id],
        clock,
      })
      const byLink = invite(alice, { role: 'admin', parents: [eveEditor.id], key: linkKey(6) })
      const adaIn = redeem(byLink, ada, { heads: [byLink.id], key: linkKey(6) })
      const xByAda = issueMember({
        actor: actor(ada),
        space,
        subject: x.publicKey,
        role: 'editor',
        parents: [adaIn.id],
        clock,
      })
      const byBob = invite(bob, { parents: [xByAda.id], key: linkKey(7), uses: 2 })
      const benIn = redeem(byBob, ben, { heads: [byBob.id], key: linkKey(7), host: bob })
      const yByAlice = issueMember({
        actor: actor(alice),
        space,
        subject: y.publicKey,
        role: 'editor',
        parents: [benIn.id],
        clock,
      })
      const carolOut = removal(alice, carol, [yByAlice.id])
      const open = invite(ada, { parents: [carolOut.id], key: linkKey(8) })
      const log: Credential[] = [
        ...base,
        daveViewer,
        eveEditor,
        byLink,
        ...adaIn.entries,
        xByAda,
        byBob,
        ...benIn.entries,
        yByAlice,
        carolOut,
        open,
      ]
      const before = fold(log)
      expect(before.members).toHaveLength(8)
      // Dave leaves, or an admin (bob, or ada invited) removes dave or eve, naming any entries of the log.
      const moves = [
        { by: dave, subject: dave },
        { by: bob, subject: eve },
        { by: bob, subject: dave },
        { by: ada, subject: eve },
      ] as const
      checkProperty(
        fc.property(
          fc.nat(moves.length - 1),
          fc.array(fc.nat(log.length - 1), { maxLength: 4 }),
          fc.array(fc.nat()),
          (which, picked, keys) => {
            const { by, subject } = moves[which] ?? moves[0]
            // The signer's own admission (or one after it), so that its authority holds; then any entries.
            const grant: readonly CredentialId[] = by === dave ? [daveViewer.id] : by === ada ? [adaIn.id] : baseHead
            const parents = [...new Set([...grant, ...picked.flatMap((index) => log[index]?.id ?? [])])]
            const gone = removal(by, subject, parents)
            const whole = [...log, gone]
            const after = fold(whole)
            const delivered = whole
              .map((entry, index) => ({ entry, key: keys[index] ?? index }))
              .sort((a, b) => a.key - b.key)
              .map(({ entry }) => entry)
            expect(incremental(delivered)).toEqual(after)
            expect(fold(delivered)).toEqual(after)
            const others = (state: typeof after) => state.members.filter((known) => known.key !== subject.publicKey)
            expect(others(after)).toEqual(others(before))
            expect(after.invitations).toEqual(before.invitations)
            expect(before.applied.every((id) => after.applied.includes(id))).toBe(true)
          },
        ),
        { seed: 1209, numRuns: 40 },
      )
    },
    propertyTimeout(),
  )
})
