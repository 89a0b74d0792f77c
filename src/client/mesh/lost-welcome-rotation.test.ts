import { describe, expect, it, vi } from 'vitest'
import { Cell, ok, toBase64Url, toHex } from '../../base'
import type { MembershipState, Space, SpaceId, SpaceRow, SwarmBoxEntry } from '../../echo'
import { foldMembership } from '../../echo'
import {
  actor,
  alice,
  base,
  baseHead,
  bob,
  guests,
  invite,
  linkKey,
  redeem,
  space,
} from '../../echo/testing/invitations'
import type { PublicKey } from '../../halo'
import { generateKeyPair, newSwarmSecret, sealFor, swarmCommitment, swarmRoom } from '../../halo'
import { signWith } from '../../halo/testing'
import { sharedSpaces } from './shared-spaces'
import { aadOf, signedBytesOf } from './swarm-boxes'
import { swarmKeysOf } from './testing/swarm-keys'
import { followSwarmSecrets } from './swarm-secrets'

const SPACE = space
const WAIT = { timeout: 5_000 }
const [ada, ben] = guests

/** A shared space as `sharedSpaces` reads it: the real fold of a log, and its root's box entries. */
const spaceOver = (log: Cell<MembershipState>, entries: readonly { id: string; kind: string }[]) => {
  const boxes = new Cell<readonly SwarmBoxEntry[]>([])
  const stub = {
    personal: false,
    membership: log,
    entry: (id: string) => {
      const kind = entries.find((each) => each.id === id)?.kind
      return kind === undefined ? undefined : { assertion: { kind } }
    },
    roleOf: (key: PublicKey) => log.get().members.find((member) => member.key === key)?.role,
    isDeviceRevoked: () => false,
    swarmBoxes: () => boxes,
    addSwarmBox: (_actor: unknown, _spaceId: SpaceId, entry: SwarmBoxEntry) => {
      boxes.set([...boxes.get(), entry])
      return ok(true)
    },
  }
  return stub as unknown as Space
}

describe("a lost welcome raises the rotation floor, and the space's secret rotates (review 13, G6)", () => {
  it('two hosts race one single-use link: once both admissions meet in the log, a new generation is drawn', async () => {
    const invitation = invite(alice, { parents: baseHead, key: linkKey(4) })
    const byAlice = redeem(invitation, ada, { heads: [invitation.id], host: alice, key: linkKey(4) })
    const byBob = redeem(invitation, ben, { heads: [invitation.id], host: bob, key: linkKey(4) })
    const before = [...base, invitation, ...byAlice.entries]
    const all = [...before, ...byBob.entries]
    const log = new Cell(foldMembership(SPACE, before))
    const listeners = new Set<() => void>()
    const shared = sharedSpaces({
      actor: actor(alice),
      spaceOf: (id) =>
        id === SPACE
          ? spaceOver(
              log,
              all.map((e) => ({ id: e.id, kind: e.assertion.kind })),
            )
          : undefined,
      onAccessChange: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    })
    // Alice's laptop holds the first generation, sealed to itself in her personal root.
    const laptop = generateKeyPair()
    const first = newSwarmSecret()
    const sealed = { generation: 1, recipient: laptop.publicKey, sealer: laptop.publicKey }
    const unsigned = {
      ...sealed,
      box: toBase64Url(sealFor(laptop.publicKey, first, aadOf(SPACE, 1, laptop.publicKey))),
      commitment: swarmCommitment(first, SPACE, 1),
    }
    const personal = new Cell<readonly SwarmBoxEntry[]>([
      { ...unsigned, sig: toHex(signWith(laptop, signedBytesOf(SPACE, unsigned))) },
    ])
    const row: SpaceRow = {
      id: SPACE,
      rootUrl: 'automerge:x',
      identity: '',
      name: '',
      personal: 0,
      archived: 0,
      createdAt: 0,
    }
    const secrets = followSwarmSecrets({
      shared,
      actor: actor(alice),
      deviceKey: laptop.publicKey,
      personal: {
        swarmBoxes: () => personal,
        addSwarmBox: (_actor, _spaceId, entry) => {
          personal.set([...personal.get(), entry])
          return ok(true)
        },
        listSpace: () => ok(false),
        listedSpaces: new Cell([]),
      },
      spaces: new Cell<readonly SpaceRow[] | undefined>([row]),
      devices: new Cell<readonly PublicKey[]>([laptop.publicKey]),
      isRevoked: () => false,
      keys: swarmKeysOf(laptop),
    })
    await vi.waitFor(() => {
      expect(secrets.rooms.get()[0]?.room).toEqual(swarmRoom(first, SPACE, 1))
    }, WAIT)
    expect(shared.floor(SPACE)).toBe(1)

    // Bob's admission of Ben arrives: the fold keeps one of the two, and the other guest holds the secret all the same.
    log.set(foldMembership(SPACE, all))
    for (const listener of [...listeners]) listener()
    expect(shared.floor(SPACE)).toBe(2)
    await vi.waitFor(() => {
      expect(secrets.rooms.get()[0]?.generation).toBe(2)
    }, WAIT)
    expect(secrets.secret(SPACE)?.secret).not.toEqual(first)
    secrets.stop()
  })
})
