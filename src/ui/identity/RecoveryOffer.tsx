import { createSignal, type Component } from 'solid-js'
import { RecoveryPhraseView } from './RecoveryPhraseView'

/** Right after the first run: offers the recovery phrase before the person starts working. */
export const RecoveryOffer: Component<{ onDone: () => void }> = (props) => {
  const [wroteItDown, setWroteItDown] = createSignal(false)
  return (
    <section class="region onboarding" aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Your identity is ready</h2>
      <p>
        If this browser's data is ever lost, your recovery phrase brings your identity back. Write it down and keep it
        private: anyone who has these words can act as you.
      </p>
      <RecoveryPhraseView />
      <label class="check">
        <input
          type="checkbox"
          checked={wroteItDown()}
          onChange={(event) => {
            setWroteItDown(event.currentTarget.checked)
          }}
        />
        I wrote it down
      </label>
      <div class="actions">
        <button type="button" class="button primary" disabled={!wroteItDown()} onClick={() => props.onDone()}>
          Continue
        </button>
        <button type="button" class="button link" onClick={() => props.onDone()}>
          Later (it stays under You → Recovery phrase)
        </button>
      </div>
    </section>
  )
}
