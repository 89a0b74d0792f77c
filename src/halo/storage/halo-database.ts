/**
 * The IndexedDB layout of HALO, through Dexie (the only file that knows Dexie).
 * Every transaction is opened with strict durability: the browser reports a
 * write done only once it is flushed to disk, so a crash right after creating
 * an identity cannot lose it.
 *
 * Reads hand back `unknown` values on purpose: a record may be damaged, and the
 * loader validates everything before trusting it.
 */
import type { EntityTable, Table } from 'dexie'
import Dexie from 'dexie'
import { copyKey } from '../credentials/copy-key'
import type { Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { SealedSecret } from './key-wrapping'

export const DEFAULT_DATABASE_NAME = 'commonplace-halo'

/** Which identity this profile holds and which device it is. */
interface IdentityRecord {
  readonly slot: 'self'
  readonly version: 1
  readonly identityKey: string
  readonly deviceKey: string
  readonly createdAt: number
  /**
   * When the person confirmed a backup of the identity secret (the phrase or a
   * file) and this device deleted its copy. Absent while the copy is kept.
   */
  readonly backupSavedAt?: number
  /**
   * Set when this device was linked from another device of the identity: it never held the identity secret, and
   * its AuthorizedDevice came from that device.
   */
  readonly linked?: true
  /**
   * The copy key of the AuthorizedDevice this device was linked with: the chain it signs through while that holds,
   * though a device of the identity can make others for it (`ownChain`). Absent on a device linked before it was kept.
   */
  readonly linkedChain?: string
}

type SecretSlot = 'identity' | 'device'

export interface SecretRecord extends SealedSecret {
  readonly slot: SecretSlot
}

/**
 * The identity secret kept behind the person's passphrase: an identity file (PBKDF2-SHA-256, 600,000
 * iterations, AES-GCM) with no credentials, under a key nothing on the device holds.
 */
interface LockedSecretRecord {
  readonly slot: 'locked'
  readonly file: string
}

interface WrappingKeyRecord {
  readonly slot: 'wrapping'
  readonly key: CryptoKey
}

/**
 * A credential kept as plain JSON data, indexed for the queries HALO and the personal space need. One record per
 * copy (`copyKey`: the id and the proof): a device may sign one content through another chain, and which copy
 * counts depends on revocations to come, so a later copy must not be lost to an earlier one with its id.
 */
interface CredentialRecord {
  readonly copy: string
  readonly id: string
  readonly issuer: string
  readonly subject: string
  readonly kind: string
  readonly credential: Credential
}

/** A version 1 row whose credential did not decode, kept as it was. */
interface UnreadRecord {
  readonly copy: string
  readonly credential: unknown
}

type HaloDatabase = Dexie & {
  identity: EntityTable<IdentityRecord, 'slot'>
  secrets: Table<SecretRecord | LockedSecretRecord, string>
  wrapping: EntityTable<WrappingKeyRecord, 'slot'>
  credentialCopies: Table<CredentialRecord | UnreadRecord, string>
}

export const openHaloDatabase = (name: string): HaloDatabase => {
  const db = new Dexie(name, { chromeTransactionDurability: 'strict' }) as HaloDatabase
  db.version(1).stores({
    identity: 'slot',
    secrets: 'slot',
    wrapping: 'slot',
    credentials: 'id, issuer, subject, kind',
  })
  // Keyed by copy from version 2 (a key cannot change in place): the rows move to a new table, then the old goes.
  db.version(2)
    .stores({ credentialCopies: 'copy, id, issuer, subject, kind' })
    .upgrade(async (tx) => {
      const rows = (await tx.table('credentials').toArray()) as { id?: unknown; credential?: unknown }[]
      await tx.table('credentialCopies').bulkPut(rows.map(movedRecord))
    })
  db.version(3).stores({ credentials: null })
  return db
}

/**
 * A version 1 row in the table of copies. What does not decode moves too, under a key of its own: nothing stored is
 * dropped by an upgrade, and reading ignores it as before.
 */
const movedRecord = (row: { id?: unknown; credential?: unknown }, index: number): CredentialRecord | UnreadRecord => {
  const decoded = decodeCredential(row.credential)
  return decoded.ok ? recordOf(decoded.value) : { copy: `unreadable:${String(index)}`, credential: row.credential }
}

/** Everything stored, read in one transaction, not yet validated. */
export interface StoredSnapshot {
  readonly identity: unknown
  readonly wrappingKey: unknown
  readonly secrets: ReadonlyMap<string, unknown>
  readonly credentials: readonly unknown[]
}

/** What a new identity (first run, restore or import) writes, all at once. */
export interface IdentityContents {
  readonly identity: IdentityRecord
  readonly wrappingKey: CryptoKey
  readonly secrets: readonly SecretRecord[]
  readonly credentials: readonly Credential[]
}

const recordOf = (credential: Credential): CredentialRecord => ({
  copy: copyKey(credential),
  id: credential.id,
  issuer: credential.issuer,
  subject: credential.subject,
  kind: credential.assertion.kind,
  credential,
})

/** Nothing of HALO is stored: the one state in which a first run may create an identity. */
export const isEmptySnapshot = (snapshot: StoredSnapshot): boolean =>
  snapshot.identity === undefined &&
  snapshot.wrappingKey === undefined &&
  snapshot.secrets.size === 0 &&
  snapshot.credentials.length === 0

/** The storage edge of HALO: a snapshot read and three kinds of atomic write. */
export class HaloStorage {
  readonly #db: HaloDatabase

  constructor(name: string = DEFAULT_DATABASE_NAME) {
    this.#db = openHaloDatabase(name)
  }

  read(): Promise<StoredSnapshot> {
    const db = this.#db
    return db.transaction('r', [db.identity, db.secrets, db.wrapping, db.credentialCopies], async () => {
      const [identity, wrapping, secrets, credentials] = await Promise.all([
        db.identity.get('self'),
        db.wrapping.get('wrapping'),
        db.secrets.toArray(),
        db.credentialCopies.toArray(),
      ])
      return {
        identity,
        wrappingKey: wrapping?.key,
        secrets: new Map(secrets.map((record) => [record.slot, record])),
        credentials: credentials.map((record) => record.credential),
      }
    })
  }

  /**
   * Writes a whole identity in one transaction. `fresh` writes only into an
   * empty database and returns false otherwise (another tab won); `replace`
   * clears what is there first (recovery over a damaged identity).
   */
  writeIdentity(contents: IdentityContents, mode: 'fresh' | 'replace'): Promise<boolean> {
    const db = this.#db
    return db.transaction('rw', [db.identity, db.secrets, db.wrapping, db.credentialCopies], async () => {
      if (mode === 'fresh' && !isEmptySnapshot(await this.read())) return false
      await Promise.all([db.identity.clear(), db.secrets.clear(), db.wrapping.clear(), db.credentialCopies.clear()])
      await db.identity.put(contents.identity)
      await db.wrapping.put({ slot: 'wrapping', key: contents.wrappingKey })
      await db.secrets.bulkPut([...contents.secrets])
      await db.credentialCopies.bulkPut(contents.credentials.map(recordOf))
      return true
    })
  }

  /**
   * Deletes this device's copy of the identity secret and records when the
   * backup was confirmed, in one transaction. False (and nothing changed) when
   * the stored identity is not `identityKey`.
   */
  forgetIdentitySecret(identityKey: string, at: number): Promise<boolean> {
    const db = this.#db
    return db.transaction('rw', [db.identity, db.secrets], async () => {
      const record = await db.identity.get('self')
      if (record?.identityKey !== identityKey) return false
      await db.secrets.delete('identity')
      if (record.backupSavedAt === undefined) await db.identity.put({ ...record, backupSavedAt: at })
      return true
    })
  }

  /** Keeps (or, with `undefined`, deletes) the passphrase-locked secret; false when the identity is not `identityKey`. */
  setLockedSecret(identityKey: string, file: string | undefined): Promise<boolean> {
    const db = this.#db
    return db.transaction('rw', [db.identity, db.secrets], async () => {
      const record = await db.identity.get('self')
      if (record?.identityKey !== identityKey) return false
      await (file === undefined ? db.secrets.delete('locked') : db.secrets.put({ slot: 'locked', file }))
      return true
    })
  }

  /** Adds credentials (verified by the caller), one record per copy: adding a copy twice changes nothing. */
  async addCredentials(credentials: readonly Credential[]): Promise<void> {
    const db = this.#db
    await db.transaction('rw', db.credentialCopies, () => db.credentialCopies.bulkPut(credentials.map(recordOf)))
  }

  close(): void {
    this.#db.close()
  }
}
