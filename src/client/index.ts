export type { AppUpdate, AppUpdateProblem, AppUpdateState } from './app-update'
export { createClient } from './client'
export type { Client, ClientOptions } from './client'
export { browserEdges } from './edges'
export type { BrowserEdges, ListenerTarget } from './edges'
export type {
  Avatar,
  DeviceView,
  IdentityApi,
  IdentityDamageReason,
  IdentityState,
  IdentityUnlock,
  IdentityView,
  Profile,
  RestorePreview,
  RestoreProfile,
} from './identity-api'
export type { Limits } from './limits'
export type { MeshSettingsApi, SettingsProblem } from './mesh-settings'
export type { Problem } from './problem-words'
export type {
  LiveList,
  NoteEditor,
  NoteView,
  SpaceSession,
  SpaceSummary,
  SpacesApi,
  StorageState,
  TaskPlace,
  TaskView,
} from './spaces-api'
export type { MeshSettings, MeshSettingsProblem } from '../mesh'
