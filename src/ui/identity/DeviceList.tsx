import { createSignal, For, Show, type Component } from 'solid-js'
import type { DeviceView, IdentityView } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { Field } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { DeviceSeen } from '../devices/DeviceSeen'
import { createObserved } from '../reactive'
import { PHRASE_NEEDED } from './PhraseField'
import { needsUnlock, UnlockField, unlockOf } from './UnlockField'

type Backup = IdentityView['backup']

/** Revoking signs with the identity key: once this device no longer keeps it, the phrase is the confirmation. */
const RevokeWithPhrase: Component<{ device: DeviceView; backup: Backup; onDone: () => void }> = (props) => {
  const identity = useClient().identity
  const [phrase, setPhrase] = createSignal('')
  const revoke = createAction(async () => {
    const result = await identity.revokeDevice(props.device.deviceKey, unlockOf(props.backup, phrase()))
    if (result.ok) props.onDone()
    return result
  })
  const errors = formErrors(revoke, ['unlock'])
  return (
    <form
      class="form"
      aria-label={`Revoke ${props.device.name}`}
      onSubmit={(event) => {
        submitForm(event, () => revoke.run())
      }}
    >
      <p>Revoke {props.device.name}? It will no longer act for you.</p>
      <UnlockField
        backup={props.backup}
        value={phrase()}
        onValue={setPhrase}
        why={PHRASE_NEEDED}
        error={errors.of('unlock')}
      />
      <FormError message={errors.form()} />
      <div class="actions">
        <button type="submit" class="button danger" disabled={revoke.busy()}>
          Revoke<span class="visually-hidden"> {props.device.name}</span>
        </button>
        <button type="button" class="button link" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  )
}

const DeviceRow: Component<{ device: DeviceView; backup: Backup }> = (props) => {
  const { identity, limits } = useClient()
  const [editing, setEditing] = createSignal(false)
  const [revoking, setRevoking] = createSignal(false)
  const [name, setName] = createSignal('')
  const rename = createAction(async () => {
    const renamed = await identity.renameDevice(props.device.deviceKey, name().trim())
    if (renamed.ok) setEditing(false)
    return renamed
  })
  const renameErrors = formErrors(rename, ['deviceName'])
  const revoke = createAction(() => identity.revokeDevice(props.device.deviceKey))
  /** Asks for the phrase where this device no longer keeps the identity key, else for a plain confirmation. */
  const startRevoke = (question: string) => {
    if (needsUnlock(props.backup)) setRevoking(true)
    else if (confirm(question)) void revoke.run()
  }
  return (
    <li class="device" data-revoked={props.device.revoked}>
      <Show
        when={editing()}
        fallback={
          <span class="device-name">
            {props.device.name}
            <Show when={props.device.thisDevice}>
              <span class="tag">this device</span>
            </Show>
            <Show when={props.device.revoked}>
              <span class="tag">revoked</span>
            </Show>
            <Show when={!props.device.thisDevice && !props.device.revoked}>
              <DeviceSeen device={props.device} />
            </Show>
          </span>
        }
      >
        <form
          class="inline-form"
          onSubmit={(event) => {
            submitForm(event, () => rename.run())
          }}
        >
          <Field label={`New name for ${props.device.name}`} hiddenLabel error={renameErrors.of('deviceName')}>
            {(control) => (
              <input
                {...control}
                value={name()}
                maxLength={limits.deviceName}
                onInput={(event) => {
                  setName(event.currentTarget.value)
                }}
              />
            )}
          </Field>
          <button type="submit" class="button" disabled={rename.busy()}>
            Save
          </button>
          <button
            type="button"
            class="button link"
            onClick={() => {
              setEditing(false)
            }}
          >
            Cancel
          </button>
        </form>
      </Show>
      <Show when={!props.device.revoked && !editing() && !revoking()}>
        <span class="device-actions">
          <button
            type="button"
            class="button small"
            onClick={() => {
              setName(props.device.name)
              setEditing(true)
            }}
          >
            Rename<span class="visually-hidden"> {props.device.name}</span>
          </button>
          <Show when={!props.device.thisDevice}>
            <button
              type="button"
              class="button small danger"
              disabled={revoke.busy()}
              onClick={() => {
                startRevoke(`Revoke ${props.device.name}? It will no longer act for you.`)
              }}
            >
              Revoke<span class="visually-hidden"> {props.device.name}</span>
            </button>
          </Show>
        </span>
      </Show>
      <Show when={revoking()}>
        <RevokeWithPhrase
          device={props.device}
          backup={props.backup}
          onDone={() => {
            setRevoking(false)
          }}
        />
      </Show>
      <Show when={props.device.revokedByDevicesOnly && !props.device.thisDevice && !revoking()}>
        <p class="device-note">
          Revoked by another of your devices, not with your recovery phrase, so it can still be undone. If you meant it,
          revoke it here to settle it for good; if not, revoke the device that did.
        </p>
        <button
          type="button"
          class="button small danger"
          disabled={revoke.busy()}
          onClick={() => {
            startRevoke(`Revoke ${props.device.name} for good? Nothing will bring it back.`)
          }}
        >
          Revoke for good<span class="visually-hidden"> {props.device.name}</span>
        </button>
      </Show>
      <FormError message={renameErrors.form() ?? revoke.error()} />
    </li>
  )
}

/** The identity's devices: this one first, then the others, revoked ones last. */
export const DeviceList: Component<{ backup: Backup }> = (props) => {
  const devices = createObserved(useClient().identity.devices)
  return (
    <ul class="devices" aria-label="Devices">
      <For each={devices()}>{(device) => <DeviceRow device={device} backup={props.backup} />}</For>
    </ul>
  )
}
