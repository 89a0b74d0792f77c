// The public surface of src/echo: other layers import only what is named here, and only what they use (knip).
export { initEcho } from './runtime'
export { broadcastChannelNetwork, Echo } from './echo'
export { Space } from './space/space'
export type { Draft } from './space/space'
export { carryDeviceRevocations } from './space/device-revocations'
export { noteEditorBinding, noteReaderBinding } from './space/editor-binding'
export type { Placement } from './space/placement'
export type { ObjectId, SpaceId } from './ids'
export { parseObjectId } from './ids'
export {
  InvalidSpaceFile,
  NotAllowed,
  ObjectNotFound,
  SpaceFileTooLarge,
  StorageFailed,
  StorageQuotaExceeded,
} from './errors'
export type { Actor } from './membership/entries'
export { can } from './membership/policy'
export type { SpaceAction } from './membership/policy'
export type { EchoObject } from './schema/echo-object'
export { orderBetween } from './schema/fractional-index'
export type { Query } from './query/query'
export type { LiveQuery } from './storage/query-index'
export { browserStorageEdge } from './storage/durability'
export type { StorageEdge } from './storage/durability'
export type { SpaceRow } from './storage/echo-database'
export { MAX_SPACE_FILE_BYTES } from './transfer/space-file'
