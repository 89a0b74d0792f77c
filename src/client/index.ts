export type { AppUpdate, AppUpdateProblem, AppUpdateState } from './app-update'
export { createClient } from './client'
export type { Client, ClientOptions } from './client'
export type {
  Avatar,
  DeviceView,
  IdentityApi,
  IdentityDamageReason,
  IdentityProblem,
  IdentityState,
  IdentityUnlock,
  IdentityView,
  Profile,
  RestorePreview,
} from './identity-api'
export type { MeshSettingsApi } from './mesh-settings'
export type {
  LiveList,
  NoteEditor,
  NoteView,
  SpaceProblem,
  SpaceSession,
  SpaceSummary,
  SpacesApi,
  StorageState,
  TaskPlace,
  TaskView,
} from './spaces-api'
export type { MeshSettings, MeshSettingsProblem } from '../mesh'
