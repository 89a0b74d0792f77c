// Tests only: a fresh Echo on fake-indexeddb, and actors that sign with their identity key.
import './node-runtime'
import 'fake-indexeddb/auto'
import { ManualClock } from '../../base/testing/manual-clock'
import type { KeyPair } from '../../halo'
import { generateKeyPair } from '../../halo'
import type { EchoOptions } from '../echo'
import type { Space } from '../space/space'
import { Echo } from '../echo'
import type { Actor } from '../membership/entries'

export const T0 = 1_800_000_000_000

export const makeActor = (key: KeyPair = generateKeyPair()): Actor => ({ identity: key.publicKey, signer: { key } })

let databases = 0
export const uniqueDatabaseName = (): string => `echo-test-${++databases}-${crypto.randomUUID()}`

export const openTestEcho = (options: EchoOptions & { name?: string } = {}): Echo =>
  new Echo({ clock: new ManualClock(T0), database: { name: options.name ?? uniqueDatabaseName() }, ...options })

/** The space's file, which tests expect to be exportable. */
export const exported = async (echo: Echo, space: Space): Promise<string> => {
  const file = await echo.exportSpace(space)
  if (!file.ok) throw file.error
  return file.value
}
