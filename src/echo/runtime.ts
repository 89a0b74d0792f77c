/**
 * Automerge runs in WebAssembly. The app uses the "slim" entry points so the
 * wasm stays a separate, cacheable file: the browser passes its URL once
 * (`import wasmUrl from '@automerge/automerge/automerge.wasm?url'`). Node tests
 * load `@automerge/automerge`'s full entry instead, which initializes the same
 * module by itself (see testing/node-runtime.ts).
 */
import { initializeWasm, isWasmInitialized } from '@automerge/automerge/slim'

let starting: Promise<void> | undefined

/** Loads the Automerge wasm once; later calls wait for the first. */
export const initEcho = (wasmUrl: string): Promise<void> => {
  if (isWasmInitialized()) return Promise.resolve()
  starting ??= initializeWasm(wasmUrl)
  return starting
}
