import { Cell, err, ok, type Observable, type Result } from '../base'
import type { MeshStatus } from '../mesh'
import type {
  DeviceInfo,
  HaloIdentity,
  HaloIdentityState,
  IdentityKey,
  IdentityStore,
  LinkedInput,
  PublicKey,
} from '../halo'
import type {
  Avatar,
  DeviceView,
  IdentityApi,
  IdentityState,
  IdentityUnlock,
  IdentityView,
  Profile,
  RestoreProfile,
  RestorePreview,
} from './identity-api'
import { browserWords } from './browser-words'
import { DEFAULT_AVATAR, LIMITS } from './limits'
import { attempt, outcome, problem, toProblem, type Problem } from './problem-words'
import { openTabChannel, type OpenChannel } from './tab-channel'

const viewOf = (identity: HaloIdentity): IdentityView => {
  const profile = identity.profile
  return {
    identityKey: identity.identityKey,
    did: identity.did,
    fingerprint: identity.fingerprint,
    deviceKey: identity.deviceKey,
    displayName: profile?.displayName ?? 'Unnamed',
    avatar: profile?.avatar ?? DEFAULT_AVATAR,
    backup: identity.backup.get(),
  }
}

/** What the mesh says of each other device: connected now, and when this device last synced with it. */
type Presence = ReadonlyMap<string, { readonly online: boolean; readonly lastSeenAt?: number }>

/** Each device's presence from the leader's status (every tab hears it). */
const presenceOf = (status: MeshStatus): Presence => {
  const presence = new Map<string, { online: boolean; lastSeenAt?: number }>()
  for (const space of Object.values(status.spaces)) {
    for (const peer of space.peers) presence.set(peer.device, { ...presence.get(peer.device), online: true })
    const last = space.lastSynced
    if (last === undefined) continue
    const known = presence.get(last.device)
    if (known?.lastSeenAt === undefined || known.lastSeenAt < last.at) {
      presence.set(last.device, { online: known?.online ?? false, lastSeenAt: last.at })
    }
  }
  return presence
}

const deviceViewOf = (device: DeviceInfo, presence: Presence): DeviceView => {
  const seen = presence.get(device.key)
  return {
    deviceKey: device.key,
    name: device.name ?? 'Unnamed device',
    thisDevice: device.isThisDevice,
    revoked: device.revokedAt !== undefined,
    revokedByDevicesOnly: device.revokedAt !== undefined && !device.revokedByIdentityKey,
    addedAt: device.authorizedAt,
    ...(device.isThisDevice ? {} : { online: seen?.online ?? false }),
    ...(seen?.lastSeenAt === undefined ? {} : { lastSeenAt: seen.lastSeenAt }),
  }
}

const sameView = (a: DeviceView, b: DeviceView): boolean =>
  a.deviceKey === b.deviceKey &&
  a.name === b.name &&
  a.thisDevice === b.thisDevice &&
  a.revoked === b.revoked &&
  a.revokedByDevicesOnly === b.revokedByDevicesOnly &&
  a.addedAt === b.addedAt &&
  a.online === b.online &&
  a.lastSeenAt === b.lastSeenAt

/**
 * `next`, with each view that did not change kept as the same object, or `previous` itself when nothing changed.
 * The mesh status changes often (each relay's state, each sync): a list re-made on every change re-drew each
 * device row and dropped what a person was typing into it (a rename, the phrase to revoke).
 */
const keepUnchanged = (previous: readonly DeviceView[], next: readonly DeviceView[]): readonly DeviceView[] => {
  const before = new Map(previous.map((view) => [view.deviceKey, view]))
  const kept = next.map((view) => {
    const old = before.get(view.deviceKey)
    return old !== undefined && sameView(old, view) ? old : view
  })
  return kept.length === previous.length && kept.every((view, index) => view === previous[index]) ? previous : kept
}

const restoreInput = (confirmed: string, deviceName: string, profile: RestoreProfile | undefined) => {
  const confirmedIdentity = confirmed as IdentityKey
  return profile
    ? {
        confirmedIdentity,
        deviceName,
        profile: { displayName: profile.displayName, avatar: profile.avatar ?? DEFAULT_AVATAR },
      }
    : { confirmedIdentity, deviceName }
}

