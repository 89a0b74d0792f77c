// Tests only: identity stores on fake-indexeddb that close after each test, and what they hold.
import 'fake-indexeddb/auto'
import { afterEach } from 'vitest'
import type { Clock } from '../../base'
import type { HaloIdentity } from '../identity/halo-identity'
import type { IdentityUnlock } from '../identity/identity-unlock'
import type { CreateInput } from '../identity/identity-store'
import { IdentityStore } from '../identity/identity-store'
import { openHaloDatabase } from '../storage/halo-database'

/**
 * Opens stores on databases named `<prefix>-<uuid>` (or a given name, to reopen one) and closes every store it
 * opened after each test. Call it at the top of a test file.
 */
export const identityStores = (prefix: string, clock: Clock) => {
  const opened: IdentityStore[] = []
  afterEach(() => {
    for (const store of opened.splice(0)) store.close()
  })
  const storeOn = (databaseName = `${prefix}-${crypto.randomUUID()}`) => {
    const store = new IdentityStore({ databaseName, clock })
    opened.push(store)
    return { store, databaseName }
  }
  /** A new identity in a database of its own. */
  const created = async (input: CreateInput) => {
    const { store, databaseName } = storeOn()
    const result = await store.create(input)
    if (!result.ok) throw result.error
    return { identity: result.value.identity, databaseName }
  }
  return { storeOn, created }
}

export const phraseOf = async (identity: HaloIdentity, unlock?: IdentityUnlock): Promise<string> => {
  const phrase = await identity.recoveryPhrase(unlock)
  if (!phrase.ok) throw phrase.error
  return phrase.value
}

/** Everything a HALO database holds, as comparable data (CryptoKeys only by their count). */
export const dumpHaloDatabase = async (databaseName: string) => {
  const db = openHaloDatabase(databaseName)
  const [identity, secrets, credentials, wrapping] = await Promise.all([
    db.identity.toArray(),
    db.secrets.toArray(),
    db.credentialCopies.toArray(),
    db.wrapping.count(),
  ])
  db.close()
  return { identity, secrets, credentials, wrapping }
}
