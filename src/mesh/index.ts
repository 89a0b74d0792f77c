// The public surface of src/mesh: other layers import only what is named here.
export { allowedRelayOrigins, defaultMeshSettings, parseMeshSettings, validateMeshSettings } from './mesh-config'
export type { MeshSettings, MeshSettingsInput, MeshSettingsProblem } from './mesh-config'
export { isMeshStatusMessage } from './mesh-status'
export type { MeshStatus } from './mesh-status'
export { joinSwarm } from './swarm'
export type { Swarm } from './swarm'
export { MeshNetworkAdapter } from './replication/mesh-network-adapter'
export type { MeshAdapterOptions, MeshAdapterStats, PeerLink, PeerRemote } from './replication/mesh-network-adapter'
