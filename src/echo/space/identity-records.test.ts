import { Repo } from '@automerge/automerge-repo'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { generateKeyPair, issueCredential, type IdentityKey } from '../../halo'
import type { SpaceDoc } from './documents'
import { identityCredentialsIn, keepIdentityCredentials, onIdentityCredentials } from './identity-records'

const profile = (displayName: string, at: number) => {
  const identity = generateKeyPair<IdentityKey>()
  return issueCredential({
    issuer: identity.publicKey,
    subject: identity.publicKey,
    assertion: { kind: 'Profile', displayName, avatar: { colour: '#2f5d50' } },
    signer: { key: identity },
    clock: new ManualClock(at),
  })
}

const personalRoot = () =>
  new Repo().create<SpaceDoc>({
    kind: 'commonplace/space',
    space: 'a'.repeat(64),
    name: 'Personal',
    personal: true,
    log: {},
    documents: {},
    epochs: {},
  })

describe('identity credentials in the personal space', () => {
  it('keeps each credential once and gives back the same values', () => {
    const root = personalRoot()
    const first = profile('Ada', 1)
    const second = profile('Ada L.', 2)
    expect(keepIdentityCredentials(root, [first])).toBe(1)
    expect(keepIdentityCredentials(root, [first, second])).toBe(1)
    expect(keepIdentityCredentials(root, [second])).toBe(0)
    expect(identityCredentialsIn(root)).toEqual(expect.arrayContaining([first, second]))
    expect(identityCredentialsIn(root)).toHaveLength(2)
  })

  it('keeps a copy of a kept id with another proof beside it, each copy once', () => {
    const root = personalRoot()
    const credential = profile('Ada', 1)
    const resigned = { ...credential, proof: { ...credential.proof, signature: 'f'.repeat(128) } }
    expect(keepIdentityCredentials(root, [credential])).toBe(1)
    expect(keepIdentityCredentials(root, [resigned, credential])).toBe(1)
    expect(keepIdentityCredentials(root, [resigned])).toBe(0)
    expect(identityCredentialsIn(root)).toEqual(expect.arrayContaining([credential, resigned]))
    expect(identityCredentialsIn(root)).toHaveLength(2)
  })

  it('keeps both copies of one id that two devices kept first at once, once their changes meet', () => {
    const laptop = personalRoot()
    // The map exists by then: the device that made the space kept the first credentials before any other had it.
    keepIdentityCredentials(laptop, [profile('Sam', 0)])
    const phone = new Repo().clone(laptop)
    const credential = profile('Ada', 1)
    const resigned = { ...credential, proof: { ...credential.proof, signature: 'f'.repeat(128) } }
    keepIdentityCredentials(laptop, [credential])
    keepIdentityCredentials(phone, [resigned])
    laptop.merge(phone)
    expect(identityCredentialsIn(laptop)).toEqual(expect.arrayContaining([credential, resigned]))
    expect(identityCredentialsIn(laptop)).toHaveLength(3)
  })

  it('tells a listener when credentials arrive, and only then', () => {
    const root = personalRoot()
    const seen: unknown[][] = []
    const stop = onIdentityCredentials(root, (credentials) => seen.push(credentials))
    root.change((doc) => {
      doc.name = 'Renamed'
    })
    const credential = profile('Grace', 3)
    keepIdentityCredentials(root, [credential])
    stop()
    keepIdentityCredentials(root, [profile('Later', 4)])
    expect(seen).toEqual([[credential]])
  })
})