/** A name a person typed, against the rule for its field: not blank, not longer than its limit. */
const checkName = (name: string, kind: 'display-name' | 'device-name'): Problem | undefined => {
  const field = kind === 'display-name' ? 'displayName' : 'deviceName'
  const trimmed = name.trim()
  if (trimmed === '') return problem(`${kind}-required`, field)
  if (trimmed.length > LIMITS[field]) return problem(`${kind}-too-long`, field)
  return undefined
}

/** A profile against the rules of its fields: its name as any name, its emoji a few characters at most. */
const checkProfile = (profile: { readonly displayName: string; readonly avatar?: Avatar }): Problem | undefined =>
  checkName(profile.displayName, 'display-name') ??
  ((profile.avatar?.emoji?.trim().length ?? 0) > LIMITS.avatarEmoji ? problem('emoji-too-long', 'emoji') : undefined)

const noIdentity = (): Result<never, Problem> => err(problem('no-identity'))

const isChange = (data: unknown): data is 'identity-changed' => data === 'identity-changed'

/**
 * The identity part of the client: HALO's store behind framework-neutral state.
 * Every write is announced to the other tabs, which re-read storage.
 */
export class IdentityService implements IdentityApi {
  readonly state = new Cell<IdentityState>({ kind: 'loading' })
  readonly devices = new Cell<readonly DeviceView[]>([])
  readonly #store: IdentityStore
  readonly #tabs
  readonly #stops: (() => void)[]
  #current: HaloIdentity | undefined
  #stopWatching: (() => void) | undefined
  #settingUp = false
  #onReady: ((identity: HaloIdentity, setUpHere: boolean) => Promise<void>) | undefined

  #presence: Presence = new Map()

  /** Follows which devices the mesh sees (`online`, `lastSeenAt` in the device list); returns how to stop. */
  followPresence(status: Observable<MeshStatus>): () => void {
    const update = (next: MeshStatus): void => {
      this.#presence = presenceOf(next)
      const identity = this.#current
      if (identity !== undefined) this.#showDevices(identity)
    }
    update(status.get())
    return status.subscribe(update)
  }

  #showDevices(identity: HaloIdentity): void {
    const next = keepUnchanged(
      this.devices.get(),
      identity.devices().map((device) => deviceViewOf(device, this.#presence)),
    )
    if (next !== this.devices.get()) this.devices.set(next)
  }

  constructor(store: IdentityStore, openChannel: OpenChannel) {
    this.#store = store
    this.#tabs = openTabChannel(openChannel, 'identity', isChange)
    this.#stops = [
      store.state.subscribe((state) => {
        this.#follow(state)
      }),
      this.#tabs.subscribe(() => void this.#reload()),
    ]
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

  /** Stops following the store and the other tabs, and closes HALO's database. */
  close(): void {
    for (const stop of this.#stops.splice(0)) stop()
    this.#stopWatching?.()
    this.#stopWatching = undefined
    this.#onReady = undefined
    this.#tabs.close()
    this.#store.close()
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

  create(profile: Profile, deviceName: string): Promise<Result<{ readonly created: boolean }, Problem>> {
    return attempt(async () => {
      const refused = checkProfile(profile) ?? checkName(deviceName, 'device-name')
      if (refused) return err(refused)
      const result = await this.#setUp(() => this.#store.create({ profile, deviceName }))
      return result.ok ? ok({ created: result.value.created }) : err(toProblem(result.error))
    })
  }

  /** Stores a device linked from another device of the identity (no identity secret); only into an empty profile. */
  createLinked(input: LinkedInput): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const result = await this.#setUp(() => this.#store.createLinked(input))
      return result.ok ? ok(undefined) : err(toProblem(result.error))
    })
  }

