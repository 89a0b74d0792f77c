import { describe, expect, it } from 'vitest'
import type { Space, SpaceId } from '../../echo'
import { generateKeyPair, type HaloIdentity, type IdentityKey, type SpaceRole } from '../../halo'
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

describe('who may write in a space ECHO has open but the mesh not yet (just adopted)', () => {
  const space = 'a'.repeat(64) as SpaceId
  const [editor, viewer] = [keyOf(), keyOf()]
  const roles = new Map<string, SpaceRole>([
    [editor, 'editor'],
    [viewer, 'viewer'],
  ])
  /** The parts of a Space the rule reads: its roles by the log. */
  const adopted = { id: space, personal: false, roleOf: (key: string) => roles.get(key) } as unknown as Space
  const identity = meshIdentityOf(
    halo,
    () => undefined,
    new Map(),
    (id) => Promise.resolve(id === space ? adopted : undefined),
  )

  it('its log decides: a change an editor sends in that moment is kept (it is sent once), a viewer’s is not', async () => {
    expect(await identity.mayWrite(space, editor)).toBe(true)
    expect(await identity.mayWrite(space, viewer)).toBe(false)
    expect(await identity.mayWrite(space, keyOf())).toBe(false)
  })

  it('a space ECHO does not have either: only our own identity', async () => {
    const other = 'b'.repeat(64) as SpaceId
    expect(await identity.mayWrite(other, me)).toBe(true)
    expect(await identity.mayWrite(other, editor)).toBe(false)
    expect(await identity.mayWrite(space, null)).toBe(false)
  })
})
