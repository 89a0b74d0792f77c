import { describe, expect, it } from 'vitest'
import type { EpochRecord } from '../membership/fold'
import type { CredentialId } from '../../halo'
import type { EpochManifest, SpaceDoc } from './documents'
import { legacyManifestHash, manifestHash, manifestMatches } from './epoch-manifest'
import { appliedReplacements } from './epoch-trust'

/** A fixed manifest, heads and ids deliberately unsorted. */
const manifest: EpochManifest = {
  number: 3,
  documents: {
    '4NMNnkKeqQbcVDcVVN8Azb6mNE7P': ['f1e2d3c4b5a69788', '0a1b2c3d4e5f6071'],
    '2hTdYwS8rmrwuyJYF7mRxxEMT1sS': ['9c8b7a6f5e4d3c2b'],
  },
  replaced: {
    '3yB4f5QxS3xmPm5hDfQyw4JQ6Wfk': { into: '4NMNnkKeqQbcVDcVVN8Azb6mNE7P', heads: ['bb', 'aa'] },
    '2Bq7pWz7X6wGcP9WjqGyZ1X9m1yZ': { into: '2hTdYwS8rmrwuyJYF7mRxxEMT1sS', heads: ['cc'] },
  },
}

/** What main's `sha256(canonicalManifest(manifest))` gave for it before canonical JSON (run on main, 2026-11-26). */
const RECORDED_BEFORE = 'sha256:e67fa196cc4ad02e330a2477c0db4c62510f77f4e48e734eb4fd7c8735720fb3'
/** SHA-256 of its canonical JSON (keys sorted: documents, number, replaced; heads, into), what epochs record now. */
const CANONICAL = 'sha256:56cdb5a4524b4fbdd8392797fffdfabf09043dfc5018405cff26925f7eaccbb4'

const rootWith = (snapshot: string, stored: EpochManifest): SpaceDoc => ({
  kind: 'commonplace/space',
  space: 'space',
  name: 'Work',
  personal: false,
  log: {},
  documents: {},
  epochs: { [snapshot]: stored },
})

const epochAt = (snapshot: string): EpochRecord => ({
  number: 3,
  snapshot,
  credential: 'c'.repeat(64) as CredentialId,
  issuedAt: 0,
})

describe('epoch manifest hash', () => {
  it('new epochs hash the canonical JSON of the manifest', async () => {
    expect(await manifestHash(manifest)).toBe(CANONICAL)
  })

  it('the encoding of epochs recorded before is unchanged, and their hash still verifies', async () => {
    expect(await legacyManifestHash(manifest)).toBe(RECORDED_BEFORE)
    expect(await manifestMatches(manifest, RECORDED_BEFORE)).toBe(true)
    expect(await manifestMatches(manifest, CANONICAL)).toBe(true)
  })

  it('an epoch applied before canonical JSON still has its replacements followed', async () => {
    const replaced = await appliedReplacements(rootWith(RECORDED_BEFORE, manifest), epochAt(RECORDED_BEFORE))
    expect(replaced.map(([old]) => old).sort()).toEqual([
      '2Bq7pWz7X6wGcP9WjqGyZ1X9m1yZ',
      '3yB4f5QxS3xmPm5hDfQyw4JQ6Wfk',
    ])
  })

  it('a manifest changed in one head matches neither hash', async () => {
    const changed = { ...manifest, documents: { ...manifest.documents, '2hTdYwS8rmrwuyJYF7mRxxEMT1sS': ['00'] } }
    expect(await manifestMatches(changed, RECORDED_BEFORE)).toBe(false)
    expect(await manifestMatches(changed, CANONICAL)).toBe(false)
    expect(await appliedReplacements(rootWith(RECORDED_BEFORE, changed), epochAt(RECORDED_BEFORE))).toEqual([])
  })

  it('a manifest outside canonical JSON (a fractional number) is judged by the old encoding only', async () => {
    const fraction = { ...manifest, number: 2.5 }
    expect(await manifestMatches(fraction, RECORDED_BEFORE)).toBe(false)
    expect(await manifestMatches(fraction, await legacyManifestHash(fraction))).toBe(true)
  })
})
