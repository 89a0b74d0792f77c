import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, SpaceRole } from '../../halo'
import { generateKeyPair } from '../../halo'
import type { SpaceId } from '../ids'
import type { Actor } from './entries'
import { issueGenesis, issueMember, issueRemoval } from './entries'
import { foldMembership, roleOf } from './fold'

const clock = new ManualClock(1_800_000_000_000)
const spaceKey = generateKeyPair()
const space = spaceKey.publicKey as string as SpaceId
const [alice, bob, mallory, puppet] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
const actor = (pair: KeyPair): Actor => ({ identity: pair.publicKey, signer: { key: pair } })
/** Claims to be `as` but signs with `by`'s key: the signature does not hold. */
const forged = (as: KeyPair, by: KeyPair): Actor => ({ identity: as.publicKey, signer: { key: by } })
const genesis = issueGenesis(spaceKey, alice.publicKey, clock)
const genesisHead = [genesis[1]?.id ?? ''] as CredentialId[]
const member = (by: Actor, subject: KeyPair, role: SpaceRole, parents: readonly CredentialId[]) => {
  clock.advance(1)
  return issueMember({ actor: by, space, subject: subject.publicKey, role, parents, clock })
}
const removal = (by: Actor, subject: KeyPair, parents: readonly CredentialId[]) => {
  clock.advance(1)
  return issueRemoval({ actor: by, space, subject: subject.publicKey, parents, clock })
}

// Bob is made owner before Mallory (he is senior); then each removes the other concurrently.
const log: Credential[] = [...genesis]
let head = genesisHead
const push = (entry: Credential) => {
  log.push(entry)
  head = [entry.id]
}
push(member(actor(alice), bob, 'owner', head))
for (let i = 0; i < 5; i++) push(member(actor(alice), generateKeyPair(), 'viewer', head))
push(member(actor(alice), mallory, 'owner', head))
const mutual = [removal(actor(bob), mallory, head), removal(actor(mallory), bob, head)]
const honest = [...log, ...mutual]

const roles = (entries: readonly unknown[]) => {
  const state = foldMembership(space, entries)
  return { bob: roleOf(state, bob.publicKey), mallory: roleOf(state, mallory.publicKey) }
}

describe('seniority in a mutual removal', () => {
  it('goes to the member admitted first', () => {
    expect(roles(honest)).toEqual({ bob: 'owner', mallory: undefined })
  })

  it('cannot be forged with an admission whose signature does not hold and that names no parents', () => {
    const junk = member(forged(alice, mallory), mallory, 'owner', [])
    expect(roles([...honest, junk])).toEqual({ bob: 'owner', mallory: undefined })
  })

  it('cannot be forged with a puppet admitting its admitter, with no parents or from the genesis', () => {
    const noParents = [member(actor(mallory), puppet, 'owner', []), member(actor(puppet), mallory, 'owner', [])]
    expect(roles([...honest, ...noParents])).toEqual({ bob: 'owner', mallory: undefined })
    const first = member(actor(mallory), puppet, 'owner', genesisHead)
    const backdated = [first, member(actor(puppet), mallory, 'owner', [first.id])]
    expect(roles([...honest, ...backdated])).toEqual({ bob: 'owner', mallory: undefined })
  })
})
