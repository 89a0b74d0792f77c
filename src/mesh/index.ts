// The public surface of src/mesh: other layers import only what is named here.
export { DEFAULT_SIGNAL_URL, splitList } from './build-env'
export type { BuildEnv } from './build-env'
export {
  allowedRelayOrigins,
  buildRoomConfig,
  defaultMeshSettings,
  MAX_RELAYS,
  MESH_APP_ID,
  MeshSettingsCode,
  MeshSettingsError,
  parseMeshSettings,
  validateMeshSettings,
} from './mesh-config'
export type { IceServer, MeshSettings, MeshSettingsField, MeshSettingsInput, MeshSettingsProblem } from './mesh-config'
export { PresenceTracker } from './presence'
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS,
  DEFAULT_PRESENCE_TIMEOUT_MS,
  joinSwarm,
} from './swarm'
export type { Swarm, SwarmChannel, SwarmOptions, Visibility } from './swarm'
