/**
 * Trystero keeps 20 offers ready per page (`@trystero-p2p/core` offer-pool.mjs) and, when it hands out one made
 * more than 57 s before (`offerTtl`; strategy.mjs `encryptOffer`) or takes back one nobody answered (`recycle`),
 * makes it again (peer.mjs `createOffer(true)`): a rollback of the unanswered offer, `restartIce()`, and a new
 * offer with `iceRestart`. In Chromium the rollback drops the data channel's m-section, and the `negotiationneeded`
 * it fires makes a second offer at the same time: the offer sent has no m-section at all, the other side answers
 * it with nothing to gather, neither side ever checks a candidate, and the pair is never connected (until both
 * leave the room). Seen as a phone that never found a laptop open for a minute or more (4 of 35 links in
 * `npm run bench sync`, the other side's offer winning the rest), and made every time in a bare page by that
 * sequence.
 *
 * An offer nobody answered needs none of it: its ICE credentials and candidates still hold (the connection keeps
 * its sockets). So on a connection that never had a remote description, a rollback of its own offer and an ICE
 * restart are skipped, and the "new" offer is the same session: it goes out with the candidates already gathered.
 * A connection that was answered once restarts as the browser does.
 */

/** `Base` (the browser's RTCPeerConnection) that keeps its unanswered offer when Trystero makes it again. */
export const keptOfferPeerConnection = (Base: typeof RTCPeerConnection): typeof RTCPeerConnection =>
  class KeptOfferPeerConnection extends Base {
    override setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
      if (description?.type === 'rollback' && this.#unanswered()) return Promise.resolve()
      return super.setLocalDescription(description)
    }

    override restartIce(): void {
      if (!this.#unanswered()) super.restartIce()
    }

    override createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit>
    override createOffer(
      success: RTCSessionDescriptionCallback,
      failure: RTCPeerConnectionErrorCallback,
      options?: RTCOfferOptions,
    ): Promise<void>
    override createOffer(
      first?: RTCOfferOptions | RTCSessionDescriptionCallback,
      failure?: RTCPeerConnectionErrorCallback,
      options?: RTCOfferOptions,
    ): Promise<RTCSessionDescriptionInit | void> {
      // Trystero uses the promise form; the old callback form is answered through it.
      if (typeof first === 'function') {
        return this.createOffer(options).then(first, (error: unknown) => {
          failure?.(error instanceof DOMException ? error : new DOMException(String(error), 'OperationError'))
        })
      }
      return super.createOffer(this.#unanswered() ? { ...first, iceRestart: false } : first)
    }

    /** Our offer is out and nothing ever answered this connection. */
    #unanswered(): boolean {
      return this.signalingState === 'have-local-offer' && this.remoteDescription === null
    }
  }
