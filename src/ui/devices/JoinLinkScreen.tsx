import {
  createEffect,
  createSignal,
  Match,
  on,
  onCleanup,
  onMount,
  Show,
  Switch,
  untrack,
  type Component,
} from 'solid-js'
import type { DevicesApi, JoinState, LinkInvitation, LinkJoin } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { TextField } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { Avatar } from '../identity/Avatar'
import { suggestDeviceName } from '../identity/avatar-choices'
import { createObserved } from '../reactive'
import { hrefOf, navigate } from '../router'
import { codeText, joinEnded, joinText } from './link-words'

const found = (state: JoinState) => (state.kind === 'found' ? state : undefined)

/** The join under way: who the link is from, this device's name, then the code and the progress. */
const Joining: Component<{ join: LinkJoin; invitation: LinkInvitation }> = (props) => {
  const limits = useClient().limits
  const state = createObserved(untrack(() => props.join.state))
  // Who answered, kept once known: the later steps no longer carry it.
  const [who, setWho] = createSignal<Extract<JoinState, { kind: 'found' }>>()
  const [asked, setAsked] = createSignal(false)
  const [deviceName, setDeviceName] = createSignal(suggestDeviceName(navigator.userAgent))
  const request = createAction(async () => {
    const result = await props.join.request(deviceName().trim())
    if (result.ok) setAsked(true)
    return result
  })
  const errors = formErrors(request, ['deviceName'])
  let codeHeading: HTMLHeadingElement | undefined
  createEffect(
    on(state, (current) => {
      const answered = found(current)
      if (answered) setWho(answered)
      if (current.kind === 'confirm') codeHeading?.focus()
      // Into the app: the identity is this browser's now.
      if (current.kind === 'linked') navigate({ view: 'home' })
    }),
  )
  onCleanup(() => {
    props.join.cancel()
  })
  const code = () => {
    const current = state()
    return current.kind === 'confirm' ? current.code : undefined
  }
  const receiving = () => {
    const current = state()
    return current.kind === 'receiving' ? current : undefined
  }
  return (
    <>
      <h2 id="join-heading">
        {who() === undefined ? 'Link this device to your identity?' : `Link this device to ${who()?.name}'s identity?`}
      </h2>
      <div class="profile">
        <Show when={who()}>
          {(answered) => <Avatar avatar={answered().avatar} name={answered().name} size="large" />}
        </Show>
        <div>
          <Show when={who()}>
            {(answered) => (
              <p class="profile-name" data-testid="join-name">
                {answered().name}
              </p>
            )}
          </Show>
          <p class="fingerprint">
            <span class="label">Fingerprint </span>
            <code data-testid="join-fingerprint">{props.invitation.fingerprint}</code>
          </p>
        </div>
      </div>
      <p class="link-state" role="status" data-testid="join-state">
        <Show when={code() === undefined}>{joinText(state())}</Show>
      </p>
      <Show when={receiving()}>
        {(progress) => <progress value={progress().done} max={progress().total} aria-labelledby="join-heading" />}
      </Show>
      <Show when={code()}>
        {(shown) => (
          <h3 id="join-code-heading" tabindex="-1" ref={(element) => (codeHeading = element)}>
            Check that your other device shows <span class="link-code">{codeText(shown())}</span>
          </h3>
        )}
      </Show>
      <Show when={!asked() && !joinEnded(state())}>
        <form
          class="form"
          aria-labelledby="join-heading"
          onSubmit={(event) => {
            submitForm(event, () => request.run())
          }}
        >
          <TextField
            label="Name of this device"
            hint="Your other devices show this name."
            value={deviceName()}
            onValue={setDeviceName}
            maxLength={limits.deviceName}
            error={errors.of('deviceName')}
          />
          <FormError message={errors.form()} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={request.busy()}>
              Link this device
            </button>
          </div>
        </form>
      </Show>
      <Show when={joinEnded(state())}>
        <p>Nothing was stored on this device.</p>
        <a class="button" href={hrefOf({ view: 'home' })}>
          Start here instead
        </a>
      </Show>
    </>
  )
}

/**
 * `#/join/<payload>` on a browser with no identity. The link is read at once (the fingerprint needs
 * nothing else); an unreadable or expired link says so and nothing starts. Otherwise it starts
 * looking for the other device while the person reads and names this one.
 */
export const JoinLinkScreen: Component<{ devices: DevicesApi; payload: string }> = (props) => {
  // The link is read once: the route keeps its payload for the life of this screen.
  const read = untrack(() => props.devices.readLink(props.payload))
  const [join, setJoin] = createSignal<{ join: LinkJoin; invitation: LinkInvitation }>()
  const start = createAction(async () => {
    if (!read.ok || read.value.expired) return undefined
    const started = await props.devices.join(read.value)
    if (started.ok) setJoin({ join: started.value, invitation: read.value })
    return started
  })
  onMount(() => void start.run())
  return (
    <section class="region join" aria-labelledby="join-heading">
      <Switch>
        <Match when={!read.ok && read.error}>
          {(problem) => (
            <>
              <h2 id="join-heading">This link cannot be used</h2>
              <p role="alert">{problem().message}</p>
            </>
          )}
        </Match>
        <Match when={read.ok && read.value.expired}>
          <h2 id="join-heading">This link has expired</h2>
          <p role="alert">{joinText({ kind: 'expired' })}</p>
        </Match>
        <Match when={join()}>{(started) => <Joining join={started().join} invitation={started().invitation} />}</Match>
        <Match when={start.error()}>
          {(message) => (
            <>
              <h2 id="join-heading">This device could not be linked</h2>
              <p role="alert">{message()}</p>
            </>
          )}
        </Match>
        <Match when={true}>
          <h2 id="join-heading">Link this device to your identity?</h2>
          <p role="status">{joinText({ kind: 'looking' })}</p>
        </Match>
      </Switch>
    </section>
  )
}
