// The public surface of src/halo: other layers import only what is named here.

// Keys and the one signature rule (strict RFC 8032).
export { isAcceptablePublicKey, verifySignature } from './keys/ed25519'
export { generateKeyPair, keyPairFromSeed, parsePublicKey, publicKeyToBytes, signWith } from './keys/keys'
export type { DeviceKey, IdentityKey, KeyPair, PublicKey, SecretKey } from './keys/keys'

// Canonical encoding (what gets hashed and signed).
export { canonicalBytes, canonicalJson, NotCanonical } from './encoding/canonical-json'

// Credentials.
export { SPACE_ROLES } from './credentials/credential'
export type {
  Assertion,
  AssertionKind,
  AssertionOf,
  Avatar,
  Credential,
  CredentialId,
  Proof,
  SpaceRole,
} from './credentials/credential'
export { IllFormedText, issueCredential } from './credentials/issue'
export { idMatchesContent } from './credentials/signed-bytes'
export type { IssueRequest, Signer } from './credentials/issue'
export { DEFAULT_CLOCK_SKEW_MS, MAX_CHAIN_LENGTH, REJECTION_REASONS, verifyCredential } from './credentials/verify'
export type { Rejection, RejectionReason, VerifyContext } from './credentials/verify'
export { VerifiedCache } from './credentials/verified-cache'
export {
  CredentialMalformed,
  decodeCredential,
  decodeCredentialJson,
  encodeCredential,
  MAX_CREDENTIAL_BYTES,
} from './credentials/decode'
export type { DecodeProblem } from './credentials/decode'

// Identifiers shown to people.
export { fromDidKey, toDidKey, toMultibase } from './identifiers/did-key'
export { fingerprint } from './identifiers/fingerprint'

// Recovery.
export { RECOVERY_PHRASE_WORDS, RecoveryPhraseInvalid } from './recovery/recovery-phrase'
export type { PhraseProblem } from './recovery/recovery-phrase'
export {
  IdentityFileDamaged,
  IdentityFileUnsupported,
  MIN_PASSWORD_LENGTH,
  PBKDF2_ITERATIONS,
  WeakPassword,
  WrongPassword,
} from './recovery/identity-file'
export type { IdentityFileError } from './recovery/identity-file'

// The identity of this browser profile.
export { IdentityStore } from './identity/identity-store'
export type {
  CreateInput,
  HaloIdentityState,
  IdentityStoreOptions,
  Locks,
  RestoreInput,
  RestoreProblem,
} from './identity/identity-store'
export type { RestorePreview, StoredIdentity } from './identity/restore-preview'
export { HaloIdentity } from './identity/halo-identity'
export { BACKUP_STATES } from './identity/unlock'
export type { BackupState } from './identity/unlock'
export type { IdentityUnlock, UnlockProblem } from './identity/identity-unlock'
export type { DeviceInfo } from './identity/devices'
export { resolveRevocations, signingDevices } from './identity/revocations'
export type { Revocations } from './identity/revocations'
export type { Profile } from './identity/profile'
export type { ProfileInput } from './identity/new-identity'
export {
  CannotRevokeThisDevice,
  DAMAGE_REASONS,
  DeviceNotFound,
  IdentityDamaged,
  IdentityExists,
  InvalidInput,
  NotConfirmed,
  NotThisIdentity,
  UnlockNeeded,
  WouldReplaceIdentity,
} from './identity/errors'
export type { DamageReason } from './identity/errors'
