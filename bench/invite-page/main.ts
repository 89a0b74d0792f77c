/// <reference types="vite/client" />
/**
 * The page `bench/invite.bench.ts` drives in Chromium, one per browser profile. `window.inviteBench.app` runs the
 * real client (an owner, or a fresh guest opening its link); `window.inviteBench.plain` is the baseline: two pages
 * meeting in a plain Trystero room through the same signal worker, no handshake (the sync bench's).
 */
import { plain } from '../sync-page/plain.ts'
import { app } from './app.ts'

const api = { app, plain }
export type InviteBenchApi = typeof api
Object.assign(globalThis, { inviteBench: api })
