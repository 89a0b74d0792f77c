// The public surface of src/halo: what the production code of other layers imports, and nothing more.
// Tests of other layers reach test-only names through ./testing/ (the layer rule keeps production code out of it).

// Keys.
export { generateKeyPair, signWith, verifyBytes } from './keys/keys'
export { fingerprint } from './identifiers/fingerprint'
export type { IdentityKey, KeyPair, PublicKey } from './keys/keys'
export {
  invitationKey,
  invitationRoom,
  inviteRendezvous,
  linkRoom,
  newLinkSecret,
  newSwarmSecret,
  swarmCommitment,
  swarmRoom,
} from './keys/derive'
export { isRoomKeyProof, roomKeyProof } from './keys/room-key-proof'

// Join links: device links and space invitations.
export { decodeJoinLinkOf, encodeDeviceLink, encodeSpaceLink } from './links/join-link'

// Sealed boxes to one device (HaloIdentity opens them with the device seed).
export { sealFor } from './sealing/sealed-box'

// Canonical encoding (what gets hashed and signed).
export { canonicalJson, NotCanonical } from './encoding/canonical-json'

// Credentials.
export type { Credential, CredentialId, SpaceRole } from './credentials/credential'
export { MAX_INVITATION_USES } from './credentials/credential'
export { issueCredential } from './credentials/issue'
export { idMatchesContent } from './credentials/signed-bytes'
export type { Signer } from './credentials/issue'
export { verifyCredential } from './credentials/verify'
export { VerifiedCache } from './credentials/verified-cache'
export { decodeCredential } from './credentials/decode'
export { copyKey } from './credentials/copy-key'

// Recovery.
export { RECOVERY_PHRASE_WORDS, RecoveryPhraseInvalid } from './recovery/recovery-phrase'
export { MIN_PASSWORD_LENGTH } from './recovery/identity-file'

// The identity of this browser profile.
export { IdentityStore } from './identity/identity-store'
export type { HaloIdentityState } from './identity/identity-store'
export { HaloIdentity } from './identity/halo-identity'
export type { DeviceInfo } from './identity/devices'
export type { Profile } from './identity/profile'
export { resolveRevocations, signingDevices } from './identity/revocations'
export type { Revocations } from './identity/revocations'
export { trustedSet } from './identity/trust'
export type { DamageReason } from './identity/errors'
export type { LinkedInput } from './identity/linked-device'
export { verifyPeerDevice } from './identity/peer-device'
