/**
 * Focus that a view change dropped: when the focused control is taken away with its view (a link followed, a
 * join finished), the browser puts focus on the page itself and the next Tab starts from the top. `target` (the
 * main region, where the skip link also leads) takes it instead; focus anywhere else is left alone.
 */
export const focusIfLost = (target: HTMLElement): void => {
  const { activeElement, body } = target.ownerDocument
  if (activeElement === null || activeElement === body) target.focus()
}
