import { toHex, utf8 } from '../../base'
import type { Echo } from '../../echo'

/**
 * What this device says as its `storage` in the mesh handshake: `hex(sha256(label | device key | ECHO's storage
 * id))`. Stable for one browser profile and device key, so a device met again finds the sync state it keeps for
 * us (automerge-repo keys it by storage id), and not a secret. Hashed with the device key rather than sent as is:
 * the repo's storage id outlives an identity on this profile, and a device key made later here must not be
 * linkable to the earlier one by it. It only travels inside the authenticated channel, and the receiver derives
 * its own key from it and the authenticated device (mesh's adapter), so no peer can pick another's key.
 * Null while ECHO has no storage id.
 */
export const deviceStorage = async (echo: Echo, deviceKey: string): Promise<string | null> => {
  const storageId = await echo.storageId()
  if (storageId === undefined) return null
  const bytes = new Uint8Array(utf8(`commonplace/storage/v1|${deviceKey}|${storageId}`))
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
}
