/**
 * What one write changed, so that it can be taken back when its save is refused (a full disk):
 * the page, the document and what is stored then all say the write was not made. Each step puts
 * back, field by field, only what the write changed and nobody changed since, so that a field a
 * peer or another tab changed meanwhile keeps its new value.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { ObjectId } from '../ids'
import type { ObjectsDoc, SpaceDoc } from './documents'
import { objectsOf, toPlain, toStored } from './documents'

type Plain = Record<string, unknown>

const plainRecord = (value: unknown): Plain | undefined => {
  const plain = toPlain(value)
  return typeof plain === 'object' && plain !== null && !Array.isArray(plain) ? (plain as Plain) : undefined
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Puts back in `target` each key the write changed (`before` -> `after`) and nobody changed since
 * (`now` still equals `after`); `nested` keys are taken one level down, field by field.
 */
const putBack = (target: Plain, states: { before: Plain; after: Plain; now: Plain }, nested: readonly string[]) => {
  const { before, after, now } = states
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (same(before[key], after[key])) continue
    const inner = target[key]
    if (nested.includes(key) && typeof inner === 'object' && inner !== null) {
      const level = (state: Plain) => plainRecord(state[key]) ?? {}
      putBack(inner as Plain, { before: level(before), after: level(after), now: level(now) }, [])
    } else if (!same(now[key], after[key])) continue
    else if (before[key] === undefined) Reflect.deleteProperty(target, key)
    else target[key] = toStored(before[key])
  }
}

export class UndoLog {
  readonly #steps: (() => void)[] = []

  /** Makes `change` to objects `ids` of `handle`, remembering them before and after it. */
  objects(handle: DocHandle<ObjectsDoc>, ids: readonly ObjectId[], change: () => void): void {
    const read = (id: ObjectId) => plainRecord(objectsOf(handle.doc())?.[id])
    const before = ids.map(read)
    change()
    const after = ids.map(read)
    this.#steps.push(() => {
      handle.change((doc) => {
        ids.forEach((id, index) => {
          const [was, made, now] = [before[index], after[index], read(id)]
          // Created by the write: it goes. Removed since by someone else: nothing to take back.
          if (was === undefined) Reflect.deleteProperty(doc.objects, id)
          else if (made !== undefined && now !== undefined) {
            putBack(doc.objects[id] as Plain, { before: was, after: made, now }, ['fields'])
          }
        })
      })
    })
  }

  /** Renames the space by `change`, remembering the name before and after it. */
  name(root: DocHandle<SpaceDoc>, change: () => void): void {
    const before = toPlain(root.doc().name)
    change()
    const after = toPlain(root.doc().name)
    this.#steps.push(() => {
      if (same(before, after) || !same(toPlain(root.doc().name), after)) return
      root.change((doc) => {
        doc.name = toStored(before) as string
      })
    })
  }

  /** Takes back every remembered change, the last first; the log is empty afterwards. */
  undo(): void {
    for (const step of this.#steps.splice(0).reverse()) step()
  }
}
