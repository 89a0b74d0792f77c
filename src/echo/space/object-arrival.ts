import type { DocHandle } from '@automerge/automerge-repo/slim'

/**
 * How long a write waits for an object the shared index lists but this tab does not hold yet: the index is one per
 * profile, and another tab's change reaches this tab (its root's listing, then the object's document) over the tab
 * channel a moment after that tab indexed it (`tabs.test.ts` read the task from the index and its update found no
 * object in 1 to 9 runs of 12). Past it the object is not found, as before.
 */
export const OBJECT_ARRIVAL_MS = 2_000

/**
 * What `look` finds, as soon as it finds it: looked for now and after each change of the documents `sources` names
 * (they may grow as `look` gets further); undefined after `ms`.
 */
export const arrival = <T>(
  look: () => Promise<T | undefined>,
  sources: () => readonly DocHandle<unknown>[],
  ms: number,
): Promise<T | undefined> =>
  new Promise((resolve) => {
    const heard = new Set<DocHandle<unknown>>()
    let finished = false
    const finish = (value: T | undefined): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      for (const handle of heard) handle.off('change', check)
      resolve(value)
    }
    const check = (): void => {
      void look().then(
        (value) => {
          if (value !== undefined) finish(value)
          // A document `look` reached only now is heard from now on, and looked at once more (it may have changed).
          else if (!finished && listen()) check()
        },
        () => {
          finish(undefined)
        },
      )
    }
    const listen = (): boolean => {
      let added = false
      for (const handle of sources()) {
        if (heard.has(handle)) continue
        heard.add(handle)
        handle.on('change', check)
        added = true
      }
      return added
    }
    const timer = setTimeout(() => {
      finish(undefined)
    }, ms)
    listen()
    check()
  })
