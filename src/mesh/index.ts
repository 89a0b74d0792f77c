// The public surface of src/mesh: other layers import only what is named here.
export {
  buildRoomConfig,
  DEFAULT_SIGNAL_URL,
  defaultMeshSettings,
  MAX_RELAYS,
  MESH_APP_ID,
  MeshSettingsCode,
  MeshSettingsError,
  parseMeshSettings,
  splitList,
  validateMeshSettings,
} from './mesh-config'
export type {
  BuildEnv,
  IceServer,
  MeshSettings,
  MeshSettingsField,
  MeshSettingsInput,
  MeshSettingsProblem,
} from './mesh-config'
export { PresenceTracker } from './presence'
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS,
  DEFAULT_PRESENCE_TIMEOUT_MS,
  joinSwarm,
} from './swarm'
export type { Swarm, SwarmChannel, SwarmOptions, Visibility } from './swarm'
