/** How a read-only editor catches up with its document: replace only the part that differs. */

/** The smallest replacement turning `now` into `next`: the common start and end stay. */
export const replacedPart = (now: string, next: string): { from: number; to: number; insert: string } => {
  let start = 0
  while (start < now.length && start < next.length && now[start] === next[start]) start++
  let end = 0
  while (end < now.length - start && end < next.length - start && now.at(-1 - end) === next.at(-1 - end)) end++
  return { from: start, to: now.length - end, insert: next.slice(start, next.length - end) }
}
