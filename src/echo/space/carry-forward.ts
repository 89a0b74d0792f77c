/**
 * Carrying late changes across an epoch. An epoch copies each object document at
 * known heads into a fresh one; a write that reaches the old document after those
 * heads (another tab that had not seen the epoch yet, a peer) would be lost with
 * it. Here, the old document at the snapshot heads is the common base of both: a
 * key of an object (or of its fields) that the old document changed since is
 * written into the fresh one if the fresh one still holds the base value; if both
 * changed it, the fresh one (which knew about the epoch) keeps its value. Running
 * it twice changes nothing the second time.
 */
import { view } from '@automerge/automerge/slim'
import type { DocHandle, UrlHeads } from '@automerge/automerge-repo/slim'
import { decodeHeads } from '@automerge/automerge-repo/slim'
import type { ObjectsDoc } from './documents'
import { toPlain, toStored } from './documents'

type Plain = Readonly<Record<string, unknown>>

const recordOf = (value: unknown): Plain | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Plain) : undefined

const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  const [x, y] = [recordOf(a), recordOf(b)]
  if (x === undefined || y === undefined) return JSON.stringify(a) === JSON.stringify(b)
  const keys = new Set([...Object.keys(x), ...Object.keys(y)])
  return [...keys].every((key) => same(x[key], y[key]))
}

/** One write into the fresh document: `path` under `objects`, a value or `undefined` to delete. */
interface Carry {
  readonly path: readonly string[]
  readonly value: unknown
}

const keysOf = (...records: (Plain | undefined)[]) => new Set(records.flatMap((record) => Object.keys(record ?? {})))

/** The writes that bring `theirs`' changes since `base` into `ours`, key by key. */
const carriesFor = (id: string, base: unknown, theirs: unknown, ours: unknown): Carry[] => {
  if (same(base, theirs)) return []
  const [b, t, o] = [recordOf(base), recordOf(theirs), recordOf(ours)]
  // Created after the snapshot, or deleted since: whole, if the fresh document has not touched it.
  if (b === undefined || t === undefined) return same(ours, base) ? [{ path: [id], value: theirs }] : []
  if (o === undefined) return []
  const carries: Carry[] = []
  for (const key of keysOf(b, t)) {
    if (key === 'fields') continue
    if (!same(b[key], t[key]) && same(o[key], b[key])) carries.push({ path: [id, key], value: t[key] })
  }
  const [bf, tf, of] = [recordOf(b.fields), recordOf(t.fields), recordOf(o.fields)]
  if (bf === undefined || tf === undefined || of === undefined) {
    if (!same(b.fields, t.fields) && same(o.fields, b.fields)) carries.push({ path: [id, 'fields'], value: t.fields })
    return carries
  }
  for (const field of keysOf(bf, tf)) {
    if (!same(bf[field], tf[field]) && same(of[field], bf[field])) {
      carries.push({ path: [id, 'fields', field], value: tf[field] })
    }
  }
  return carries
}

const write = (objects: Record<string, unknown>, { path, value }: Carry): void => {
  let target = objects
  for (const key of path.slice(0, -1)) {
    const next = recordOf(target[key])
    if (next === undefined) return
    target = next
  }
  const last = path[path.length - 1] ?? ''
  if (value === undefined) Reflect.deleteProperty(target, last)
  else target[last] = toStored(value)
}

/** Brings what changed in `old` after `since` into `fresh`; returns how many keys were written. */
export const carryForward = (
  old: DocHandle<ObjectsDoc>,
  since: readonly string[],
  fresh: DocHandle<ObjectsDoc>,
): number => {
  const now = old.doc()
  if (same([...old.heads()].sort(), [...since].sort())) return 0
  const base = recordOf(toPlain(view(now, decodeHeads(since as UrlHeads)).objects)) ?? {}
  const theirs = recordOf(toPlain(now.objects)) ?? {}
  const ours = recordOf(toPlain(fresh.doc().objects)) ?? {}
  const carries = [...keysOf(base, theirs)].flatMap((id) => carriesFor(id, base[id], theirs[id], ours[id]))
  if (carries.length > 0) {
    fresh.change((doc) => {
      for (const carry of carries) write(doc.objects, carry)
    })
  }
  return carries.length
}
