/** What a space's parts share from the ECHO that opened it. */
import type { Clock } from '../../base'
import type { DocumentStore } from '../document-store'
import type { SpaceId } from '../ids'
import type { Indexer } from '../indexer'
import type { EchoDatabase } from '../storage/echo-database'
import type { PublicKey } from '../../halo'
import type { InvitationRoomStore } from '../storage/invitation-room-store'
import type { LogStore } from '../storage/log-store'
import type { DocumentId } from './documents'
import type { Locks } from './object-lock'
import type { Placement } from './placement'

export interface SpaceContext {
  readonly documents: DocumentStore
  readonly db: EchoDatabase
  /** Every verified membership entry this device has seen (the log only grows). */
  readonly logs: LogStore
  /** Every invitation room entry this device verified (`kept-invitation-rooms.ts`). */
  readonly rooms: InvitationRoomStore
  /** The identity that holds this space on this device. */
  readonly holder: PublicKey
  readonly indexer: Indexer
  readonly clock: Clock
  readonly placement: Placement
  readonly locks: Locks
  /** The roots of the other spaces here and every document they list: never this space's to collect. */
  readonly otherSpaces: (space: SpaceId) => Promise<ReadonlySet<DocumentId>>
  /** Whether a document its root lists is this space's: not placed in another space here (document-spaces.ts). */
  readonly owns: (documentId: DocumentId) => boolean
}
