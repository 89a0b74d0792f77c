// Tests only: a value read again every 10 ms until it is defined, as a Cell that `until` can follow.
import { Cell } from '../../base'

/**
 * Polls `read` until it gives a value (state that changes without an event, such as what a mesh holds). Polling
 * stops at the first value that is not `undefined`, `false` included: a read waiting for a condition gives
 * `undefined` until it holds (`... || undefined`), or `until` would wait for a change no one reads.
 */
export class Polled<T> extends Cell<T> {
  constructor(read: () => T) {
    super(read())
    const poll = (): void => {
      this.set(read())
      if (this.get() === undefined) setTimeout(poll, 10)
    }
    setTimeout(poll, 10)
  }
}
