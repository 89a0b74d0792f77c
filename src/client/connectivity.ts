import { Cell, type Observable } from '../base'
import type { BrowserEdges } from './edges'

/** Whether the browser believes it has a network; peers and relays are judged separately. */
export const watchConnectivity = (
  target: BrowserEdges['connectivity'],
): { readonly online: Observable<boolean>; stop(): void } => {
  const online = new Cell(target.onLine)
  const up = () => {
    online.set(true)
  }
  const down = () => {
    online.set(false)
  }
  target.addEventListener('online', up)
  target.addEventListener('offline', down)
  return {
    online,
    stop: () => {
      target.removeEventListener('online', up)
      target.removeEventListener('offline', down)
    },
  }
}
