import automergeWasmUrl from '@automerge/automerge/automerge.wasm?url'
import { browserEdges, createClient } from './client'
import { mountApp } from './ui'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

const client = createClient({
  serviceWorkerUrl: import.meta.env.PROD ? '/sw.js' : undefined,
  automergeWasmUrl,
  edges: browserEdges(),
  origin: location.origin,
})
mountApp(root, client, { devices: client.devices, sync: client.sync })
void client.start()

// The last edits reach IndexedDB before the page goes away (tab closed, app switched on a phone).
addEventListener('pagehide', () => void client.spaces.flush())
