import { Show, type Component } from 'solid-js'
import type { IdentityUnlock, IdentityView } from '../../client'
import { TextField } from '../Field'
import { PhraseField } from './PhraseField'

type Backup = IdentityView['backup']

/** Whether acting as the identity needs something from the person (not before the backup is saved). */
export const needsUnlock = (backup: Backup): boolean => backup !== 'needed'

/** What the person typed, as the unlock the client expects; undefined while this device keeps the secret. */
export const unlockOf = (backup: Backup, typed: string): IdentityUnlock | undefined => {
  switch (backup) {
    case 'needed':
      return undefined
    case 'saved':
    case 'linked':
      return { recoveryPhrase: typed }
    case 'locked':
      return { passphrase: typed }
  }
}

/** Asks for the recovery phrase, or the passphrase where the person keeps the secret behind one. */
export const UnlockField: Component<{
  backup: Backup
  value: string
  onValue: (value: string) => void
  why: string
  /** A failure naming the `unlock` field. */
  error: string | undefined
}> = (props) => (
  <Show
    when={props.backup === 'locked'}
    fallback={<PhraseField value={props.value} onValue={props.onValue} why={props.why} error={props.error} />}
  >
    <TextField
      label="Your passphrase for this device"
      type="password"
      autocomplete="current-password"
      value={props.value}
      onValue={props.onValue}
      hint={props.why}
      error={props.error}
    />
  </Show>
)
