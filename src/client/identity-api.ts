import type { Observable, Result } from '../base'
import type { DamageReason } from '../halo'

/** Why stored identity records cannot be opened (a stable code; the interface words it). */
export type IdentityDamageReason = DamageReason

export interface Avatar {
  /** `#rrggbb`. */
  readonly colour: string
  readonly emoji?: string
}

export interface Profile {
  readonly displayName: string
  readonly avatar: Avatar
}

/** The person's identity as the interface shows it. */
export interface IdentityView extends Profile {
  /** The identity key, hex. */
  readonly identityKey: string
  /** The identity as a `did:key` string. */
  readonly did: string
  /** A short form to compare out of band ("Does yours say the same?"). */
  readonly fingerprint: string
  readonly deviceKey: string
}

export interface DeviceView {
  readonly deviceKey: string
  readonly name: string
  readonly thisDevice: boolean
  readonly revoked: boolean
  /** Revoked by devices only, not by the identity key: revoking it here settles it for good. */
  readonly revokedByDevicesOnly: boolean
  readonly addedAt: number
}

/**
 * - `loading`: reading this browser's storage;
 * - `none`: nothing stored: the first run;
 * - `ready`: an identity is open;
 * - `damaged`: records exist but cannot be opened; only recovery helps, never a silent new identity;
 * - `unavailable`: this browser does not let the app store anything, so nothing can be kept.
 */
export type IdentityState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'none' }
  | { readonly kind: 'ready'; readonly identity: IdentityView }
  | { readonly kind: 'damaged'; readonly reason: IdentityDamageReason }
  /** The browser refuses storage here (storage disabled, a private mode without IndexedDB...). */
  | {
      readonly kind: 'unavailable'
      /**
       * The browser's own words when it refused with a `DOMException` (see `browser-words.ts`);
       * undefined when the failure was anything else (the app's own fault, its text for the console).
       */
      readonly browserSaid: string | undefined
    }

/** Why a restore or import did not happen; the stored identity is unchanged in every case. */
export interface IdentityProblem {
  readonly code: string
  readonly message: string
}

export interface IdentityApi {
  readonly state: Observable<IdentityState>
  readonly devices: Observable<readonly DeviceView[]>
  /**
   * First run: makes the identity, this device and its profile. `created` is false when another tab of
   * this browser made one first: a browser profile holds one identity, and this tab now shows that one.
   */
  create(profile: Profile, deviceName: string): Promise<{ readonly created: boolean }>
  updateProfile(profile: Profile): Promise<void>
  /** The recovery phrase, words separated by spaces; shown only when the person asks. */
  recoveryPhrase(): Promise<string>
  /** Restores the identity of `phrase` on this browser as a new device. */
  restoreFromPhrase(phrase: string, deviceName: string, profile?: Profile): Promise<Result<void, IdentityProblem>>
  /** The identity, encrypted with `password`, as a file to keep. */
  exportFile(password: string): Promise<Result<Blob, IdentityProblem>>
  importFile(
    file: Blob,
    password: string,
    deviceName: string,
    profile?: Profile,
  ): Promise<Result<void, IdentityProblem>>
  renameDevice(deviceKey: string, name: string): Promise<void>
  revokeDevice(deviceKey: string): Promise<Result<void, IdentityProblem>>
}
