import type { Component } from 'solid-js'
import { SaveBackup } from './SaveBackup'

/** Right after the first run: offers to save a backup before the person starts working. */
export const RecoveryOffer: Component<{ onDone: () => void }> = (props) => (
  <section class="region onboarding" aria-labelledby="recovery-heading">
    <h2 id="recovery-heading">Your identity is ready</h2>
    <p>
      If this browser's data is ever lost, your recovery phrase brings your identity back. Keep it private: anyone who
      has these words can act as you.
    </p>
    <SaveBackup onSaved={() => props.onDone()} />
    <div class="actions">
      <button type="button" class="button link" onClick={() => props.onDone()}>
        Later (a notice stays until you save it)
      </button>
    </div>
  </section>
)
