// Tests only: the full entry of @automerge/automerge compiles the wasm on import in Node.
import '@automerge/automerge'
