// The public surface of src/echo: other layers import only what is named here.
export { initEcho, isEchoReady } from './runtime'
export { broadcastChannelNetwork, Echo } from './echo'
export type { EchoOptions } from './echo'
export { Space } from './space/space'
export type { Draft } from './space/space'
export { carryDeviceRevocations, recordDeviceRevocations } from './space/device-revocations'
export type { RevocationCarrier } from './space/device-revocations'
export type { NoteText } from './space/text'
export { noteEditorBinding } from './space/editor-binding'
export type { EditorBinding } from './space/editor-binding'
export type { FieldPatch } from './space/object-writes'
export { DEFAULT_PLACEMENT } from './space/placement'
export type { Placement } from './space/placement'
export { TEXT_PATH } from './space/documents'
export type { AutomergeUrl, DocumentId, TextDoc } from './space/documents'
export { DocumentStore } from './document-store'
export type { ObjectId, SpaceId } from './ids'
export { parseObjectId } from './ids'
export {
  DocumentCorrupt,
  EpochOutOfRange,
  InvalidFields,
  InvalidSpaceFile,
  NoteTextNotInSpace,
  NotAllowed,
  ObjectNotFound,
  SpaceFileTooLarge,
  SpaceNotFound,
  StorageFailed,
  StorageQuotaExceeded,
} from './errors'
export type { Actor } from './membership/entries'
export { foldMembership, roleOf } from './membership/fold'
export { can } from './membership/policy'
export type { SpaceAction } from './membership/policy'
export type { EpochRecord, Member, MembershipState } from './membership/fold'
export { IGNORE_REASONS } from './membership/canonical-order'
export type { Ignored, IgnoreReason } from './membership/canonical-order'
export { OBJECT_TYPES } from './schema/object-types'
export { CURRENT_VERSION } from './schema/object-type-specs'
export type { FieldsOf, NoteFields, ObjectType, TaskFields } from './schema/object-types'
export { QUARANTINE_REASONS } from './schema/echo-object'
export type {
  EchoObject,
  EchoObjectOf,
  NoteObject,
  Quarantined,
  QuarantineReason,
  TaskObject,
} from './schema/echo-object'
export { isOrderKey, orderBetween } from './schema/fractional-index'
export { DELETED_FILTERS, SORT_FIELDS } from './query/query'
export type { DeletedFilter, Query, SortField } from './query/query'
export { QUERY_STATUSES } from './storage/query-index'
export type { LiveQuery, QueryState } from './storage/query-index'
export { STORAGE_STATUSES } from './storage/dexie-storage-adapter'
export type { StorageStatus } from './storage/dexie-storage-adapter'
export { browserStorageEdge, STORAGE_HEALTH, storageHealth } from './storage/durability'
export type { StorageEdge, StorageEstimate, StorageHealth } from './storage/durability'
export { DEFAULT_DATABASE_NAME } from './storage/echo-database'
export type { DatabaseOptions, QuarantineRow, SpaceRow } from './storage/echo-database'
export type { MarkdownFile } from './transfer/markdown'
export { MAX_SPACE_FILE_BYTES, SPACE_FILE_FORMAT } from './transfer/space-file'
