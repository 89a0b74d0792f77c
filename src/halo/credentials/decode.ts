/**
 * The one door for credentials that come from outside (a peer, a file, a synced
 * document), already parsed: chain depth first, then exact shape. Only the shape
 * is checked here; whether the credential holds is `verifyCredential`'s job.
 */
import * as v from 'valibot'
import type { Result } from '../../base'
import { AppError, err, ok } from '../../base'
import { illFormedPath } from '../encoding/well-formed'
import type { Credential } from './credential'
import { MAX_INVITATION_USES, SPACE_ROLES } from './credential'
import { MAX_CHAIN_LENGTH } from './verify'

const MAX_PARENTS = 64

export type DecodeProblem = 'too-deep' | 'invalid-shape' | 'ill-formed-text'

export class CredentialMalformed extends AppError<'credential-malformed'> {
  readonly problem: DecodeProblem
  constructor(problem: DecodeProblem, message: string) {
    super('credential-malformed', message)
    this.problem = problem
  }
}

const hex = (length: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9a-f]{${length}}$`)))
const key = hex(64)
const time = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))
const role = v.picklist(SPACE_ROLES)

const assertion = v.variant('kind', [
  v.strictObject({ kind: v.literal('SpaceGenesis'), owner: key }),
  v.strictObject({ kind: v.literal('SpaceMember'), space: key, role }),
  v.strictObject({ kind: v.literal('MemberRemoved'), space: key }),
  v.strictObject({ kind: v.literal('AuthorizedDevice') }),
  v.strictObject({ kind: v.literal('DeviceName'), name: text(64) }),
  v.strictObject({ kind: v.literal('DeviceRevoked') }),
  v.strictObject({ kind: v.literal('Epoch'), space: key, number: time, snapshot: text(128) }),
  // No `multiUse` form: nothing ever issued one (no writer existed before `uses`/`until`), and one without `until`
  // would never expire, so the old shape is refused like any other (`invalid-shape`).
  v.strictObject({
    kind: v.literal('DelegatedInvitation'),
    space: key,
    role,
    uses: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_INVITATION_USES)),
    until: time,
  }),
  v.strictObject({ kind: v.literal('InvitationCancelled'), space: key }),
  v.strictObject({
    kind: v.literal('Profile'),
    displayName: text(64),
    avatar: v.strictObject({
      colour: v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/)),
      emoji: v.exactOptional(text(16)),
    }),
  }),
])

const credential: v.GenericSchema = v.strictObject({
  id: hex(64),
  issuer: key,
  subject: key,
  assertion,
  issuedAt: time,
  expiresAt: v.exactOptional(time),
  parents: v.pipe(v.array(hex(64)), v.maxLength(MAX_PARENTS)),
  proof: v.strictObject({
    signer: key,
    signature: hex(128),
    chain: v.exactOptional(v.lazy(() => credential)),
  }),
})

const chainDepth = (value: unknown): number => {
  let depth = 0
  let link = value
  while (depth <= MAX_CHAIN_LENGTH + 1 && typeof link === 'object' && link !== null && 'proof' in link) {
    const proof = link.proof
    link = typeof proof === 'object' && proof !== null && 'chain' in proof ? proof.chain : undefined
    depth++
  }
  return depth
}

/** Checks the shape of an already parsed value (for example from a synced document). */
export const decodeCredential = (value: unknown): Result<Credential, CredentialMalformed> => {
  if (chainDepth(value) > MAX_CHAIN_LENGTH + 1) return err(new CredentialMalformed('too-deep', 'chain too long'))
  const parsed = v.safeParse(credential, value)
  if (!parsed.success) return err(new CredentialMalformed('invalid-shape', v.summarize(parsed.issues)))
  // A lone surrogate verifies here but becomes U+FFFD in any UTF-8 store, and then fails on every other device.
  const illFormed = illFormedPath(parsed.output)
  if (illFormed !== undefined) {
    return err(new CredentialMalformed('ill-formed-text', `${illFormed} is not well-formed Unicode`))
  }
  // The schema above is the runtime form of the Credential type.
  return ok(parsed.output as Credential)
}
