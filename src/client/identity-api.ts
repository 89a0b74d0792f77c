import type { Observable, Result } from '../base'
import type { DamageReason } from '../halo'
import type { Problem } from './problem-words'

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
  /**
   * - `needed`: this device still keeps the identity secret, because no backup is saved yet: show
   *   "Your identity has no backup yet" until the person saves the phrase or an identity file;
   * - `saved`: the secret is not on this device; revoking a device, showing the phrase and exporting
   *   the identity ask for the recovery phrase;
   * - `locked`: the person keeps it on this device behind a passphrase, which those operations ask for;
   * - `linked`: this device was linked from another one and never held the secret; as `saved`, those
   *   operations ask for the recovery phrase.
   */
  readonly backup: 'needed' | 'saved' | 'locked' | 'linked'
}

/** What the person gives to act as the identity once this device no longer keeps its secret openly. */
export type IdentityUnlock = { readonly recoveryPhrase: string } | { readonly passphrase: string }

export interface DeviceView {
  readonly deviceKey: string
  readonly name: string
  readonly thisDevice: boolean
  readonly revoked: boolean
  /** Revoked by devices only, not by the identity key: revoking it here settles it for good. */
  readonly revokedByDevicesOnly: boolean
  readonly addedAt: number
  /** Connected to this device now (issue 11: filled in once devices sync; absent until then). */
  readonly online?: boolean
  /** Unix ms this device last synced with it, if ever. */
  readonly lastSeenAt?: number
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
  /** Another of the identity's devices revoked this one: its local copy stays readable, nothing syncs. */
  | { readonly kind: 'removed'; readonly identity: IdentityView }
  /** The browser refuses storage here (storage disabled, a private mode without IndexedDB...). */
  | {
      readonly kind: 'unavailable'
      /**
       * The browser's own words when it refused with a `DOMException` (see `browser-words.ts`);
       * undefined when the failure was anything else (the app's own fault, its text for the console).
       */
      readonly browserSaid: string | undefined
    }

/**
 * What a restore or import would bring, shown before anything is written: a typo in the phrase can
 * pass its checksum and stand for another, empty identity.
 */
export interface RestorePreview {
  /** Pass back to `restoreFromPhrase` or `importFile` once the person confirms. */
  readonly identityKey: string
  readonly fingerprint: string
  /** The latest name known for it (from the file or this browser's damaged records), if any. */
  readonly displayName: string | undefined
  /** What this browser holds now, if anything (a damaged identity). */
  readonly stored:
    | {
        /** Whose records they are, if that can still be read. */
        readonly fingerprint: string | undefined
        readonly sameIdentity: boolean
        /** Another identity's secret still opens here, so the restore is refused rather than delete it. */
        readonly otherSecretOpens: boolean
      }
    | undefined
}

/** A restore's profile, used only when none of the identity is found to keep; the client picks the avatar if none. */
export interface RestoreProfile {
  readonly displayName: string
  readonly avatar?: Avatar
}

/**
 * Every action resolves to a `Result` and never throws; a refused one changed nothing stored (a failed
 * restore or import leaves the stored identity as it was).
 */
export interface IdentityApi {
  readonly state: Observable<IdentityState>
  readonly devices: Observable<readonly DeviceView[]>
  /**
   * First run: makes the identity, this device and its profile. `created` is false when another tab of
   * this browser made one first: a browser profile holds one identity, and this tab now shows that one.
   */
  create(profile: Profile, deviceName: string): Promise<Result<{ readonly created: boolean }, Problem>>
  updateProfile(profile: Profile): Promise<Result<void, Problem>>
  /**
   * The recovery phrase, words separated by spaces; shown only when the person asks. After the
   * backup is saved it needs `unlock` (the phrase itself: the answer then confirms it is right).
   */
  recoveryPhrase(unlock?: IdentityUnlock): Promise<Result<string, Problem>>
  /** The person has saved the phrase or an identity file elsewhere: this device deletes its copy. */
  confirmBackup(): Promise<Result<void, Problem>>
  /** Keeps the identity secret on this device behind `passphrase`; `unlock` is the recovery phrase. */
  keepWithPassphrase(passphrase: string, unlock: IdentityUnlock): Promise<Result<void, Problem>>
  /** Deletes the passphrase copy; the recovery phrase is asked for again. */
  forgetPassphrase(): Promise<Result<void, Problem>>
  /** Which identity `phrase` stands for; writes nothing. */
  previewPhrase(phrase: string): Promise<Result<RestorePreview, Problem>>
  /** Which identity the file holds; writes nothing. */
  previewFile(file: Blob, password: string): Promise<Result<RestorePreview, Problem>>
  /**
   * Restores the identity of `phrase` on this browser as a new device, only if it is `confirmed`
   * (the `identityKey` of the preview the person accepted).
   */
  restoreFromPhrase(
    phrase: string,
    confirmed: string,
    deviceName: string,
    profile?: RestoreProfile,
  ): Promise<Result<void, Problem>>
  /** The identity, encrypted with `password`, as a file to keep. */
  exportFile(password: string, unlock?: IdentityUnlock): Promise<Result<Blob, Problem>>
  importFile(
    file: Blob,
    password: string,
    confirmed: string,
    deviceName: string,
    profile?: RestoreProfile,
  ): Promise<Result<void, Problem>>
  renameDevice(deviceKey: string, name: string): Promise<Result<void, Problem>>
  /** Signed by the identity key: needs `unlock` once the backup is saved. */
  revokeDevice(deviceKey: string, unlock?: IdentityUnlock): Promise<Result<void, Problem>>
}
