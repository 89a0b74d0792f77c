// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../../echo/testing/fixtures'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Echo } from '../../echo'
import { issueCredential, type PublicKey } from '../../halo'
import { keepRemovalEvidence } from './removal-evidence'

const echoes: Echo[] = []
afterEach(async () => {
  await Promise.all(echoes.splice(0).map((echo) => echo.close()))
})

/** Ada's space with Bo as an editor, and a removal of Bo that Ada signed but that never reached Bo's log. */
const removedUnseen = async () => {
  const ada = makeActor()
  const bo = makeActor()
  const echo = openTestEcho()
  echoes.push(echo)
  const space = await echo.createSpace(ada, 'Garden plans')
  space.admit(ada, bo.identity, 'editor')
  const removal = issueCredential({
    issuer: ada.identity,
    subject: bo.identity,
    assertion: { kind: 'MemberRemoved', space: space.id as string as PublicKey },
    signer: ada.signer,
    clock: new ManualClock(T0 + 1),
    parents: space.membership.get().heads,
  })
  return { space, bo, removal }
}

describe('our removal shown by a peer that refuses us', () => {
  it('is kept when the log holds another copy of its id that does not hold', async () => {
    const { space, bo, removal } = await removedUnseen()
    // A member who read the removal puts a copy with a signature of its own under its id in our log first.
    const signature = removal.proof.signature
    space.append({
      ...removal,
      proof: { ...removal.proof, signature: `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}` },
    })
    expect(space.roleOf(bo.identity)).toBe('editor')
    expect(keepRemovalEvidence(space, bo.identity, [removal])).toBe(1)
    expect(space.roleOf(bo.identity)).toBeUndefined()
  })

  it('is kept once: shown again, it writes nothing', async () => {
    const { space, bo, removal } = await removedUnseen()
    expect(keepRemovalEvidence(space, bo.identity, [removal, removal])).toBe(1)
    expect(space.roleOf(bo.identity)).toBeUndefined()
    expect(keepRemovalEvidence(space, bo.identity, [removal])).toBe(0)
  })
})
