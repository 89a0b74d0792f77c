import { AppError } from '../../base'

/** Why a stored identity cannot be opened. The UI offers recovery; nothing is ever replaced silently. */
export type DamageReason =
  | 'missing-identity-record'
  | 'malformed-identity-record'
  | 'missing-wrapping-key'
  | 'missing-identity-secret'
  | 'missing-device-secret'
  | 'unreadable-secret'
  | 'key-mismatch'
  | 'missing-device-authorization'
  | 'this-device-revoked'
  /** The record says this device was linked (no identity secret here), but its AuthorizedDevice does not hold. */
  | 'missing-linked-chain'

export class IdentityDamaged extends AppError<'identity-damaged'> {
  readonly reason: DamageReason
  constructor(reason: DamageReason, detail: string) {
    super('identity-damaged', `the stored identity cannot be opened (${reason}): ${detail}`)
    this.reason = reason
  }
}

export class IdentityExists extends AppError<'identity-exists'> {
  constructor() {
    super('identity-exists', 'this browser profile already holds a working identity')
  }
}

export class InvalidInput extends AppError<'invalid-input'> {
  constructor(detail: string) {
    super('invalid-input', detail)
  }
}

export class DeviceNotFound extends AppError<'device-not-found'> {
  constructor(device: string) {
    super('device-not-found', `${device} is not a device of this identity`)
  }
}

export class CannotRevokeThisDevice extends AppError<'cannot-revoke-this-device'> {
  constructor() {
    super('cannot-revoke-this-device', 'a device cannot revoke itself; revoke it from another device')
  }
}

/** Another device revoked this one (or the device it was linked through): it reads what it holds and signs nothing. */
export class DeviceRemoved extends AppError<'device-removed'> {
  constructor() {
    super('device-removed', 'this device was removed from its identity: it can no longer sign anything')
  }
}

/** The operation signs with the identity key, which this device no longer keeps: ask for the recovery phrase. */
export class UnlockNeeded extends AppError<'identity-unlock-needed'> {
  constructor() {
    super('identity-unlock-needed', 'this needs your recovery phrase: this device does not keep your identity secret')
  }
}

/** A well-formed recovery phrase of another identity (a typo that passed the checksum, or another person's). */
export class NotThisIdentity extends AppError<'not-this-identity'> {
  readonly fingerprint: string
  constructor(fingerprint: string) {
    super('not-this-identity', `this recovery phrase belongs to another identity (${fingerprint}); check each word`)
    this.fingerprint = fingerprint
  }
}

/**
 * A restore into a damaged store that still holds another identity's secret, which opens: writing would
 * delete it. About 1 in 16 single-word typos passes the phrase's checksum, so this is usually a typo.
 */
export class WouldReplaceIdentity extends AppError<'would-replace-identity'> {
  readonly storedFingerprint: string
  constructor(storedFingerprint: string) {
    super(
      'would-replace-identity',
      `this browser still holds the secret of another identity (${storedFingerprint}); restoring would delete it`,
    )
    this.storedFingerprint = storedFingerprint
  }
}

/** The identity to restore is not the one the person confirmed (the words or the file changed in between). */
export class NotConfirmed extends AppError<'restore-not-confirmed'> {
  constructor() {
    super('restore-not-confirmed', 'this is not the identity you confirmed; check what will be restored again')
  }
}

/** Why `authorizeDevice` refused a device key. */
export type AuthorizeRefusal = 'this-device' | 'invalid-key' | 'revoked'

export class CannotAuthorizeDevice extends AppError<'cannot-authorize-device'> {
  readonly reason: AuthorizeRefusal
  constructor(reason: AuthorizeRefusal, device: string) {
    super('cannot-authorize-device', `device ${device} cannot be authorized (${reason})`)
    this.reason = reason
  }
}

/** Why a chain handed to `createLinked` is refused; nothing is stored. */
export type LinkedChainProblem = 'malformed' | 'wrong-identity' | 'wrong-device' | 'wrong-kind' | 'does-not-verify'

export class LinkedChainRefused extends AppError<'linked-chain-refused'> {
  readonly problem: LinkedChainProblem
  constructor(problem: LinkedChainProblem, detail: string) {
    super('linked-chain-refused', `the device authorization does not hold (${problem}): ${detail}`)
    this.problem = problem
  }
}
