// The public surface of src/mesh: other layers import only what is named here.
export { allowedRelayOrigins, defaultMeshSettings, parseMeshSettings, validateMeshSettings } from './mesh-config'
export type { MeshSettings, MeshSettingsInput, MeshSettingsProblem } from './mesh-config'
export { isMeshStatusMessage } from './mesh-status'
export type { MeshStatus } from './mesh-status'
export { joinSwarm, trysteroPage } from './swarm'
export type { Swarm, SwarmHandshake, SwarmOptions, SwarmRefusal, TrysteroPage } from './swarm'
export { confirmationCode } from './handshake/confirmation-code'
export { newRepoId } from './handshake/messages'
export { HandshakeRefusal } from './handshake/refusal'
export type { RefusalCode } from './handshake/refusal'
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, runHandshake } from './handshake/run-handshake'
export type {
  AuthenticatedPeer,
  HandshakeContext,
  HandshakeOptions,
  LocalParty,
  Refused,
} from './handshake/run-handshake'
export { MeshNetworkAdapter } from './replication/mesh-network-adapter'
export type { MeshAdapterOptions, MeshAdapterStats, PeerLink, PeerRemote } from './replication/mesh-network-adapter'
export { LINK_CHANNEL, readLinkFrame, writeLinkFrame } from './link-frames'
export type { WelcomeFrame } from './link-frames'
