import type { Clock, Observable, Result } from '../../base'
import { Cell, err, ok, toHex } from '../../base'
import type { Assertion, Credential } from '../credentials/credential'
import type { Signer } from '../credentials/issue'
import type { Rejection } from '../credentials/verify'
import type { VerifiedCache } from '../credentials/verified-cache'
import { toDidKey } from '../identifiers/did-key'
import { fingerprint } from '../identifiers/fingerprint'
import type { DeviceKey, IdentityKey, PublicKey } from '../keys/keys'
import { parsePublicKey, signWith } from '../keys/keys'
import type { WeakPassword } from '../recovery/identity-file'
import { writeIdentityFile } from '../recovery/identity-file'
import { recoveryPhraseOf } from '../recovery/recovery-phrase'
import type { SealRefused } from '../sealing/sealed-box'
import { openSealedBox } from '../sealing/sealed-box'
import type { HaloStorage } from '../storage/halo-database'
import type { DeviceInfo } from './devices'
import { listDevices } from './devices'
import type { InvalidInput } from './errors'
import { CannotAuthorizeDevice, CannotRevokeThisDevice, DeviceNotFound, DeviceRemoved, NotThisIdentity } from './errors'
import type { IdentityUnlock, UnlockProblem } from './identity-unlock'
import { openIdentitySecret } from './identity-unlock'
import type { ProfileInput } from './new-identity'
import { issueChecked, profileAssertion } from './new-identity'
import type { Profile } from './profile'
import { latestProfile } from './profile'
import { revokedByIdentityKey, signingDevices } from './revocations'
import { trustedSet, verifyWith } from './trust'
import { copyKey } from '../credentials/copy-key'
import type { BackupState, Unlocked } from './unlock'
import { backupStateOf, keptIdentitySecret } from './unlock'
import { identityKeyPairOf } from '../recovery/recovery-phrase'

/**
 * An identity opened on this device: who it is, what it has signed, and the
 * operations that sign more.
 *
 * Day to day everything is signed by the device key with its device -> identity
 * chain (`signer`, also for the profile and device names), so a lost device can
 * be revoked and its signatures stop counting. The identity key signs only what
 * must outlive any device: authorizing and revoking devices. This device keeps
 * the identity secret only until the person confirms a backup (`backup`); after
 * that, revoking, showing the phrase and exporting ask for the recovery phrase.
 */
export class HaloIdentity {
  readonly identityKey: IdentityKey
  readonly deviceKey: DeviceKey
  /** `did:key:z6Mk...`: the identity as a W3C decentralized identifier. */
  readonly did: string
  /** Five groups of four characters to compare out of band. */
  readonly fingerprint: string
  readonly #unlocked: Unlocked
  readonly #storage: HaloStorage
  readonly #clock: Clock
  readonly #credentials: Cell<readonly Credential[]>
  #revoked: ReadonlySet<string>
  readonly #cache: VerifiedCache
  readonly #backup: Cell<BackupState>

  constructor(unlocked: Unlocked, storage: HaloStorage, clock: Clock) {
    this.#unlocked = unlocked
    this.#storage = storage
    this.#clock = clock
    this.identityKey = unlocked.identityKey
    this.deviceKey = unlocked.device.publicKey
    this.did = toDidKey(this.identityKey)
    this.fingerprint = fingerprint(this.identityKey)
    this.#credentials = new Cell(unlocked.credentials)
    this.#revoked = unlocked.revoked
    this.#cache = unlocked.verified
    this.#backup = new Cell(unlocked.backup)
  }

  /** `needed` while this device keeps the identity secret because no backup was confirmed yet. */
  get backup(): Observable<BackupState> {
    return this.#backup
  }

  /** The identity's verified credentials: what the personal space will sync between its devices. */
  get credentials(): Observable<readonly Credential[]> {
    return this.#credentials
  }

