import type { SpaceId } from '../../echo'

/** Wire ids of remote Repos start so (`newRepoId`); our tabs' ids (`peer-…`) never do. */
const REMOTE_PREFIX = 'cp1.'

/** Whether `peer` is a remote device's Repo (as opposed to one of our own tabs). */
export const isRemote = (peer: string): boolean => peer.startsWith(REMOTE_PREFIX)

/**
 * Which spaces each remote Repo may see: a grant per authenticated connection in a space's room, counted,
 * so a peer met in two rooms keeps one space when it leaves the other. Answers from memory, since the
 * Repo asks on every message.
 */
export class PeerAccess {
  readonly #grants = new Map<string, Map<SpaceId, number>>()
  readonly #spaceOf: (documentId: string) => SpaceId | undefined
  readonly #placedIn: (documentId: string) => SpaceId | undefined
  // Roots being adopted: ECHO knows a space's documents only once it is open, but must ask for its root first.
  readonly #expected = new Map<string, SpaceId>()
  readonly #gained: (repo: string, space: SpaceId) => void

  /**
   * `spaceOf` is ECHO's answer for a listed document; `placedIn` the space a document was stored under here, also
   * when no root lists it now (a root being adopted is never one placed in another space). `gained` is told when a
   * remote may see a space it could not see just before (its first grant there), or a root expected there.
   */
  constructor(
    spaceOf: (documentId: string) => SpaceId | undefined,
    placedIn: (documentId: string) => SpaceId | undefined = () => undefined,
    gained: (repo: string, space: SpaceId) => void = () => undefined,
  ) {
    this.#spaceOf = spaceOf
    this.#placedIn = placedIn
    this.#gained = gained
  }

  /** `repo` passed the handshake of `space`'s room; the returned function takes the grant back. */
  grant(repo: string, space: SpaceId): () => void {
    const spaces = this.#grants.get(repo) ?? new Map<SpaceId, number>()
    this.#grants.set(repo, spaces)
    const before = spaces.get(space) ?? 0
    spaces.set(space, before + 1)
    if (before === 0) this.#gained(repo, space)
    let taken = false
    return () => {
      if (taken) return
      taken = true
      const left = (spaces.get(space) ?? 1) - 1
      if (left > 0) spaces.set(space, left)
      else spaces.delete(space)
      if (spaces.size === 0 && this.#grants.get(repo) === spaces) this.#grants.delete(repo)
    }
  }

  /** Our tabs see everything; a remote only documents of a space whose room it was let into. */
  allows(peer: string, documentId: string): boolean {
    if (!isRemote(peer)) return true
    const space = this.#spaceOf(documentId) ?? this.#expectedOf(documentId)
    return space !== undefined && (this.#grants.get(peer)?.has(space) ?? false)
  }

  #expectedOf(documentId: string): SpaceId | undefined {
    const expected = this.#expected.get(documentId)
    const placed = this.#placedIn(documentId)
    return placed === undefined || placed === expected ? expected : undefined
  }

  /**
   * `documentId` is the root of `space`, being adopted here; the returned function forgets it. A remote already let
   * into `space`'s room is told `gained`: the Repo met it while the root was refused to it, and asks it only now.
   */
  expect(documentId: string, space: SpaceId): () => void {
    this.#expected.set(documentId, space)
    for (const [repo, spaces] of this.#grants) if (spaces.has(space)) this.#gained(repo, space)
    return () => {
      if (this.#expected.get(documentId) === space) this.#expected.delete(documentId)
    }
  }

  /** The spaces `repo` may see now. */
  spacesOf(repo: string): readonly SpaceId[] {
    return [...(this.#grants.get(repo)?.keys() ?? [])]
  }
}
