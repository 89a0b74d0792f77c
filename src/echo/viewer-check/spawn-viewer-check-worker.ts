import type { ViewerCheckWorker } from './worker-viewer-check'

/** A worker running viewer checks: the build bundles viewer-check-worker.ts as a file of its own. */
export const spawnViewerCheckWorker = (): ViewerCheckWorker =>
  new Worker(new URL('./viewer-check-worker.ts', import.meta.url), { type: 'module', name: 'viewer-check' })
