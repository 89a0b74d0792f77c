/**
 * How many answers with the log one invitation room gives (review 14 H2), and to whom. One answer per guest
 * connection (sent at most 3 times) left connections unlimited: 20 reconnects drew 60 offers, about 3 MB each at
 * 1,500 entries, queued on the leader tab. An offer takes a token from its guest identity's bucket and from the
 * room's. Review 15 J5: the room's tokens went to whoever asked first after a refill, so a link holder with 12
 * identities saying hello every 100 ms took 110 offers in 10 minutes and the real guest none. A connection that
 * finds no token now waits in line instead: one place per identity, in the order of its first ask, identities never
 * offered in this room first; each refilled token is handed to the first place whose identity has a token of its
 * own, and the host answers that connection unasked (`turn`). Later asks keep the place and take nothing.
 */

interface Limits {
  /** Offers given at once. */
  readonly burst: number
  /** One offer more every `everyMs`. */
  readonly everyMs: number
}

/** A guest's first connection and one retry at once (a dropped connection), then one a minute. */
export const PER_GUEST: Limits = { burst: 2, everyMs: 60_000 }
/** Ten guests at once (a link shared in a group), then one every 6 s: at most about 10 offers a minute. */
export const PER_ROOM: Limits = { burst: 10, everyMs: 6_000 }
/** Identities remembered as offered in this room (oldest out): a K holder spends a room token per name pushed out. */
const REMEMBERED = 1_024

interface Bucket {
  tokens: number
  at: number
}

const refilled = (bucket: Bucket, limits: Limits, now: number): number =>
  Math.min(limits.burst, bucket.tokens + (now - bucket.at) / limits.everyMs)

/** One identity's place in line: the connections of it that asked, the first one answered when its turn comes. */
interface Place {
  readonly guest: string
  readonly connections: Set<string>
}

export interface OfferBudgetOptions {
  /** A clock in ms. */
  readonly now: () => number
  /** Calls `fire` after `ms`; returns the cancel. */
  readonly after: (ms: number, fire: () => void) => () => void
  /** `connection`'s turn came: the host answers it now, and its `take` returns true once. */
  readonly turn: (connection: string) => void
}

export interface OfferBudget {
  /**
   * `connection`, of the guest identity `guest`, asks for an offer: true if it has one now (tokens taken), false
   * if it waits in line (its identity's place is kept; `turn` says when it is its turn).
   */
  take(connection: string, guest: string): boolean
  /** `connection` is gone: its identity's place goes with its last connection. */
  leave(connection: string): void
  stop(): void
  /** The identities whose bucket is not full (a full one is forgotten). */
  readonly guests: number
  /** The identities waiting in line. */
  readonly waiting: number
}

export const offerBudget = (options: OfferBudgetOptions): OfferBudget => {
  const { now, after, turn } = options
  const room: Bucket = { tokens: PER_ROOM.burst, at: now() }
  const buckets = new Map<string, Bucket>()
  const offered = new Set<string>()
  /** In the order of each identity's first ask. */
  const places = new Map<string, Place>()
  const placeOf = new Map<string, string>()
  /** Connections handed a token by `turn`, until their `take`. */
  const granted = new Set<string>()
  let cancelTimer: (() => void) | undefined
  let stopped = false

  const refill = (at: number): void => {
    room.tokens = refilled(room, PER_ROOM, at)
    room.at = at
    // A bucket that filled again is as good as none: the map holds only guests offered in the last minutes.
    for (const [guest, bucket] of buckets) {
      bucket.tokens = refilled(bucket, PER_GUEST, at)
      bucket.at = at
      if (bucket.tokens >= PER_GUEST.burst) buckets.delete(guest)
    }
  }
  const own = (guest: string): number => buckets.get(guest)?.tokens ?? PER_GUEST.burst

  /** The first place whose identity has a token, identities never offered here before the others. */
  const first = (): Place | undefined => {
    let later: Place | undefined
    for (const place of places.values()) {
      if (own(place.guest) < 1) continue
      if (!offered.has(place.guest)) return place
      later ??= place
    }
    return later
  }

  /** Takes the tokens for `place` and ends it; returns the connection to answer. */
  const grant = (place: Place, at: number): string | undefined => {
    room.tokens--
    const bucket = buckets.get(place.guest) ?? { tokens: PER_GUEST.burst, at }
    bucket.tokens--
    buckets.set(place.guest, bucket)
    offered.delete(place.guest)
    offered.add(place.guest)
    for (const guest of offered) {
      if (offered.size <= REMEMBERED) break
      offered.delete(guest)
    }
    places.delete(place.guest)
    for (const connection of place.connections) placeOf.delete(connection)
    const [connection] = place.connections
    return connection
  }

  /** Hands out every token there is to the line; returns the connections to answer, and waits for the next one. */
  const settle = (): string[] => {
    const at = now()
    refill(at)
    const handed: string[] = []
    for (let place = first(); place !== undefined && room.tokens >= 1; place = first()) {
      const connection = grant(place, at)
      if (connection !== undefined) handed.push(connection)
    }
    cancelTimer?.()
    cancelTimer = undefined
    if (places.size > 0) {
      // The next grant needs a room token and a place with one of its own.
      const roomWait = Math.max(0, 1 - room.tokens) * PER_ROOM.everyMs
      const ownWait = Math.min(...[...places.keys()].map((guest) => Math.max(0, 1 - own(guest)) * PER_GUEST.everyMs))
      cancelTimer = after(Math.ceil(Math.max(roomWait, ownWait)), () => {
        cancelTimer = undefined
        for (const connection of settle()) hand(connection)
      })
    }
    return handed
  }

  const hand = (connection: string): void => {
    if (stopped) return
    granted.add(connection)
    turn(connection)
    // Not taken (the connection went, or its answer was a refusal): the token stays unspent for the next one.
    if (granted.delete(connection)) room.tokens = Math.min(PER_ROOM.burst, room.tokens + 1)
  }

  return {
    take: (connection, guest) => {
      if (stopped) return false
      if (granted.delete(connection)) return true
      if (!placeOf.has(connection)) {
        const place = places.get(guest) ?? { guest, connections: new Set<string>() }
        places.set(guest, place)
        place.connections.add(connection)
        placeOf.set(connection, guest)
      }
      let mine = false
      for (const handed of settle()) {
        if (handed === connection) mine = true
        else hand(handed)
      }
      return mine
    },
    leave: (connection) => {
      granted.delete(connection)
      const guest = placeOf.get(connection)
      if (guest === undefined) return
      placeOf.delete(connection)
      const place = places.get(guest)
      place?.connections.delete(connection)
      if (place?.connections.size === 0) places.delete(guest)
    },
    stop: () => {
      stopped = true
      cancelTimer?.()
      places.clear()
      placeOf.clear()
      granted.clear()
    },
    get guests() {
      return buckets.size
    },
    get waiting() {
      return places.size
    },
  }
}
