// Test-only names of src/halo for the tests of other layers (production code uses ../index.ts).
export type { DeviceKey, SecretKey } from '../keys/keys'
export { signWith } from '../keys/keys'
export { openSealedBox } from '../sealing/sealed-box'
export { DeviceNotFound, NotConfirmed, NotThisIdentity, UnlockNeeded, WouldReplaceIdentity } from '../identity/errors'
export { IdentityFileDamaged, WrongPassword } from '../recovery/identity-file'

import { keyPairFromSeed, type KeyPair } from '../keys/keys'

/**
 * The same key pair in every run, for tests whose outcome depends on keys (ids, canonical order): a property
 * that fails then replays from its fast-check seed alone.
 */
export const fixedKeyPair = (n: number): KeyPair => keyPairFromSeed(new Uint8Array(32).fill(n))
