/**
 * The parts of a data channel and an RTCPeerConnection that Trystero and our connection subclasses use
 * (`pending-cap.ts`, `refused-close.ts`), on Node's EventTarget.
 */

/** Events, as Trystero listens to them, and `send`, which records what went out in order. */
export class FakeChannel extends EventTarget {
  readonly sent: unknown[] = []

  send(data: unknown): void {
    this.sent.push(data)
  }
}

export class FakeConnection extends EventTarget {
  closed = false

  createDataChannel(): FakeChannel {
    return new FakeChannel()
  }

  close(): void {
    this.closed = true
  }
}
