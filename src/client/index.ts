export type { AppUpdate, AppUpdateState } from './app-update'
export { createClient } from './client'
export type { Client, ClientOptions } from './client'
export type {
  Avatar,
  DeviceView,
  IdentityApi,
  IdentityDamageReason,
  IdentityProblem,
  IdentityState,
  IdentityView,
  Profile,
} from './identity-api'
export type { MeshSettingsApi } from './mesh-settings'
export type { MeshSettings, MeshSettingsProblem } from '../mesh'
