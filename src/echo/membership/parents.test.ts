import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair } from '../../halo'
import { generateKeyPair } from '../../halo'
import type { SpaceId } from '../ids'
import type { Actor } from './entries'
import { issueGenesis, issueMember } from './entries'
import { chooseParents, MAX_ENTRY_PARENTS } from './parents'

const clock = new ManualClock(1_800_000_000_000)
const spaceKey = generateKeyPair()
const space = spaceKey.publicKey as string as SpaceId
const [alice, carol] = [generateKeyPair(), generateKeyPair()]
const actor = (pair: KeyPair): Actor => ({ identity: pair.publicKey, signer: { key: pair } })
const genesis = issueGenesis(spaceKey, alice.publicKey, clock)
const genesisHead = [genesis[1]?.id ?? ''] as CredentialId[]
const viewer = (parents: readonly CredentialId[], subject: KeyPair = generateKeyPair()) => {
  clock.advance(1)
  return issueMember({ actor: actor(alice), space, subject: subject.publicKey, role: 'viewer', parents, clock })
}

/** A chain of `length` entries, then `heads` entries on its last one. */
const history = (length: number, heads: number) => {
  const log: Credential[] = [...genesis]
  let last = genesisHead
  for (let i = 0; i < length; i++) {
    const entry = viewer(last)
    log.push(entry)
    last = [entry.id]
  }
  const tips = Array.from({ length: heads }, () => viewer(last))
  log.push(...tips)
  return { log, tips }
}

/** The entries by id, counting lookups (the work of the choice). */
const counted = (log: readonly Credential[]) => {
  const lookups = { count: 0 }
  const entries = new Map(log.map((entry) => [entry.id, entry]))
  const get = entries.get.bind(entries)
  entries.get = (id) => {
    lookups.count++
    return get(id)
  }
  return { entries, lookups }
}

describe('the parents of a new entry beyond 64 heads', () => {
  it('puts heads whose history involves the issuer or the subject first', () => {
    const { log, tips } = history(3, 70)
    const late = viewer(genesisHead, carol)
    const { entries } = counted([...log, late])
    const positions = new Map([...tips, late].map((entry, index) => [entry.id, index]))
    const heads = [...tips, late].map((entry) => entry.id)
    const parents = chooseParents({ heads, entries, positions, issuer: alice.publicKey, subject: carol.publicKey })
    expect(parents).toHaveLength(MAX_ENTRY_PARENTS)
    expect(parents).toContain(late.id)
  })

  it('looks at each entry of the history a bounded number of times, not once per head', () => {
    const { log, tips } = history(400, 200)
    const { entries, lookups } = counted(log)
    const positions = new Map(tips.map((entry, index) => [entry.id, index]))
    const heads = tips.map((entry) => entry.id)
    const stranger = generateKeyPair().publicKey
    chooseParents({ heads, entries, positions, issuer: carol.publicKey, subject: stranger })
    // Before: every head walked the whole chain (200 x 400 lookups).
    expect(lookups.count).toBeLessThan(3 * log.length)
  })
})
