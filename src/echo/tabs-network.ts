/**
 * The tabs' network: automerge-repo's BroadcastChannel adapter. The Repo asks peers for a document it lacks only
 * once every adapter is ready, and this one is ready when another tab answers, or `peerWaitMs` (1 s) after it was
 * made. A tab that talks to remote peers (`lead`, when ECHO starts replicating) is ready at once: the remote peers
 * hold what this device lacks, and a tab that answers later is asked when it does. A freshly linked phone's first
 * request waited ~470 ms for it (echo CONTEXT, "Where a freshly linked phone's first 2 s go").
 */
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel'

export class TabsNetwork extends BroadcastChannelNetworkAdapter {
  #led = false
  #lead: () => void = () => undefined
  readonly #leading = new Promise<void>((resolve) => {
    this.#lead = resolve
  })

  override isReady(): boolean {
    return this.#led || super.isReady()
  }

  override whenReady(): Promise<void> {
    return Promise.race([super.whenReady(), this.#leading])
  }

  /** This tab talks to remote peers from now on: asking them need not wait for the other tabs. */
  lead(): void {
    this.#led = true
    this.#lead()
  }
}
