import type { Observable, Result } from '../base'
import type { RelayStatus } from '../mesh'
import type { Avatar } from './identity-api'
import type { Problem } from './problem-words'

/**
 * The device that offers a link (A, which holds the identity), step by step. Every step is for
 * the person to read; the interface words each one.
 * - `waiting`: the link is live, nobody has opened it yet;
 * - `confirm`: a device opened it; both screens show `code` (digits from the handshake transcript)
 *   and this one asks Allow / Deny;
 * - `linking`: allowed, the new device is being authorized and receives what it needs;
 * - `linked`: done; `deviceName` is the name the new device gave itself;
 * - `denied`: the person pressed Deny; `expired`: the link's time ran out (it works once, 10 minutes);
 * - `failed`: anything else, in `problem`'s words.
 */
export type OfferState =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'confirm'; readonly code: string; readonly deviceName: string }
  | { readonly kind: 'linking'; readonly deviceName: string }
  | { readonly kind: 'linked'; readonly deviceName: string }
  | { readonly kind: 'denied' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'failed'; readonly problem: Problem }

/** A live device link on the device that made it. Its outcome arrives in `state`, never as a throw. */
export interface LinkOffer {
  /** `<origin>/#/join/<payload>`: the secret is in the fragment only. */
  readonly url: string
  /** Unix milliseconds; after it the link no longer works. */
  readonly expiresAt: number
  readonly state: Observable<OfferState>
  /** In `confirm` only: authorize the device that shows the same code. */
  allow(): void
  /** In `confirm` only: refuse it; the other device reads that it was denied. */
  deny(): void
  /** Stops offering the link (the panel closed); safe in any state and more than once. */
  cancel(): void
}

/**
 * A device link read from the address on a browser with no identity. Opaque beyond these fields:
 * pass it back to `join`, which keeps the link's secret with it.
 */
export interface LinkInvitation {
  /** The fingerprint of the identity the link names, shown before anything is found or stored. */
  readonly fingerprint: string
  /** Unix milliseconds, as the link says; the offering device enforces its own. */
  readonly expiresAt: number
  /** The link's time had run out when it was read. */
  readonly expired: boolean
}

/**
 * The new device (B) joining, step by step.
 * - `looking`: "Looking for your other device…";
 * - `unreachable`: looked for a while and found nobody; still looking ("Your other device is not
 *   online: keep it open with the app");
 * - `found`: connected to the other device, which showed who the identity is (checked by the client);
 * - `confirm`: both screens show `code`; the other device asks Allow / Deny;
 * - `receiving`: allowed; `done` of `total` of the identity's spaces have arrived (the personal space, then each
 *   space it lists; the identity is stored once `done` is 1 or more);
 * - `linked`: this browser holds the linked identity (the identity state follows) and every space arrived, or
 *   20 s passed since it was stored (the rest arrive in the background);
 * - `denied`, `expired`, `used` (the link was already used), `failed` (`problem`'s words): nothing stored.
 */
export type JoinState =
  | { readonly kind: 'looking' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'found'; readonly name: string; readonly avatar: Avatar; readonly fingerprint: string }
  | { readonly kind: 'confirm'; readonly code: string }
  | { readonly kind: 'receiving'; readonly done: number; readonly total: number }
  | { readonly kind: 'linked' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'used' }
  | { readonly kind: 'failed'; readonly problem: Problem }

/** A join under way on the new device; its outcome arrives in `state`. */
export interface LinkJoin {
  readonly state: Observable<JoinState>
  /**
   * Asks the other device to link this one under `deviceName` (within `limits.deviceName`; a bad
   * name is refused with `field: 'deviceName'` and nothing is sent). Resolves once asked.
   */
  request(deviceName: string): Promise<Result<void, Problem>>
  /** Stops joining (the screen closed); nothing is stored unless `linked` was reached. */
  cancel(): void
}

/** Linking another device to this identity, and joining one from a link. */
export interface DevicesApi {
  /** Makes a one-time link (10 minutes) and waits for a device to open it. */
  offerLink(): Promise<Result<LinkOffer, Problem>>
  /** Reads `#/join/<payload>` (the fragment, or just its payload); writes nothing. */
  readLink(fragment: string): Result<LinkInvitation, Problem>
  /** Starts looking for the device that made the link. Refused where this browser already has an identity. */
  join(invitation: LinkInvitation): Promise<Result<LinkJoin, Problem>>
}

/**
 * Sync with the identity's other devices (or a space's members' devices), overall or per space.
 * - `solo`: no other device to sync with;
 * - `offline`: "Offline: changes are kept on this device";
 * - `looking`: online, no other device connected yet and none synced before;
 * - `syncing`: connected, changes are moving; `tooLarge` documents (if any) are too large to send (over 16 MiB)
 *   and stay on this device only;
 * - `up-to-date`: connected to `devices` other devices and nothing is pending;
 * - `idle`: online, none connected now; last synced with `deviceName` at `at` (unix ms).
 */
export type SyncStatus =
  | { readonly kind: 'solo' }
  | { readonly kind: 'offline' }
  | { readonly kind: 'looking' }
  | { readonly kind: 'syncing'; readonly tooLarge?: number }
  | { readonly kind: 'up-to-date'; readonly devices: number }
  | { readonly kind: 'idle'; readonly deviceName: string; readonly at: number }

export interface SyncApi {
  readonly overall: Observable<SyncStatus>
  space(spaceId: string): Observable<SyncStatus>
  /** How each relay of the leader's mesh treats us, in the settings' order (empty until its mesh runs). */
  readonly relays: Observable<readonly RelayStatus[]>
}
