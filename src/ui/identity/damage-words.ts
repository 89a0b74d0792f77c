import { assertNever } from '../../base'
import type { IdentityDamageReason } from '../../client'

/** Why the stored identity cannot be opened, in words for the person who owns it. */
export const damageInWords = (reason: IdentityDamageReason): string => {
  switch (reason) {
    case 'missing-identity-record':
      return 'the record of who you are is missing'
    case 'malformed-identity-record':
      return 'the record of who you are is damaged'
    case 'missing-wrapping-key':
      return 'the key that locks your keys on this browser is missing'
    case 'missing-identity-secret':
    case 'missing-device-secret':
      return 'a stored key is missing'
    case 'unreadable-secret':
      return 'a stored key cannot be unlocked'
    case 'key-mismatch':
      return 'the stored keys do not belong together'
    case 'missing-device-authorization':
    case 'missing-linked-chain':
      return "this device's authorization is missing"
    case 'this-device-revoked':
      return 'this device was revoked from another of your devices'
    default:
      return assertNever(reason)
  }
}
