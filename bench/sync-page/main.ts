/// <reference types="vite/client" />
/**
 * The page `bench/sync.bench.ts` drives in Chromium, one per browser profile.
 * `window.syncBench.app` runs the real client (a laptop with an identity, or a
 * phone linked to it); `window.syncBench.plain` is the baseline: plain
 * automerge-repo and a raw data channel over the same Trystero transport, no
 * auth. See plain.ts and app.ts. `tap` times data-channel frames (channel-tap.ts).
 */
// First: it wraps RTCDataChannel before any connection is made.
import { channelTap } from './channel-tap.ts'
import { app } from './app.ts'
import { plain } from './plain.ts'

const api = { app, plain, tap: channelTap }
export type SyncBenchApi = typeof api
Object.assign(globalThis, { syncBench: api })
