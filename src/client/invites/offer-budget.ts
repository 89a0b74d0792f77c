/**
 * How many answers with the log one invitation room gives (review 14 H2). One answer per guest connection (sent at
 * most 3 times) left connections unlimited: 20 reconnects drew 60 offers, about 3 MB each at 1,500 entries, queued
 * on the leader tab. A connection's offer now takes a token from its guest identity's bucket and from the room's;
 * without both it waits (the guest says hello every second and gets the offer once a token is back).
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

interface Bucket {
  tokens: number
  at: number
}

const refilled = (bucket: Bucket, limits: Limits, now: number): number =>
  Math.min(limits.burst, bucket.tokens + (now - bucket.at) / limits.everyMs)

export interface OfferBudget {
  /** Takes a token for one offer to `guest` (an identity key); false, and nothing taken, if either bucket is empty. */
  take(guest: string): boolean
  /** The identities whose bucket is not full (a full one is forgotten). */
  readonly guests: number
}

export const offerBudget = (now: () => number): OfferBudget => {
  const room: Bucket = { tokens: PER_ROOM.burst, at: now() }
  const guests = new Map<string, Bucket>()
  return {
    take: (guest) => {
      const at = now()
      // A bucket that filled again is as good as none: the map holds only guests offered in the last minutes.
      for (const [key, bucket] of guests) if (refilled(bucket, PER_GUEST, at) >= PER_GUEST.burst) guests.delete(key)
      const own = guests.get(guest) ?? { tokens: PER_GUEST.burst, at }
      own.tokens = refilled(own, PER_GUEST, at)
      own.at = at
      room.tokens = refilled(room, PER_ROOM, at)
      room.at = at
      if (own.tokens < 1 || room.tokens < 1) return false
      own.tokens--
      room.tokens--
      guests.set(guest, own)
      return true
    },
    get guests() {
      return guests.size
    },
  }
}
