import { Cell, type Observable } from '../base'

/** Whether the browser believes it has a network; peers and relays are judged separately. */
export const watchConnectivity = (target: Window = window): Observable<boolean> => {
  const online = new Cell(target.navigator.onLine)
  target.addEventListener('online', () => {
    online.set(true)
  })
  target.addEventListener('offline', () => {
    online.set(false)
  })
  return online
}
