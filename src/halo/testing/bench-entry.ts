// What `npm run bench halo` bundles and times: signatures and credential chains.
export { generateKeyPair, publicKeyToBytes, signWith } from '../keys/keys'
export { verifySignature } from '../keys/ed25519'
export { issueCredential } from '../credentials/issue'
export { verifyCredential } from '../credentials/verify'
export { VerifiedCache } from '../credentials/verified-cache'
