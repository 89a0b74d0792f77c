import { createEffect, onCleanup } from 'solid-js'

/**
 * Keeps focus on a control whose row `<For>` moves: the browser blurs a focused
 * element when its node is moved in the document, and focus falls to `<body>`.
 * `keep(element)` before a move; after each change of `track`, focus that has
 * fallen to nowhere goes back to it. Clicking or focusing anything else lets go.
 */
export const createFocusKeeper = (track: () => unknown): { keep: (element: HTMLElement) => void } => {
  let kept: HTMLElement | undefined
  const release = () => {
    kept = undefined
  }
  const onFocusIn = (event: FocusEvent) => {
    if (event.target !== kept) release()
  }
  document.addEventListener('focusin', onFocusIn)
  document.addEventListener('pointerdown', release, true)
  onCleanup(() => {
    document.removeEventListener('focusin', onFocusIn)
    document.removeEventListener('pointerdown', release, true)
  })
  createEffect(() => {
    track()
    const lost = document.activeElement === null || document.activeElement === document.body
    if (kept?.isConnected === true && lost) kept.focus()
  })
  return {
    keep: (element) => {
      kept = element
    },
  }
}