  updateProfile(profile: Profile): Promise<Result<void, Problem>> {
    return this.#write(async (identity) => {
      const refused = checkProfile(profile)
      return refused ? err(refused) : identity.updateProfile(profile)
    })
  }

  recoveryPhrase(unlock?: IdentityUnlock): Promise<Result<string, Problem>> {
    return this.#act(async (identity) => outcome(await identity.recoveryPhrase(unlock)))
  }

  confirmBackup(): Promise<Result<void, Problem>> {
    return this.#write((identity) => identity.confirmBackup())
  }

  previewPhrase(phrase: string): Promise<Result<RestorePreview, Problem>> {
    return attempt(async () => outcome(await this.#store.previewPhrase(phrase)))
  }

  previewFile(file: Blob, password: string): Promise<Result<RestorePreview, Problem>> {
    return attempt(async () => outcome(await this.#store.previewFile(await file.text(), password), 'password'))
  }

  restoreFromPhrase(
    phrase: string,
    confirmed: string,
    deviceName: string,
    profile?: RestoreProfile,
  ): Promise<Result<void, Problem>> {
    return this.#restore(confirmed, deviceName, profile, (input) => this.#store.restoreFromPhrase(phrase, input))
  }

  keepWithPassphrase(passphrase: string, unlock: IdentityUnlock): Promise<Result<void, Problem>> {
    return this.#write((identity) => identity.keepWithPassphrase(passphrase, unlock), 'passphrase')
  }

  forgetPassphrase(): Promise<Result<void, Problem>> {
    return this.#write((identity) => identity.forgetPassphrase())
  }

  exportFile(password: string, unlock?: IdentityUnlock): Promise<Result<Blob, Problem>> {
    return this.#act(async (identity) => {
      const result = await identity.exportFile(password, unlock)
      if (!result.ok) return outcome(result, 'password')
      return ok(new Blob([result.value], { type: 'application/json' }))
    })
  }

  importFile(
    file: Blob,
    password: string,
    confirmed: string,
    deviceName: string,
    profile?: RestoreProfile,
  ): Promise<Result<void, Problem>> {
    return this.#restore(confirmed, deviceName, profile, async (input) =>
      this.#store.importFile(await file.text(), password, input),
    )
  }

  renameDevice(deviceKey: string, name: string): Promise<Result<void, Problem>> {
    return this.#write(async (identity) => {
      const refused = checkName(name, 'device-name')
      return refused ? err(refused) : identity.renameDevice(deviceKey as PublicKey, name)
    })
  }

  revokeDevice(deviceKey: string, unlock?: IdentityUnlock): Promise<Result<void, Problem>> {
    return this.#write((identity) => identity.revokeDevice(deviceKey as PublicKey, unlock))
  }

  /** An action on the open identity; without one it is refused, never thrown. */
  #act<T>(action: (identity: HaloIdentity) => Promise<Result<T, Problem>>): Promise<Result<T, Problem>> {
    return attempt(() => (this.#current ? action(this.#current) : Promise.resolve(noIdentity())))
  }

  /** A write to the open identity, announced to the other tabs once it is stored. */
  #write(
    write: (identity: HaloIdentity) => Promise<Result<unknown, unknown>>,
    field?: string,
  ): Promise<Result<void, Problem>> {
    return this.#act(async (identity) => {
      const result = await write(identity)
      if (!result.ok) return err(toProblem(result.error, field))
      this.#announce()
      return ok(undefined)
    })
  }

  /** A restore from the phrase or a file: the device name checked first, the identity set up as confirmed. */
  #restore(
    confirmed: string,
    deviceName: string,
    profile: RestoreProfile | undefined,
    write: (input: ReturnType<typeof restoreInput>) => Promise<Result<unknown, unknown>>,
  ): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const refused = checkName(deviceName, 'device-name') ?? (profile ? checkProfile(profile) : undefined)
      if (refused) return err(refused)
      const result = await this.#setUp(() => write(restoreInput(confirmed, deviceName, profile)))
      return result.ok ? ok(undefined) : err(toProblem(result.error))
    })
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
          // Another device revoked this one (also found on opening, after a reload): its copy stays readable here,
          // read-only, and the mesh stops (it runs only while ready).
          const kind = identity.removed ? 'removed' : 'ready'
          this.state.set({ kind, identity: viewOf(identity) })
          this.#showDevices(identity)
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
