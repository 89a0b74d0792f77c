// The public surface of src/halo: other layers import only what is named here.
export {}
export type { Assertion, Credential, CredentialId, SpaceRole } from './credentials/credential'
export { issueCredential } from './credentials/issue'
export type { Signer } from './credentials/issue'
export { verifyCredential } from './credentials/verify'
export { decodeCredential } from './credentials/decode'
export { generateKeyPair } from './keys/keys'
export type { IdentityKey, KeyPair, PublicKey } from './keys/keys'
