// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../../echo/testing/fixtures'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { foldMembership, type Actor, type Space } from '../../echo'
import { generateKeyPair, invitationKey, newLinkSecret, type IdentityKey, type PublicKey } from '../../halo'
import type { InviteOffer } from '../../mesh'
import { mayProve } from './offer-precheck'
import { adminsSignedBy } from './testing/junk-entries'

const HOUR = 60 * 60_000
const echoes: ReturnType<typeof openTestEcho>[] = []
afterEach(async () => {
  await Promise.all(echoes.splice(0).map((echo) => echo.close()))
})

/** Ada's space with an invitation of hers, and the offer a host sends for it (the log as it crosses the wire). */
const setup = async () => {
  const echo = openTestEcho()
  echoes.push(echo)
  const ada = makeActor(generateKeyPair<IdentityKey>())
  const space = await echo.createSpace(ada, 'Garden plans')
  const inviteKey = invitationKey(newLinkSecret()).publicKey
  const invite = (by: Actor, key = inviteKey) => {
    const issued = space.invite(by, { key, role: 'editor', uses: 1, until: T0 + HOUR })
    if (!issued.ok) throw issued.error
    return issued.value
  }
  const delegation = invite(ada)
  const offerOf = (log: readonly unknown[] = space.logValues(), shown = delegation): InviteOffer => ({
    v: 1,
    t: 'offer',
    spaceName: 'Garden plans',
    role: 'editor',
    delegation: JSON.parse(JSON.stringify(shown)) as unknown,
    profile: null,
    heads: [],
    log: JSON.parse(JSON.stringify(log)) as unknown[],
  })
  const claim = (host: PublicKey) => ({ spaceId: space.id, inviteKey, host })
  return { space, ada, invite, offerOf, claim }
}

/** Admins `signer` admits to the space, on its heads. */
const junkOf = (space: Space, signer: Actor, count: number, subject?: PublicKey) =>
  adminsSignedBy(signer, space.id, count, {
    parents: [...space.membership.get().heads],
    clock: new ManualClock(T0),
    ...(subject === undefined ? {} : { subject }),
  })

const timed = (run: () => unknown): number => {
  const start = performance.now()
  run()
  return Math.round(performance.now() - start)
}

describe('what the guest checks of an offer before it folds the log (review 14 H1)', { timeout: 60_000 }, () => {
  it('passes the owner, an admin the owner admitted, and an admin that admin admitted', async () => {
    const { space, ada, offerOf, claim } = await setup()
    const bea = makeActor(generateKeyPair<IdentityKey>())
    const cal = makeActor(generateKeyPair<IdentityKey>())
    expect(space.admit(ada, bea.identity, 'admin').ok).toBe(true)
    expect(space.admit(bea, cal.identity, 'admin').ok).toBe(true)
    for (const host of [ada, bea, cal]) expect(mayProve(offerOf(), claim(host.identity))).toBe(true)
  })

  it('refuses a host whose log gives it no role that may share', async () => {
    const { space, ada, offerOf, claim } = await setup()
    const eli = makeActor(generateKeyPair<IdentityKey>())
    expect(space.admit(ada, eli.identity, 'editor').ok).toBe(true)
    expect(mayProve(offerOf(), claim(eli.identity))).toBe(false)
    expect(mayProve(offerOf(), claim(generateKeyPair().publicKey))).toBe(false)
  })

  it('refuses a delegation that is not the link’s, or not in the log', async () => {
    const { space, ada, invite, offerOf, claim } = await setup()
    const other = invite(ada, invitationKey(newLinkSecret()).publicKey)
    expect(mayProve(offerOf(space.logValues(), other), claim(ada.identity))).toBe(false)
    const withoutIt = space.logValues().filter((value) => (value as { id: string }).id !== other.id)
    expect(mayProve(offerOf(withoutIt, other), claim(ada.identity))).toBe(false)
    expect(mayProve({ ...offerOf(), role: 'admin' }, claim(ada.identity))).toBe(false)
    expect(mayProve({ ...offerOf(), delegation: { junk: true } }, claim(ada.identity))).toBe(false)
  })

  it('refuses a stranger’s crafted log of 1,500 entries in a fraction of its fold', async () => {
    const { space, offerOf, claim } = await setup()
    const mallory = makeActor(generateKeyPair<IdentityKey>())
    // Admissions of Mallory she signed herself, or signed under Ada's name by a key that is not Ada's device.
    const adaName = { identity: space.membership.get().members[0]?.key as IdentityKey, signer: mallory.signer }
    const log = [
      ...space.logValues(),
      ...junkOf(space, mallory, 100, mallory.identity),
      ...junkOf(space, adaName, 100, mallory.identity),
    ]
    log.push(...junkOf(space, mallory, 1_500 - log.length))
    const offer = offerOf(log)
    let proved = true
    // The fold first: the process's first signature check also builds the curve's tables.
    const folded = timed(() => foldMembership(space.id, offer.log))
    const checked = timed(() => (proved = mayProve(offer, claim(mallory.identity))))
    console.info(`${String(offer.log.length)} entries: check ${String(checked)} ms, fold ${String(folded)} ms`)
    expect(proved).toBe(false)
    expect(checked).toBeLessThan(folded)
  })

  it('refuses a real host’s log replayed by a stranger', async () => {
    const { space, ada, offerOf, claim } = await setup()
    for (let at = 0; at < 20; at++) space.admit(ada, makeActor().identity, 'viewer')
    expect(mayProve(offerOf(), claim(makeActor().identity))).toBe(false)
  })
})
