import type { SpaceId } from '../../echo'

/** Wire ids of remote Repos start so (`newRepoId`); our tabs' ids (`peer-…`) never do. */
const REMOTE_PREFIX = 'cp1.'

/** Whether `peer` is a remote device's Repo (as opposed to one of our own tabs). */
export const isRemote = (peer: string): boolean => peer.startsWith(REMOTE_PREFIX)

/** What a remote may see of a space: nothing, its root only (met in a kept room only), or every document. */
type Sight = 0 | 1 | 2
const NONE: Sight = 0
const ROOT: Sight = 1
const ALL: Sight = 2

export interface PeerAccessOptions {
  /** ECHO's answer for a listed document (or a root). */
  readonly spaceOf: (documentId: string) => SpaceId | undefined
  /** The space a document was stored under here, also when no root lists it now. */
  readonly placedIn?: (documentId: string) => SpaceId | undefined
  /** Whether a document is the root of a space opened here. */
  readonly isRoot?: (documentId: string) => boolean
  /** The generation of the space's current room (the highest joined); undefined: every grant sees all. */
  readonly currentGeneration?: (space: SpaceId) => number | undefined
  /** A remote may now see more of a space than just before (a first grant, or one in its current room). */
  readonly gained?: (repo: string, space: SpaceId) => void
}

/**
 * Which spaces each remote Repo may see: a grant per authenticated connection in a space's room, counted per room
 * generation, so a peer met in two rooms keeps what the other gives when it leaves one. A peer met only in a room
 * kept below the space's current generation (for a member away through a rotation, `KEPT_GENERATIONS`) sees the
 * space's root and nothing else: the root is all such a member needs to find the current room, and a member whose
 * log lacks a removal, who may let the removed member into a kept room with it, is sent nothing but the root there
 * (review of kept rooms, 2). Answers from memory, since the Repo asks on every message.
 */
export class PeerAccess {
  readonly #grants = new Map<string, Map<SpaceId, Map<number, number>>>()
  readonly #spaceOf: (documentId: string) => SpaceId | undefined
  readonly #placedIn: (documentId: string) => SpaceId | undefined
  readonly #isRoot: (documentId: string) => boolean
  readonly #currentGeneration: (space: SpaceId) => number | undefined
  // Roots being adopted: ECHO knows a space's documents only once it is open, but must ask for its root first.
  readonly #expected = new Map<string, SpaceId>()
  readonly #gained: (repo: string, space: SpaceId) => void

  constructor(options: PeerAccessOptions) {
    this.#spaceOf = options.spaceOf
    this.#placedIn = options.placedIn ?? (() => undefined)
    this.#isRoot = options.isRoot ?? (() => false)
    this.#currentGeneration = options.currentGeneration ?? (() => undefined)
    this.#gained = options.gained ?? (() => undefined)
  }

  /** `repo` passed the handshake of `space`'s room of `generation`; the returned function takes the grant back. */
  grant(repo: string, space: SpaceId, generation: number): () => void {
    const spaces = this.#grants.get(repo) ?? new Map<SpaceId, Map<number, number>>()
    this.#grants.set(repo, spaces)
    const before = this.#sight(repo, space)
    const rooms = spaces.get(space) ?? new Map<number, number>()
    spaces.set(space, rooms)
    rooms.set(generation, (rooms.get(generation) ?? 0) + 1)
    if (this.#sight(repo, space) > before) this.#gained(repo, space)
    let taken = false
    return () => {
      if (taken) return
      taken = true
      const left = (rooms.get(generation) ?? 1) - 1
      if (left > 0) rooms.set(generation, left)
      else rooms.delete(generation)
      if (rooms.size === 0 && spaces.get(space) === rooms) spaces.delete(space)
      if (spaces.size === 0 && this.#grants.get(repo) === spaces) this.#grants.delete(repo)
    }
  }

  /**
   * Our tabs see everything; a remote only documents of a space whose room it was let into, and only the root
   * where that room is one kept below the space's current generation.
   */
  allows(peer: string, documentId: string): boolean {
    if (!isRemote(peer)) return true
    const expected = this.#expectedOf(documentId)
    const space = this.#spaceOf(documentId) ?? expected
    if (space === undefined) return false
    const sight = this.#sight(peer, space)
    return sight === ALL || (sight === ROOT && (expected === space || this.#isRoot(documentId)))
  }

  #sight(repo: string, space: SpaceId): Sight {
    const rooms = this.#grants.get(repo)?.get(space)
    if (rooms === undefined || rooms.size === 0) return NONE
    const current = this.#currentGeneration(space)
    return current === undefined || Math.max(...rooms.keys()) >= current ? ALL : ROOT
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

  /** The spaces `repo` may see now (some of them perhaps only their root). */
  spacesOf(repo: string): readonly SpaceId[] {
    return [...(this.#grants.get(repo)?.keys() ?? [])]
  }
}
