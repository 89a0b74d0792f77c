import { fromBase64Url, utf8, type Result } from '../../base'
import type { SpaceId, SwarmBoxEntry } from '../../echo'
import { canonicalJson, type PublicKey } from '../../halo'

/** A box is bound to its space, generation and recipient, so it cannot be moved to another. */
export const aadOf = (spaceId: SpaceId, generation: number, recipient: PublicKey): string =>
  `commonplace/swarm-box/v2|${spaceId}|${String(generation)}|${recipient}`

/** The bytes the sealer signs: everything of the entry but the signature, with the space. */
export const signedBytesOf = (spaceId: SpaceId, entry: Omit<SwarmBoxEntry, 'sig'>): Uint8Array =>
  utf8(
    canonicalJson({
      spaceId,
      generation: entry.generation,
      recipient: entry.recipient,
      sealer: entry.sealer,
      box: entry.box,
      commitment: entry.commitment,
    }),
  )

/** What reading entries needs of HALO: the identity's devices, signatures, this device's opening. */
export interface BoxChecks {
  readonly me: PublicKey
  /** A device of the identity HALO does not hold revoked. */
  isLive(device: PublicKey): boolean
  isRevoked(device: PublicKey): boolean
  verify(signature: string, bytes: Uint8Array, key: PublicKey): boolean
  open(box: Uint8Array, aad: string): Result<Uint8Array, unknown>
  commitment(secret: Uint8Array, spaceId: string, generation: number): string
}

/** A secret this device holds at a generation. */
export interface Held {
  readonly generation: number
  readonly secret: Uint8Array
  readonly commitment: string
}

export interface SpaceKeys {
  /** The highest generation with a valid entry (signed by a live sealer); undefined when none. */
  readonly top: number | undefined
  /** Whether any entry is signed by a device of the identity: a space with none has never had a secret. */
  readonly anySigned: boolean
  /** Per generation, the secret this device uses there: the smallest commitment among valid entries it opens. */
  readonly held: ReadonlyMap<number, Held>
  /** At `top`: the smallest commitment valid entries claim for each recipient. */
  readonly claimed: ReadonlyMap<PublicKey, string>
  /** A revoked device sealed or was sealed a secret at `top` (or every signed entry's sealer is revoked). */
  readonly compromised: boolean
  /** The highest generation at which a revoked device sealed or was sealed a secret (a reason for the next one). */
  readonly exposed: number | undefined
  /** Where a new secret would go: one past every signed generation. */
  readonly next: number
}

/** Memoises signature checks and openings by entry, so a refresh does not redo Ed25519 work. */
export const boxCache = () => {
  const signed = new Map<string, boolean>()
  const opened = new Map<string, Uint8Array | undefined>()
  const keyOf = (spaceId: SpaceId, entry: SwarmBoxEntry) =>
    `${spaceId}|${String(entry.generation)}|${entry.recipient}|${entry.sealer}|${entry.commitment}|${entry.sig}|${entry.box}`
  return {
    signed: (spaceId: SpaceId, entry: SwarmBoxEntry, check: () => boolean): boolean => {
      const key = keyOf(spaceId, entry)
      const known = signed.get(key)
      if (known !== undefined) return known
      const value = check()
      signed.set(key, value)
      return value
    },
    opened: (spaceId: SpaceId, entry: SwarmBoxEntry, open: () => Uint8Array | undefined): Uint8Array | undefined => {
      const key = keyOf(spaceId, entry)
      if (opened.has(key)) return opened.get(key)
      const value = open()
      opened.set(key, value)
      return value
    },
  }
}
export type BoxCache = ReturnType<typeof boxCache>

/**
 * Reads a space's entries. An entry counts only if its signature verifies under its sealer, the sealer is a live
 * device, and (for ours) the opened secret matches the commitment; anything else is ignored and blocks nothing.
 */
export const readSpaceKeys = (
  spaceId: SpaceId,
  entries: readonly SwarmBoxEntry[],
  checks: BoxChecks,
  cache: BoxCache = boxCache(),
): SpaceKeys => {
  // Signed by a device of the identity, live or revoked (a revoked sealer's entry still tells who knew a secret).
  const signed = entries.filter(
    (entry) =>
      (checks.isLive(entry.sealer) || checks.isRevoked(entry.sealer)) &&
      cache.signed(spaceId, entry, () => checks.verify(entry.sig, signedBytesOf(spaceId, entry), entry.sealer)),
  )
  const valid = signed.filter((entry) => checks.isLive(entry.sealer))
  const top = valid.length === 0 ? undefined : Math.max(...valid.map((entry) => entry.generation))
  const held = new Map<number, Held>()
  for (const entry of valid) {
    if (entry.recipient !== checks.me) continue
    const known = held.get(entry.generation)
    if (known !== undefined && known.commitment <= entry.commitment) continue
    const secret = cache.opened(spaceId, entry, () => {
      const bytes = fromBase64Url(entry.box)
      const opened = bytes === undefined ? undefined : checks.open(bytes, aadOf(spaceId, entry.generation, checks.me))
      if (opened?.ok !== true) return undefined
      return checks.commitment(opened.value, spaceId, entry.generation) === entry.commitment ? opened.value : undefined
    })
    if (secret !== undefined)
      held.set(entry.generation, { generation: entry.generation, secret, commitment: entry.commitment })
  }
  const claimed = new Map<PublicKey, string>()
  for (const entry of valid) {
    if (entry.generation !== top) continue
    const known = claimed.get(entry.recipient)
    if (known === undefined || entry.commitment < known) claimed.set(entry.recipient, entry.commitment)
  }
  const revokedIn = signed.filter((entry) => checks.isRevoked(entry.recipient) || checks.isRevoked(entry.sealer))
  const compromised = top === undefined ? signed.length > 0 : revokedIn.some((entry) => entry.generation === top)
  const exposed = revokedIn.length === 0 ? undefined : Math.max(...revokedIn.map((entry) => entry.generation))
  const next = signed.reduce((highest, entry) => Math.max(highest, entry.generation), 0) + 1
  return { top, anySigned: signed.length > 0, held, claimed, compromised, exposed, next }
}

/**
 * How many generations below the current one keep their rooms: a member's device that was closed through that many
 * rotations still finds someone in the room of the newest secret it holds, and catches up there (a device that
 * missed more holds no room the others are still in). Each kept room costs the relay a topic and each pair of met
 * devices one handshake; rotations are rare (a removal, a leave, a device revoked).
 */
const KEPT_GENERATIONS = 3

/**
 * The secrets to be in the rooms of: the highest generation held, and the `KEPT_GENERATIONS` highest below it (a
 * rotation after two exclusions at once may skip a number, so these are generations held, not numbers).
 */
export const roomsOf = (keys: SpaceKeys): { current: Held | undefined; previous: readonly Held[] } => {
  const [current, ...below] = [...keys.held.values()].sort((a, b) => b.generation - a.generation)
  return { current, previous: below.slice(0, KEPT_GENERATIONS) }
}
