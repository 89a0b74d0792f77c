/**
 * The personal space carries the identity's own credentials (AuthorizedDevice,
 * DeviceName, DeviceRevoked, Profile) beside its membership log, so whatever
 * syncs the space between the identity's devices syncs those too. ECHO only
 * keeps them: HALO verifies what it reads back (`HaloIdentity.receive`).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { copyKey, decodeCredential, type Credential } from '../../halo'
import type { SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import { recordIn } from './root-fields'

/**
 * Adds the credentials not yet kept; returns how many were new. A grow-only set, like the log, of copies: a copy of
 * an id already kept with another proof (a device of the identity may sign one content through another chain of
 * its own, and which copy counts depends on revocations to come) goes beside it. Each goes under its whole copy key:
 * two devices that each put another copy of one id under the id would leave one of them once their changes meet.
 * Entries kept under their id before stay there.
 */
export const keepIdentityCredentials = (root: DocHandle<SpaceDoc>, credentials: readonly Credential[]): number => {
  const kept = recordIn(root.doc().identity)
  const held = new Set(
    Object.values(kept).flatMap((value) => {
      const decoded = decodeCredential(toPlain(value))
      return decoded.ok ? [copyKey(decoded.value)] : []
    }),
  )
  const fresh = credentials.filter((credential) => !held.has(copyKey(credential)))
  if (fresh.length === 0) return 0
  root.change((doc) => {
    doc.identity ??= {}
    for (const credential of fresh) doc.identity[copyKey(credential)] = toStored(credential)
  })
  return fresh.length
}

/** What the space holds, as plain values still to be verified. */
export const identityCredentialsIn = (root: DocHandle<SpaceDoc>): unknown[] =>
  Object.values(recordIn(root.doc().identity)).map(toPlain)

/** Calls `listener` with the kept credentials whenever a change (here, another tab, a peer) touches them. */
export const onIdentityCredentials = (
  root: DocHandle<SpaceDoc>,
  listener: (credentials: unknown[]) => void,
): (() => void) => {
  const onChange = ({ patches }: { patches: readonly { path: readonly unknown[] }[] }) => {
    if (patches.some((patch) => patch.path[0] === 'identity')) listener(identityCredentialsIn(root))
  }
  root.on('change', onChange)
  return () => root.off('change', onChange)
}
