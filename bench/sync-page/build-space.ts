/**
 * A space of many objects for the benches, written through ECHO directly as an import would (every other object a
 * note with a paragraph), with the word only note texts hold, so a search for it finds the notes whose text is indexed.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { Echo, initEcho, orderBetween } from '../../src/echo/index.ts'
import type { Draft } from '../../src/echo/index.ts'
import { IdentityStore } from '../../src/halo/index.ts'
import type { HaloIdentity } from '../../src/halo/index.ts'

/** The word every note's text holds and no title does: searching it finds the notes whose text is indexed. */
export const TEXT_WORD = 'paragraphword'
const BATCH = 1000

/** The identity stored on this profile (the client closed, so ECHO may be opened directly). */
export const storedIdentity = async (): Promise<HaloIdentity> => {
  const state = await new IdentityStore({ locks: navigator.locks }).load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  return state.identity
}

/** A space of `count` objects, every other one a note with a paragraph, written by ECHO in batches. */
export const buildSpace = async (identity: HaloIdentity, name: string, count: number): Promise<void> => {
  await initEcho(wasmUrl)
  const echo = new Echo({ locks: navigator.locks })
  const actor = { identity: identity.identityKey, signer: identity.signer }
  const space = await echo.createSpace(actor, name)
  let order = orderBetween()
  for (let first = 0; first < count; first += BATCH) {
    const drafts: Draft[] = []
    for (let i = first; i < Math.min(count, first + BATCH); i++) {
      if (i % 2 === 0) {
        const text = `Note ${i} holds a ${TEXT_WORD} of plain prose, the kind of paragraph a person keeps: what was said at the meeting, what to buy on the way home, a quote worth keeping, and a line about why.`
        drafts.push({ type: 'note', title: `Note ${i}`, text })
      } else {
        order = orderBetween(order)
        drafts.push({ type: 'task', fields: { title: `Task ${i}`, done: false, order } })
      }
    }
    const created = await space.createMany(actor, drafts)
    if (!created.ok) throw created.error
    await echo.settled()
  }
  const flushed = await echo.close()
  if (!flushed.ok) throw flushed.error
}
