/** The worker that runs viewer checks off the page's thread (spawned by `spawnViewerCheckWorker`). */
import type { ToViewerCheck } from './viewer-check'
import { ViewerCheckHost } from './viewer-check-host'

interface WorkerScope {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: MessageEvent<ToViewerCheck>) => void): void
}

const scope = self as unknown as WorkerScope
const host = new ViewerCheckHost((message) => {
  scope.postMessage(message)
})
scope.addEventListener('message', (event) => {
  host.receive(event.data)
})
