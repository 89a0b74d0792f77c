import type { Credential } from '../credentials/credential'
import type { DeviceKey, IdentityKey } from '../keys/keys'
import { resolveRevocations } from './revocations'

export interface DeviceInfo {
  readonly key: DeviceKey
  /** The latest DeviceName; undefined until one is known. */
  readonly name: string | undefined
  readonly authorizedAt: number
  readonly revokedAt: number | undefined
  readonly isThisDevice: boolean
}

/** Later wins; equal times are broken by id so every device picks the same one. */
const isNewer = (a: Credential, b: Credential | undefined): boolean =>
  b === undefined || a.issuedAt > b.issuedAt || (a.issuedAt === b.issuedAt && a.id > b.id)

/**
 * The devices of `identity`, folded from its verified credentials: this device
 * first, then by when each was authorized. The same credentials give the same
 * list on every device, in any order.
 */
export const listDevices = (
  identity: IdentityKey,
  thisDevice: DeviceKey,
  credentials: readonly Credential[],
): DeviceInfo[] => {
  const authorized = new Map<string, number>()
  const names = new Map<string, Credential>()
  for (const credential of credentials) {
    if (credential.issuer !== identity) continue
    const device = credential.subject
    const { assertion } = credential
    switch (assertion.kind) {
      case 'AuthorizedDevice':
        authorized.set(device, Math.min(credential.issuedAt, authorized.get(device) ?? Infinity))
        break
      case 'DeviceName':
        if (isNewer(credential, names.get(device))) names.set(device, credential)
        break
      case 'DeviceRevoked':
      case 'SpaceGenesis':
      case 'SpaceMember':
      case 'MemberRemoved':
      case 'Epoch':
      case 'DelegatedInvitation':
      case 'InvitationCancelled':
      case 'Profile':
        break
    }
  }
  // Revocations that stopped counting (their signer was revoked) leave no mark.
  const { holding } = resolveRevocations(identity, credentials)
  const revokedAt = (device: string): number | undefined => {
    const held = holding.get(device as DeviceKey)
    return held === undefined ? undefined : Math.min(...held.map((credential) => credential.issuedAt))
  }
  const nameOf = (device: string): string | undefined => {
    const assertion = names.get(device)?.assertion
    return assertion?.kind === 'DeviceName' ? assertion.name : undefined
  }
  return [...authorized]
    .map(([key, authorizedAt]) => ({
      key: key as DeviceKey,
      name: nameOf(key),
      authorizedAt,
      revokedAt: revokedAt(key),
      isThisDevice: key === thisDevice,
    }))
    .sort(
      (a, b) =>
        Number(b.isThisDevice) - Number(a.isThisDevice) || a.authorizedAt - b.authorizedAt || (a.key < b.key ? -1 : 1),
    )
}
