/** The Members panel's words, tested beside it. */
import type { MemberRole, MemberView, Removal } from '../../client'

export const ROLE_NAMES: Readonly<Record<MemberRole, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
}

/** A member's name as shown: their profile's, or "Unknown person" with the start of their fingerprint. */
export const memberName = (member: Pick<MemberView, 'displayName' | 'fingerprint'>): string =>
  member.displayName ?? `Unknown person (${member.fingerprint.slice(0, 9)})`

/** "Online now", "Online now on 2 devices", or "Not online". */
export const onlineWords = (devices: number): string =>
  devices === 0 ? 'Not online' : devices === 1 ? 'Online now' : `Online now on ${String(devices)} devices`

/** The removal's offer to cancel open links: "Also cancel the 2 open invitation links: anyone who has one, Bea too, could join with it". */
export const cancelLinksWords = (links: number, name: string): string =>
  links === 1
    ? `Also cancel the open invitation link: anyone who has it, ${name} too, could join with it`
    : `Also cancel the ${String(links)} open invitation links: anyone who has one, ${name} too, could join with it`

/** "You were removed from Garden plans by Ada". */
export const removalWords = (spaceName: string, removal: Removal): string =>
  `You were removed from ${spaceName} by ${removal.byName ?? `someone with fingerprint ${removal.byFingerprint}`}`
