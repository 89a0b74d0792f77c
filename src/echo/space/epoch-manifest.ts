/**
 * An epoch's manifest as hashed: the key the root keeps it under and the
 * snapshot its Epoch credential signs. Document ids and heads are sorted and
 * only the fields an epoch records count; the bytes are halo's canonical JSON.
 *
 * Epochs recorded before (issue 10) hashed `JSON.stringify` of the same value
 * with its keys in a fixed order (number, documents, replaced; into, heads),
 * which canonical JSON sorts differently: those hashes are on disk and in
 * signed credentials, so a manifest matching either encoding is accepted
 * (finding a second manifest for one hash would take a SHA-256 collision).
 */
import { toHex } from '../../base'
import { canonicalJson, NotCanonical } from '../../halo'
import type { EpochManifest } from './documents'

const digest = async (text: string): Promise<string> =>
  `sha256:${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))}`

const sortedHeads = (record: Readonly<Record<string, readonly string[]>>) =>
  Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((id) => [id, [...(record[id] ?? [])].sort()]),
  )

/** What is hashed, keys in the order the first encoding wrote them (`replaced` only when there is one). */
const hashed = (manifest: EpochManifest) => ({
  number: manifest.number,
  documents: sortedHeads(manifest.documents),
  ...(manifest.replaced === undefined
    ? {}
    : {
        replaced: Object.fromEntries(
          Object.keys(manifest.replaced)
            .sort()
            .map((id) => {
              const retired = manifest.replaced?.[id]
              return [id, { into: retired?.into, heads: [...(retired?.heads ?? [])].sort() }]
            }),
        ),
      }),
})

/** The hash a new epoch records: SHA-256 of the manifest's canonical JSON. */
export const manifestHash = (manifest: EpochManifest): Promise<string> => digest(canonicalJson(hashed(manifest)))

/** The hash epochs recorded before canonical JSON (still accepted by `manifestMatches`). */
export const legacyManifestHash = (manifest: EpochManifest): Promise<string> => digest(JSON.stringify(hashed(manifest)))

/** Whether `manifest` (read from a root: attacker-written) hashes to `snapshot` under either encoding. */
export const manifestMatches = async (manifest: EpochManifest, snapshot: string): Promise<boolean> => {
  try {
    if ((await manifestHash(manifest)) === snapshot) return true
  } catch (error) {
    // Outside canonical JSON (a fraction, a lone surrogate): only the old encoding could have hashed it.
    if (!(error instanceof NotCanonical)) throw error
  }
  return (await legacyManifestHash(manifest)) === snapshot
}