  get profile(): Profile | undefined {
    return latestProfile(this.identityKey, this.#credentials.get())
  }

  devices(): DeviceInfo[] {
    return listDevices(this.identityKey, this.deviceKey, this.#credentials.get())
  }

  /**
   * The 12 words; show them only when the person asks. Once the backup is saved
   * they are not on this device: `unlock` must then hold the phrase itself, and
   * the answer confirms it is the right one.
   */
  async recoveryPhrase(unlock?: IdentityUnlock): Promise<Result<string, UnlockProblem>> {
    const opened = await openIdentitySecret(this.#storage, this.identityKey, unlock)
    return opened.ok ? ok(recoveryPhraseOf(opened.value.secret)) : opened
  }

  /**
   * The person has saved the phrase or the identity file elsewhere: delete this
   * device's copy of the identity secret. From now on only the phrase or the
   * file can act as the identity.
   */
  async confirmBackup(): Promise<Result<void, NotThisIdentity>> {
    const done = await this.#storage.forgetIdentitySecret(this.identityKey, this.#clock.now())
    if (!done) return err(new NotThisIdentity(this.fingerprint))
    this.#backup.set(backupStateOf(await this.#storage.read()))
    return ok(undefined)
  }

  /**
   * Keeps the identity secret on this device behind `passphrase` (PBKDF2, as the identity file), so
   * the person can act as the identity here without typing the 12 words. Needs the phrase to start.
   */
  async keepWithPassphrase(
    passphrase: string,
    unlock: IdentityUnlock,
  ): Promise<Result<void, WeakPassword | UnlockProblem | NotThisIdentity>> {
    const opened = await openIdentitySecret(this.#storage, this.identityKey, unlock)
    if (!opened.ok) return opened
    const file = await writeIdentityFile({ secret: opened.value.secret, credentials: [] }, passphrase)
    if (!file.ok) return file
    return this.#setLocked(file.value)
  }

  /** Deletes the passphrase copy: the phrase is asked for again. */
  forgetPassphrase(): Promise<Result<void, NotThisIdentity>> {
    return this.#setLocked(undefined)
  }

  async #setLocked(file: string | undefined): Promise<Result<void, NotThisIdentity>> {
    if (!(await this.#storage.setLockedSecret(this.identityKey, file)))
      return err(new NotThisIdentity(this.fingerprint))
    this.#backup.set(backupStateOf(await this.#storage.read()))
    return ok(undefined)
  }

  /** The device key with its chain, for signing credentials that other layers keep (space membership...). */
  get signer(): Signer {
    return { key: this.#unlocked.device, chain: this.#unlocked.chain }
  }

  /** This device's AuthorizedDevice credential, shown to peers with every handshake. */
  get chain(): Credential {
    return this.#unlocked.chain
  }

  /** Signs with this device's key (hex signature): the mesh handshake signs its transcript with it. */
  signBytes(bytes: Uint8Array): Promise<string> {
    return Promise.resolve(toHex(signWith(this.#unlocked.device, bytes)))
  }

  /** Opens a box sealed to this device's key (a space's swarm secret); the device seed never leaves HALO. */
  openSealed(box: Uint8Array, aad: string): Result<Uint8Array, SealRefused> {
    return openSealedBox(this.#unlocked.device.secretKey, box, aad)
  }

  /** Whether this identity has revoked `device`, from the trusted set as it stands now (kept current by every fold). */
  isRevoked(device: PublicKey): boolean {
    return this.#revoked.has(device)
  }

  /**
   * Another device revoked this one, or a device its chain was signed through: what is stored here stays readable,
   * and nothing is signed with its key any more (its signatures count nowhere). Follows the credentials as they come.
   */
  get removed(): boolean {
    return (
      this.#revoked.has(this.deviceKey) ||
      signingDevices(this.#unlocked.chain).some((signer) => this.#revoked.has(signer))
    )
  }

  /**
   * Authorizes another device of this identity (device linking) and names it. Signed by the identity key while
   * this device keeps its secret (before a backup), otherwise by this device with its chain: linking never asks
   * for the phrase, at a cost: revoking this device later voids the new one's chain too (see CONTEXT.md).
   * Returns the new device's chain and every trusted credential it needs to open the identity.
   */
  async authorizeDevice(
    device: PublicKey,
    name: string,
  ): Promise<
    Result<{ chain: Credential; credentials: Credential[] }, CannotAuthorizeDevice | InvalidInput | DeviceRemoved>
  > {
    if (this.removed) return err(new DeviceRemoved())
    if (parsePublicKey(device) === undefined) return err(new CannotAuthorizeDevice('invalid-key', device))
    if (device === this.deviceKey) return err(new CannotAuthorizeDevice('this-device', device))
    if (this.#revoked.has(device)) return err(new CannotAuthorizeDevice('revoked', device))
    const kept = await keptIdentitySecret(await this.#storage.read(), this.identityKey)
    const signer: Signer = kept === undefined ? this.signer : { key: identityKeyPairOf(kept) }
    const subject = device as DeviceKey
    const chain = issueChecked(this.identityKey, subject, { kind: 'AuthorizedDevice' }, signer, this.#clock)
    if (!chain.ok) return chain
    const named = issueChecked(
      this.identityKey,
      subject,
      { kind: 'DeviceName', name: name.trim() },
      signer,
      this.#clock,
    )
    if (!named.ok) return named
    await this.#storage.addCredentials([chain.value, named.value])
    const trusted = trustedSet(
      this.identityKey,
      [...this.#credentials.get(), chain.value, named.value],
      this.#clock,
      this.#cache,
    )
    this.#apply(trusted.accepted, trusted.revoked)
    return ok({ chain: chain.value, credentials: [...this.#credentials.get()] })
  }

  /** Verifies any credential with this identity's clock and its revocations applied. */
  verify(credential: Credential): Result<Credential, Rejection> {
    const known = new Set(this.#credentials.get().map((known) => known.id))
    return verifyWith(this.identityKey, this.#revoked, this.#clock, known, this.#cache)(credential)
  }

  updateProfile(input: ProfileInput): Promise<Result<Credential, InvalidInput | DeviceRemoved>> {
    if (this.removed) return Promise.resolve(err(new DeviceRemoved()))
    return this.#issueAndStore(this.identityKey, profileAssertion(input), this.signer)
  }

  async renameDevice(
    device: PublicKey,
    name: string,
  ): Promise<Result<Credential, InvalidInput | DeviceNotFound | DeviceRemoved>> {
    if (this.removed) return err(new DeviceRemoved())
    const known = this.devices().find((info) => info.key === device)
    if (known === undefined) return err(new DeviceNotFound(device))
    return this.#issueAndStore(known.key, { kind: 'DeviceName', name: name.trim() }, this.signer)
  }

  /** Signed by the identity key, so it holds whatever happens to this device; asks for the phrase after a backup. */
  async revokeDevice(
    device: PublicKey,
    unlock?: IdentityUnlock,
  ): Promise<Result<Credential, InvalidInput | DeviceNotFound | CannotRevokeThisDevice | UnlockProblem>> {
    if (device === this.deviceKey) return err(new CannotRevokeThisDevice())
    // A device revoked only by devices (say, a thief's device that revoked itself and others) can still be revoked
    // by the identity key, which settles what those revocations left open.
    const known = this.devices().find((info) => info.key === device)
    if (known === undefined || revokedByIdentityKey(this.identityKey, device, this.#credentials.get())) {
      return err(new DeviceNotFound(device))
    }
    const opened = await openIdentitySecret(this.#storage, this.identityKey, unlock)
    if (!opened.ok) return opened
    return this.#issueAndStore(known.key, { kind: 'DeviceRevoked' }, { key: opened.value.keyPair })
  }

  /**
   * Takes credentials from elsewhere (the personal space, a file): keeps the
   * ones of this identity that decode and verify, and reports how many.
   */
  async receive(values: readonly unknown[]): Promise<{ readonly accepted: number; readonly ignored: number }> {
    const current = this.#credentials.get()
    const trusted = trustedSet(this.identityKey, [...current, ...values], this.#clock, this.#cache)
    const known = new Set(current.map(copyKey))
    const fresh = trusted.accepted.filter((credential) => !known.has(copyKey(credential)))
    await this.#storage.addCredentials(fresh)
    this.#apply(trusted.accepted, trusted.revoked)
    return { accepted: fresh.length, ignored: values.length - fresh.length }
  }

  /** Re-reads the stored credentials, e.g. after another tab changed them. */
  async refresh(): Promise<void> {
    const snapshot = await this.#storage.read()
    // Another tab may have confirmed the backup or set a passphrase.
    this.#backup.set(backupStateOf(snapshot))
    const trusted = trustedSet(this.identityKey, snapshot.credentials, this.#clock, this.#cache)
    this.#apply(trusted.accepted, trusted.revoked)
  }

  /** The identity as a password-encrypted file; asks for the phrase once this device no longer keeps the secret. */
  async exportFile(password: string, unlock?: IdentityUnlock): Promise<Result<string, WeakPassword | UnlockProblem>> {
    const opened = await openIdentitySecret(this.#storage, this.identityKey, unlock)
    if (!opened.ok) return opened
    return writeIdentityFile({ secret: opened.value.secret, credentials: this.#credentials.get() }, password)
  }

  /** Publishes only a real change, so a refresh that finds nothing new wakes no one. */
  #apply(credentials: readonly Credential[], revoked: ReadonlySet<string>): void {
    this.#revoked = revoked
    const current = new Set(this.#credentials.get().map(copyKey))
    const same =
      current.size === credentials.length && credentials.every((credential) => current.has(copyKey(credential)))
    if (!same) this.#credentials.set(credentials)
  }

  async #issueAndStore(
    subject: IdentityKey | DeviceKey,
    assertion: Assertion,
    signer: Signer,
  ): Promise<Result<Credential, InvalidInput>> {
    const issued = issueChecked(this.identityKey, subject, assertion, signer, this.#clock)
    if (!issued.ok) return issued
    await this.#storage.addCredentials([issued.value])
    // Re-fold everything: a revocation also withdraws what the revoked device had signed.
    const trusted = trustedSet(this.identityKey, [...this.#credentials.get(), issued.value], this.#clock, this.#cache)
    this.#apply(trusted.accepted, trusted.revoked)
    return ok(issued.value)
  }
}
