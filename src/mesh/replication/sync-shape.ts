/**
 * What an Automerge sync message says, read without Automerge (attacker bytes: bounded, never throws). The format,
 * v1 (0x42) and v2 (0x43) alike: `heads`, `need` (each a LEB128 count of 32-byte hashes), `have` (a count, then per
 * entry a `lastSync` hash list and a length-prefixed bloom filter), `changes` (a count of length-prefixed chunks),
 * then, if any bytes are left, a length-prefixed flags section (a byte with its high bit set is a bitfield).
 */

const SYNC_V1 = 0x42
const SYNC_V2 = 0x43
const HASH_BYTES = 32
const FLAG_BITFIELD = 0x80
/** Automerge's `MessageFlags::SYNC_RESET`: the receiver clears what it counts as sent, as for empty heads. */
const FLAG_SYNC_RESET = 0x01

export interface SyncShape {
  /** No heads: the sender holds nothing, and Automerge starts over what it sent it (the whole document). */
  readonly noHeads: boolean
  /** A `have` compares from the document's start: the answer carries every change its bloom filter misses. */
  readonly fromStart: boolean
  /** It carries changes. */
  readonly changes: boolean
  /** Its receipt clears what Automerge counts as sent to the sender (no heads, or the sync-reset flag). */
  readonly reset: boolean
  /** It has a flags section (which sets the sender's capabilities on receipt). */
  readonly flags: boolean
}

interface Read {
  readonly value: number
  readonly next: number
}

/** A LEB128 unsigned integer of at most 32 bits at `at`. */
const readCount = (data: Uint8Array, at: number): Read | undefined => {
  let value = 0
  for (let i = 0; i < 5; i++) {
    const byte = data[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value > 0xffffffff ? undefined : { value, next: at + i + 1 }
  }
  return undefined
}

/** A count of items of `size` bytes each, if they fit in what is left: the count and where they end. */
const readRun = (data: Uint8Array, at: number, size: number): Read | undefined => {
  const count = readCount(data, at)
  if (count === undefined || count.value * size > data.length - count.next) return undefined
  return { value: count.value, next: count.next + count.value * size }
}

/** Length-prefixed bytes at `at`: where they start, and where they end. */
const readBytes = (data: Uint8Array, at: number): { start: number; next: number } | undefined => {
  const length = readRun(data, at, 1)
  return length === undefined ? undefined : { start: length.next - length.value, next: length.next }
}

/** What the message says; undefined for bytes that are no sync message as read here (Automerge refuses those). */
export const readSyncShape = (data: Uint8Array): SyncShape | undefined => {
  if (data[0] !== SYNC_V1 && data[0] !== SYNC_V2) return undefined
  const heads = readRun(data, 1, HASH_BYTES)
  const need = heads === undefined ? undefined : readRun(data, heads.next, HASH_BYTES)
  const haves = need === undefined ? undefined : readCount(data, need.next)
  if (heads === undefined || haves === undefined) return undefined
  let at = haves.next
  let lastSyncs = 0
  for (let i = 0; i < haves.value; i++) {
    const lastSync = readRun(data, at, HASH_BYTES)
    const bloom = lastSync === undefined ? undefined : readBytes(data, lastSync.next)
    if (lastSync === undefined || bloom === undefined) return undefined
    lastSyncs += lastSync.value
    at = bloom.next
  }
  const changes = readCount(data, at)
  if (changes === undefined) return undefined
  at = changes.next
  for (let i = 0; i < changes.value; i++) {
    const chunk = readBytes(data, at)
    if (chunk === undefined) return undefined
    at = chunk.next
  }
  let syncReset = false
  const flags = at < data.length ? readBytes(data, at) : undefined
  if (at < data.length && flags === undefined) return undefined
  if (flags !== undefined) {
    for (const byte of data.subarray(flags.start, flags.next)) {
      if ((byte & FLAG_BITFIELD) !== 0 && (byte & FLAG_SYNC_RESET) !== 0) syncReset = true
    }
  }
  const noHeads = heads.value === 0
  return {
    noHeads,
    // Automerge sends what follows the union of every `have`'s lastSync: from the start only if all are empty.
    fromStart: haves.value > 0 && lastSyncs === 0,
    changes: changes.value > 0,
    reset: noHeads || syncReset,
    flags: flags !== undefined,
  }
}
