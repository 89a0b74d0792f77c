// Test-only names of src/halo for the tests of other layers (production code uses ../index.ts).
export type { DeviceKey, SecretKey } from '../keys/keys'
export { DeviceNotFound, NotConfirmed, NotThisIdentity, UnlockNeeded, WouldReplaceIdentity } from '../identity/errors'
export { IdentityFileDamaged, WrongPassword } from '../recovery/identity-file'
