import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import { generateKeyPair, type HaloIdentity, type IdentityKey } from '../../halo'
import type { AuthenticatedPeer } from '../../mesh'
import { meshIdentityOf } from './mesh-identity'

const keyOf = () => generateKeyPair<IdentityKey>().publicKey
const me = keyOf()
/** The few parts of HALO's identity the rule for a space not here yet reads. */
const halo = { identityKey: me, isRevoked: () => false, credentials: { get: () => [] } } as unknown as HaloIdentity
const peer = (identity: IdentityKey): AuthenticatedPeer => ({
  peerId: 'p',
  repo: 'r',
  storage: null,
  identity,
  device: generateKeyPair().publicKey,
  chain: null,
  transcript: new Uint8Array(),
  invited: false,
})

describe('who a space not here yet lets in', () => {
  const space = 'a'.repeat(64) as SpaceId
  const writer = keyOf()
  const identity = meshIdentityOf(halo, () => undefined, new Map([[space, new Set([writer])]]))

  it('our own devices, and the writers the invitation’s proved log names', () => {
    expect(identity.admits(space, peer(me))).toBeUndefined()
    expect(identity.admits(space, peer(writer))).toBeUndefined()
  })

  it('nobody else, though it holds the room’s secret (a viewer, a removed member)', () => {
    expect(identity.admits(space, peer(keyOf()))).toEqual({ code: 'not-member' })
    expect(identity.admits('b'.repeat(64) as SpaceId, peer(writer))).toEqual({ code: 'not-member' })
  })
})
