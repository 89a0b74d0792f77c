// What bench/membership.bench.ts bundles: the membership fold and what it takes to write a log.
export { generateKeyPair, issueCredential, VerifiedCache, verifyCredential } from '../src/halo/index.ts'
export { issueGenesis, issueMember } from '../src/echo/membership/entries.ts'
export { MembershipLog } from '../src/echo/membership/log.ts'
