import type { Clock, Observable, Result } from '../../base'
import { Cell, err, ok, systemClock } from '../../base'
import type { Credential } from '../credentials/credential'
import type { IdentityFileError } from '../recovery/identity-file'
import { readIdentityFile } from '../recovery/identity-file'
import type { RecoveryPhraseInvalid, RecoverySecret } from '../recovery/recovery-phrase'
import { identityKeyPairOf, newRecoverySecret, parseRecoveryPhrase } from '../recovery/recovery-phrase'
import { DEFAULT_DATABASE_NAME, HaloStorage } from '../storage/halo-database'
import { fingerprint } from '../identifiers/fingerprint'
import type { IdentityKey } from '../keys/keys'
import type { InvalidInput } from './errors'
import type { LinkedChainRefused } from './errors'
import { IdentityDamaged, IdentityExists, NotConfirmed, WouldReplaceIdentity } from './errors'
import type { LinkedInput } from './linked-device'
import { prepareLinkedDevice } from './linked-device'
import { HaloIdentity } from './halo-identity'
import type { ProfileInput } from './new-identity'
import { prepareNewDevice } from './new-identity'
import { latestProfile } from './profile'
import type { RestorePreview } from './restore-preview'
import { openableStoredIdentity, previewRestore } from './restore-preview'
import { trustedSet } from './trust'
import { unlock } from './unlock'

/**
 * What this browser profile holds. `damaged` carries the reason, for a screen with the recovery options. A device
 * another device revoked is `ready` with `identity.removed`: its copy stays readable, and it signs nothing.
 */
export type HaloIdentityState =
  | { readonly status: 'loading' }
  | { readonly status: 'none' }
  | { readonly status: 'ready'; readonly identity: HaloIdentity }
  | { readonly status: 'damaged'; readonly error: IdentityDamaged }

/** The part of `navigator.locks` used here (an exclusive lock by name); injectable for tests. */
export interface Locks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

export interface IdentityStoreOptions {
  readonly databaseName?: string
  readonly locks?: Locks
  readonly clock?: Clock
}

export interface CreateInput {
  readonly profile: ProfileInput
  readonly deviceName: string
  /** Replace a damaged identity with a new one. Only on an explicit choice by the person. */
  readonly discardDamaged?: boolean
}

export interface RestoreInput {
  /**
   * The identity the person confirmed after seeing its preview (`previewPhrase`, `previewFile`). A
   * restore of any other identity is refused: a typo can pass the phrase's checksum.
   */
  readonly confirmedIdentity: IdentityKey
  readonly deviceName: string
  /** Used only when no profile of the identity is found to keep. */
  readonly profile?: ProfileInput
}

export type RestoreProblem = IdentityExists | IdentityDamaged | InvalidInput | NotConfirmed | WouldReplaceIdentity

/** Serializes identity creation across every tab of this browser profile. */
const LOCK_NAME = 'commonplace/halo/identity'

/**
 * HALO's storage-backed entry point: first run, load, restore and import.
 * `state` always says what the profile holds; a damaged identity is reported,
 * never silently replaced.
 */
export class IdentityStore {
  readonly #storage: HaloStorage
  readonly #locks: Locks
  readonly #clock: Clock
  readonly #state = new Cell<HaloIdentityState>({ status: 'loading' })

  constructor(options: IdentityStoreOptions = {}) {
    this.#storage = new HaloStorage(options.databaseName ?? DEFAULT_DATABASE_NAME)
    this.#locks = options.locks ?? navigator.locks
    this.#clock = options.clock ?? systemClock
  }

  get state(): Observable<HaloIdentityState> {
    return this.#state
  }

