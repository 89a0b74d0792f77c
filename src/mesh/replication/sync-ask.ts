/**
 * What the start of an Automerge sync message asks of us, read without Automerge (attacker bytes: bounded, never
 * throws). The format, v1 (0x42) and v2 (0x43) alike: the sender's `heads`, its `need`, its `have` list (each a
 * `lastSync` list of hashes and a length-prefixed bloom filter of its changes since them), then changes. A list is
 * a LEB128 count, a hash 32 bytes. Automerge answers a message whose heads are empty ("I lost my data") with every
 * change, or the whole document saved; and a `have` whose `lastSync` is empty with every change its bloom filter
 * misses: each costs its sender about 40 bytes and us the whole document (review 14, H3).
 */

const SYNC_V1 = 0x42
const SYNC_V2 = 0x43
const HASH_BYTES = 32

export interface SyncAsk {
  /** The sender holds no change of the document: Automerge resets what it sent and sends it everything. */
  readonly noHeads: boolean
  /** A `have` compares from the document's start: the reply carries every change its filter does not name. */
  readonly fromStart: boolean
  /** Where the `have` list (its count included) sits in the message. */
  readonly have: { readonly start: number; readonly end: number }
}

/** A LEB128 unsigned integer of at most 32 bits at `at`, and where the next field starts. */
const readCount = (data: Uint8Array, at: number): { value: number; next: number } | undefined => {
  let value = 0
  for (let i = 0; i < 5; i++) {
    const byte = data[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value > 0xffffffff ? undefined : { value, next: at + i + 1 }
  }
  return undefined
}

/** A list of hashes at `at`: its length and where it ends, if it fits in the message. */
const readHashes = (data: Uint8Array, at: number): { count: number; next: number } | undefined => {
  const count = readCount(data, at)
  if (count === undefined || count.value > (data.length - count.next) / HASH_BYTES) return undefined
  return { count: count.value, next: count.next + count.value * HASH_BYTES }
}

/** What the message asks; undefined when it is no sync message Automerge would read (Automerge then refuses it). */
export const readSyncAsk = (data: Uint8Array): SyncAsk | undefined => {
  if (data[0] !== SYNC_V1 && data[0] !== SYNC_V2) return undefined
  const heads = readHashes(data, 1)
  const need = heads === undefined ? undefined : readHashes(data, heads.next)
  const haves = need === undefined ? undefined : readCount(data, need.next)
  if (heads === undefined || need === undefined || haves === undefined) return undefined
  let at = haves.next
  let fromStart = false
  for (let i = 0; i < haves.value; i++) {
    const lastSync = readHashes(data, at)
    const bloom = lastSync === undefined ? undefined : readCount(data, lastSync.next)
    if (lastSync === undefined || bloom === undefined || bloom.value > data.length - bloom.next) return undefined
    if (lastSync.count === 0) fromStart = true
    at = bloom.next + bloom.value
  }
  return { noHeads: heads.count === 0, fromStart, have: { start: need.next, end: at } }
}

/** The same message with an empty `have` list: Automerge then sends only the changes it names in `need`. */
export const withoutHave = (data: Uint8Array, ask: SyncAsk): Uint8Array => {
  const out = new Uint8Array(data.length - (ask.have.end - ask.have.start) + 1)
  out.set(data.subarray(0, ask.have.start), 0)
  out[ask.have.start] = 0
  out.set(data.subarray(ask.have.end), ask.have.start + 1)
  return out
}
