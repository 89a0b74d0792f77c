import { Cell, err, ok, type Result } from '../base'
import type { DeviceInfo, HaloIdentity, HaloIdentityState, IdentityKey, IdentityStore, PublicKey } from '../halo'
import type {
  DeviceView,
  IdentityApi,
  IdentityProblem,
  IdentityState,
  IdentityUnlock,
  IdentityView,
  Profile,
  RestorePreview,
} from './identity-api'
import { browserWords } from './browser-words'
import { identityProblem } from './problem-words'
import { openTabChannel } from './tab-channel'

const viewOf = (identity: HaloIdentity): IdentityView => {
  const profile = identity.profile
  return {
    identityKey: identity.identityKey,
    did: identity.did,
    fingerprint: identity.fingerprint,
    deviceKey: identity.deviceKey,
    displayName: profile?.displayName ?? 'Unnamed',
    avatar: profile?.avatar ?? { colour: '#2f5d50' },
    backup: identity.backup.get(),
  }
}

const deviceViewOf = (device: DeviceInfo): DeviceView => ({
  deviceKey: device.key,
  name: device.name ?? 'Unnamed device',
  thisDevice: device.isThisDevice,
  revoked: device.revokedAt !== undefined,
  addedAt: device.authorizedAt,
})

const restoreInput = (confirmed: string, deviceName: string, profile: Profile | undefined) => {
  const confirmedIdentity = confirmed as IdentityKey
  return profile ? { confirmedIdentity, deviceName, profile } : { confirmedIdentity, deviceName }
}

const isChange = (data: unknown): data is 'identity-changed' => data === 'identity-changed'

/**
 * The identity part of the client: HALO's store behind framework-neutral state.
 * Every write is announced to the other tabs, which re-read storage.
 */
export class IdentityService implements IdentityApi {
  readonly state = new Cell<IdentityState>({ kind: 'loading' })
  readonly devices = new Cell<readonly DeviceView[]>([])
  readonly #store: IdentityStore
  readonly #tabs = openTabChannel('identity', isChange)
  #current: HaloIdentity | undefined
  #stopWatching: (() => void) | undefined
  #settingUp = false
  #onReady: ((identity: HaloIdentity, setUpHere: boolean) => Promise<void>) | undefined

  constructor(store: IdentityStore) {
    this.#store = store
    store.state.subscribe((state) => {
      this.#follow(state)
    })
    this.#tabs.subscribe(() => void this.#reload())
  }

  /** Reads what this browser holds; call once at start. */
  async load(): Promise<void> {
    try {
      // The store publishes what it read; the subscription in the constructor follows it.
      await this.#store.load()
    } catch (error) {
      console.warn('The identity store could not be opened:', error)
      this.state.set({ kind: 'unavailable', browserSaid: browserWords(error) })
    }
  }

  /**
   * Runs `hook` whenever an identity opens, and before a first run, restore or
   * import in this tab is announced to the other tabs; `setUpHere` tells those
   * apart from an identity that was already on this device.
   */
  onReady(hook: (identity: HaloIdentity, setUpHere: boolean) => Promise<void>): void {
    this.#onReady = hook
  }

  /** The identity that is open, for the layers that sign with it. */
  get current(): HaloIdentity | undefined {
    return this.#current
  }

  async create(profile: Profile, deviceName: string): Promise<{ readonly created: boolean }> {
    const result = await this.#setUp(() => this.#store.create({ profile, deviceName }))
    if (!result.ok) throw result.error
    return { created: result.value.created }
  }

  async updateProfile(profile: Profile): Promise<void> {
    const result = await this.#ready().updateProfile(profile)
    if (!result.ok) throw result.error
    this.#announce()
  }

  async recoveryPhrase(unlock?: IdentityUnlock): Promise<Result<string, IdentityProblem>> {
    const result = await this.#ready().recoveryPhrase(unlock)
    return result.ok ? result : err(identityProblem(result.error))
  }

  async confirmBackup(): Promise<Result<void, IdentityProblem>> {
    const result = await this.#ready().confirmBackup()
    if (!result.ok) return err(identityProblem(result.error))
    this.#announce()
    return ok(undefined)
  }

  async previewPhrase(phrase: string): Promise<Result<RestorePreview, IdentityProblem>> {
    const result = await this.#store.previewPhrase(phrase)
    return result.ok ? result : err(identityProblem(result.error))
  }

