/**
 * Where a new object goes. `grouped` fills shared object documents up to a size
 * (the default, chosen from bench/echo.bench.ts: see CONTEXT.md); `per-object`
 * gives every object its own document. Notes' text always has its own document.
 */
export type Placement =
  { readonly kind: 'grouped'; readonly objectsPerDocument: number } | { readonly kind: 'per-object' }

export const DEFAULT_PLACEMENT: Placement = { kind: 'grouped', objectsPerDocument: 1000 }

/** How many more objects a document holding `count` objects may take. */
export const roomLeft = (placement: Placement, count: number): number => {
  switch (placement.kind) {
    case 'grouped':
      return placement.objectsPerDocument - count
    case 'per-object':
      return count === 0 ? 1 : 0
  }
}