  /** Reads what is stored. Never writes. */
  async load(): Promise<HaloIdentityState> {
    const opened = await unlock(await this.#storage.read(), this.#clock)
    if (opened === 'none') return this.#publish({ status: 'none' })
    if (opened instanceof IdentityDamaged) return this.#publish({ status: 'damaged', error: opened })
    const current = this.#state.get()
    if (current.status === 'ready' && current.identity.deviceKey === opened.device.publicKey) {
      // One object per open identity: bring its credentials up to date instead of replacing it.
      await current.identity.refresh()
      return current
    }
    return this.#publish({ status: 'ready', identity: new HaloIdentity(opened, this.#storage, this.#clock) })
  }

  /**
   * First run. If another tab created an identity meanwhile, that one is
   * loaded and returned with `created: false`: a profile holds one identity.
   */
  create(
    input: CreateInput,
  ): Promise<Result<{ identity: HaloIdentity; created: boolean }, IdentityDamaged | InvalidInput>> {
    return this.#locks.request(LOCK_NAME, async () => {
      const current = await this.load()
      if (current.status === 'ready') return ok({ identity: current.identity, created: false })
      if (current.status === 'damaged' && input.discardDamaged !== true) return err(current.error)
      const prepared = await prepareNewDevice({
        secret: newRecoverySecret(),
        deviceName: input.deviceName,
        profile: input.profile,
        keepSecret: true,
        clock: this.#clock,
      })
      if (!prepared.ok) return prepared
      const mode = current.status === 'none' ? 'fresh' : 'replace'
      // `fresh` writes nothing if another tab got there first (even one that bypassed the lock).
      const created = await this.#storage.writeIdentity(prepared.value.contents, mode)
      const opened = await this.#open()
      return opened.ok ? ok({ identity: opened.value, created }) : opened
    })
  }

  /**
   * A device linked from another device of an identity: stores this device's key, the chain that device signed
   * and the identity's credentials that verify, with no identity secret. Only into an empty profile: an identity
   * already here (or one another tab just wrote) is refused and nothing is written.
   */
  createLinked(
    input: LinkedInput,
  ): Promise<Result<HaloIdentity, IdentityExists | IdentityDamaged | LinkedChainRefused>> {
    return this.#locks.request(LOCK_NAME, async () => {
      const current = await this.load()
      if (current.status === 'damaged') return err(current.error)
      if (current.status !== 'none') return err(new IdentityExists())
      const prepared = await prepareLinkedDevice(input, this.#clock)
      if (!prepared.ok) return prepared
      if (!(await this.#storage.writeIdentity(prepared.value, 'fresh'))) return err(new IdentityExists())
      return this.#open()
    })
  }

  /** Which identity the words stand for, and what is known of it here; writes nothing. */
  async previewPhrase(phrase: string): Promise<Result<RestorePreview, RecoveryPhraseInvalid>> {
    const parsed = parseRecoveryPhrase(phrase)
    if (!parsed.ok) return parsed
    return ok(await previewRestore(await this.#storage.read(), parsed.value, [], this.#clock))
  }

  /** Which identity the file holds, with its name if the file has a profile; writes nothing. */
  async previewFile(file: string, password: string): Promise<Result<RestorePreview, IdentityFileError>> {
    const backup = await readIdentityFile(file, password)
    if (!backup.ok) return backup
    const { secret, credentials } = backup.value
    return ok(await previewRestore(await this.#storage.read(), secret, credentials, this.#clock))
  }

  /** Restores from the 12 words: the same identity key, a new device key authorized by it. */
  async restoreFromPhrase(
    phrase: string,
    input: RestoreInput,
  ): Promise<Result<HaloIdentity, RecoveryPhraseInvalid | RestoreProblem>> {
    const parsed = parseRecoveryPhrase(phrase)
    if (!parsed.ok) return parsed
    return this.#restore(parsed.value, [], input)
  }

  /** Imports a file from `HaloIdentity.exportFile`. A wrong password or damaged file changes nothing stored. */
  async importFile(
    file: string,
    password: string,
    input: RestoreInput,
  ): Promise<Result<HaloIdentity, IdentityFileError | RestoreProblem>> {
    const backup = await readIdentityFile(file, password)
    if (!backup.ok) return backup
    return this.#restore(backup.value.secret, backup.value.credentials, input)
  }

  close(): void {
    this.#storage.close()
  }

  #restore(
    secret: RecoverySecret,
    received: readonly Credential[],
    input: RestoreInput,
  ): Promise<Result<HaloIdentity, RestoreProblem>> {
    return this.#locks.request(LOCK_NAME, async () => {
      const identity = identityKeyPairOf(secret).publicKey
      if (identity !== input.confirmedIdentity) return err(new NotConfirmed())
      // A removed device may be replaced by the identity restored as a new device: the phrase holder is the identity.
      const loaded = await this.load()
      if (loaded.status === 'ready' && !loaded.identity.removed) return err(new IdentityExists())
      const snapshot = await this.#storage.read()
      // A damaged store may still hold a secret that opens: never delete another identity's.
      const openable = await openableStoredIdentity(snapshot)
      if (openable !== undefined && openable !== identity) return err(new WouldReplaceIdentity(fingerprint(openable)))
      // Keep what still holds of this identity: a damaged store's credentials and the file's.
      const carried = trustedSet(identity, [...snapshot.credentials, ...received], this.#clock).accepted
      const prepared = await prepareNewDevice({
        secret,
        deviceName: input.deviceName,
        profile: latestProfile(identity, carried) === undefined ? input.profile : undefined,
        carried,
        keepSecret: false,
        clock: this.#clock,
      })
      if (!prepared.ok) return prepared
      await this.#storage.writeIdentity(prepared.value.contents, 'replace')
      return this.#open()
    })
  }

  /** Listeners hear of a change of what is stored, not of every read. */
  #publish(state: HaloIdentityState): HaloIdentityState {
    const current = this.#state.get()
    const same =
      (current.status === 'none' && state.status === 'none') ||
      (current.status === 'damaged' && state.status === 'damaged' && current.error.reason === state.error.reason)
    if (same) return current
    this.#state.set(state)
    return state
  }

  /** Loads what was just written. */
  async #open(): Promise<Result<HaloIdentity, IdentityDamaged>> {
    const state = await this.load()
    if (state.status === 'ready') return ok(state.identity)
    return err(state.status === 'damaged' ? state.error : new IdentityDamaged('missing-identity-record', 'not stored'))
  }
}