  async previewFile(file: Blob, password: string): Promise<Result<RestorePreview, IdentityProblem>> {
    const result = await this.#store.previewFile(await file.text(), password)
    return result.ok ? result : err(identityProblem(result.error))
  }

  async restoreFromPhrase(
    phrase: string,
    confirmed: string,
    deviceName: string,
    profile?: Profile,
  ): Promise<Result<void, IdentityProblem>> {
    const input = restoreInput(confirmed, deviceName, profile)
    const result = await this.#setUp(() => this.#store.restoreFromPhrase(phrase, input))
    return result.ok ? ok(undefined) : err(identityProblem(result.error))
  }

  async keepWithPassphrase(passphrase: string, unlock: IdentityUnlock): Promise<Result<void, IdentityProblem>> {
    const result = await this.#ready().keepWithPassphrase(passphrase, unlock)
    if (!result.ok) return err(identityProblem(result.error))
    this.#announce()
    return ok(undefined)
  }

  async forgetPassphrase(): Promise<Result<void, IdentityProblem>> {
    const result = await this.#ready().forgetPassphrase()
    if (!result.ok) return err(identityProblem(result.error))
    this.#announce()
    return ok(undefined)
  }

  async exportFile(password: string, unlock?: IdentityUnlock): Promise<Result<Blob, IdentityProblem>> {
    const result = await this.#ready().exportFile(password, unlock)
    if (!result.ok) return err(identityProblem(result.error))
    return ok(new Blob([result.value], { type: 'application/json' }))
  }

  async importFile(
    file: Blob,
    password: string,
    confirmed: string,
    deviceName: string,
    profile?: Profile,
  ): Promise<Result<void, IdentityProblem>> {
    const input = restoreInput(confirmed, deviceName, profile)
    const text = await file.text()
    const result = await this.#setUp(() => this.#store.importFile(text, password, input))
    return result.ok ? ok(undefined) : err(identityProblem(result.error))
  }

  async renameDevice(deviceKey: string, name: string): Promise<void> {
    const result = await this.#ready().renameDevice(deviceKey as PublicKey, name)
    if (!result.ok) throw result.error
    this.#announce()
  }

  async revokeDevice(deviceKey: string, unlock?: IdentityUnlock): Promise<Result<void, IdentityProblem>> {
    const result = await this.#ready().revokeDevice(deviceKey as PublicKey, unlock)
    if (!result.ok) return err(identityProblem(result.error))
    this.#announce()
    return ok(undefined)
  }

  /** Sets an identity up in this tab; the ready hook finishes before other tabs hear of it. */
  async #setUp<T, E>(write: () => Promise<Result<T, E>>): Promise<Result<T, E>> {
    this.#settingUp = true
    try {
      const result = await write()
      if (result.ok && this.#current) await this.#onReady?.(this.#current, true)
      if (result.ok) this.#announce()
      return result
    } finally {
      this.#settingUp = false
    }
  }

  #ready(): HaloIdentity {
    if (!this.#current) throw new Error('No identity is open on this device yet.')
    return this.#current
  }

  #announce(): void {
    this.#tabs.post('identity-changed')
  }

  async #reload(): Promise<void> {
    if (this.#current) await this.#current.refresh()
    else await this.load()
  }

  #follow(state: HaloIdentityState): void {
    this.#stopWatching?.()
    this.#stopWatching = undefined
    this.#current = state.status === 'ready' ? state.identity : undefined
    switch (state.status) {
      case 'loading':
        this.state.set({ kind: 'loading' })
        return
      case 'none':
        this.state.set({ kind: 'none' })
        this.devices.set([])
        return
      case 'damaged':
        this.state.set({ kind: 'damaged', reason: state.error.reason })
        this.devices.set([])
        return
      case 'ready': {
        const identity = state.identity
        const publish = () => {
          this.state.set({ kind: 'ready', identity: viewOf(identity) })
          this.devices.set(identity.devices().map(deviceViewOf))
        }
        publish()
        const stops = [identity.credentials.subscribe(publish), identity.backup.subscribe(publish)]
        this.#stopWatching = () => {
          for (const stop of stops) stop()
        }
        if (!this.#settingUp) void this.#onReady?.(identity, false)
        return
      }
    }
  }
}
