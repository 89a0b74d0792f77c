/** One subscription of one connection: what the index points at. */
export interface Subscription<C> {
  readonly conn: C
  readonly subId: string
  readonly topics: readonly string[]
  /** `null` means any kind. */
  readonly kinds: ReadonlySet<number> | null
}

/** Topic -> the subscriptions that listen to it; the only structure fan-out reads. Pure. */
export class TopicIndex<C> {
  readonly #byTopic = new Map<string, Set<Subscription<C>>>()

  add(sub: Subscription<C>): void {
    for (const topic of sub.topics) {
      let subs = this.#byTopic.get(topic)
      if (subs === undefined) {
        subs = new Set()
        this.#byTopic.set(topic, subs)
      }
      subs.add(sub)
    }
  }

  remove(sub: Subscription<C>): void {
    for (const topic of sub.topics) {
      const subs = this.#byTopic.get(topic)
      if (subs === undefined) continue
      subs.delete(sub)
      if (subs.size === 0) this.#byTopic.delete(topic)
    }
  }

  /** Subscriptions listening to `topic` that accept `kind`. */
  *match(topic: string, kind: number): Generator<Subscription<C>> {
    const subs = this.#byTopic.get(topic)
    if (subs === undefined) return
    for (const sub of subs) if (sub.kinds === null || sub.kinds.has(kind)) yield sub
  }

  /** Distinct topics with at least one subscriber. */
  get topicCount(): number {
    return this.#byTopic.size
  }
}
