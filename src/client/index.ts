export type { AppUpdateState } from './app-update'
export { createClient } from './client'
export type { Client } from './client'
export type {
  DevicesApi,
  JoinState,
  LinkInvitation,
  LinkJoin,
  LinkOffer,
  OfferState,
  SyncApi,
  SyncStatus,
} from './devices-api'
export { browserEdges } from './edges'
export type { InviteJoin, InviteJoinState, OpenInvitation, ReadInvite } from './invites/invites-api'
export type {
  Avatar,
  DeviceView,
  IdentityDamageReason,
  IdentityState,
  IdentityUnlock,
  IdentityView,
  Profile,
  RestorePreview,
} from './identity-api'
export type { SettingsProblem } from './mesh-settings'
export type { Problem } from './problem-words'
export type {
  LiveList,
  MemberRole,
  MemberView,
  PersonHere,
  Removal,
  SpaceSession,
  SpaceSummary,
  TaskPlace,
  TaskView,
} from './spaces-api'
export type { MeshSettings, MeshSettingsProblem, RelayStatus } from '../mesh'
