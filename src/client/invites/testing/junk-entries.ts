/** Test only: membership entries someone signs for a space it holds no say in (a crafted offer's padding). */
import type { Clock } from '../../../base'
import type { Actor } from '../../../echo'
import { generateKeyPair, issueCredential, type Credential, type PublicKey } from '../../../halo'

/** `count` admissions of admins signed by `actor` in `spaceId`: of `subject`, or of a new key each. */
export const adminsSignedBy = (
  actor: Actor,
  spaceId: string,
  count: number,
  { parents, clock, subject }: { parents: readonly string[]; clock: Clock; subject?: PublicKey },
): Credential[] =>
  Array.from({ length: count }, () =>
    issueCredential({
      issuer: actor.identity,
      subject: subject ?? generateKeyPair().publicKey,
      assertion: { kind: 'SpaceMember', space: spaceId as PublicKey, role: 'admin' },
      signer: actor.signer,
      clock,
      parents: parents as Credential['parents'],
    }),
  )
