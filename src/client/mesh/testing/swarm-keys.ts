/** HALO's real swarm keys for a device in a test, as `followSwarmSecrets` takes them. */
import { toHex } from '../../../base'
import { newSwarmSecret, sealFor, swarmCommitment, swarmRoom, verifyBytes, type KeyPair } from '../../../halo'
import { openSealedBox, signWith } from '../../../halo/testing'
import type { SwarmSecretsOptions } from '../swarm-secrets'

export const swarmKeysOf = (device: KeyPair): SwarmSecretsOptions['keys'] => ({
  newSecret: newSwarmSecret,
  room: swarmRoom,
  commitment: swarmCommitment,
  seal: sealFor,
  open: (box, aad) => openSealedBox(device.secretKey, box, aad),
  sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
  verify: verifyBytes,
})
