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
import type { InviteJoin, InviteJoinState, ReadInvite } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { TextField } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { Avatar } from '../identity/Avatar'
import { createObserved } from '../reactive'
import { hrefOf, navigate } from '../router'
import { inviteJoinText, roleWithArticle } from './invite-words'

type Found = Extract<InviteJoinState, { kind: 'found' }>

/** The join under way: who invited whom to what, a name field when this browser has no identity, Join. */
const Joining: Component<{ join: InviteJoin; needsName: boolean }> = (props) => {
  const limits = useClient().limits
  const join = untrack(() => props.join)
  const state = createObserved(join.state)
  // The offer, kept once known: the later steps no longer carry it.
  const [offer, setOffer] = createSignal<Found>()
  const [name, setName] = createSignal('')
  const [accepted, setAccepted] = createSignal(false)
  const accept = createAction(async () => {
    const result = await join.accept(props.needsName ? { displayName: name().trim() } : {})
    if (result.ok) {
      // The form goes away with its Join button: focus moves to the words that tell how the join goes.
      setAccepted(true)
      status?.focus()
    }
    return result
  })
  const errors = formErrors(accept, ['displayName'])
  let status: HTMLParagraphElement | undefined
  createEffect(
    on(state, (current) => {
      if (current.kind === 'found') setOffer(current)
      // Into the space: it is this identity's now.
      if (current.kind === 'joined') navigate({ view: 'space', spaceId: current.spaceId })
      if (current.kind === 'failed') status?.focus()
    }),
  )
  onCleanup(() => {
    join.cancel()
  })
  // A refusal nobody proved keeps looking, but nothing was stored either way.
  const failed = () => state().kind === 'failed' || state().kind === 'refused'
  return (
    <>
      <Show
        when={offer()}
        fallback={
          <h2 id="join-heading" tabindex="-1">
            You were invited to a space
          </h2>
        }
      >
        {(found) => (
          <>
            <h2 id="join-heading" tabindex="-1" data-testid="invite-heading">
              {found().inviter.name ?? 'Someone'} invited you to <strong>{found().spaceName}</strong> as{' '}
              {roleWithArticle(found().role)}
            </h2>
            <div class="profile">
              <Show when={found().inviter.avatar}>
                {(avatar) => <Avatar avatar={avatar()} name={found().inviter.name ?? '?'} size="large" />}
              </Show>
              <div>
                <Show when={found().inviter.name}>{(inviter) => <p class="profile-name">{inviter()}</p>}</Show>
                <p class="fingerprint">
                  <span class="label">Fingerprint </span>
                  <code data-testid="inviter-fingerprint">{found().inviter.fingerprint}</code>
                </p>
              </div>
            </div>
          </>
        )}
      </Show>
      <p
        class="link-state"
        role="status"
        tabindex="-1"
        ref={(element) => (status = element)}
        data-testid="invite-state"
      >
        {inviteJoinText(state())}
      </p>
      <Show when={state().kind === 'found' && !accepted()}>
        <form
          class="form"
          aria-labelledby="join-heading"
          onSubmit={(event) => {
            submitForm(event, () => accept.run())
          }}
        >
          <Show when={props.needsName}>
            <TextField
              label="Your name"
              hint="The people in this space see this name."
              value={name()}
              onValue={setName}
              autocomplete="name"
              maxLength={limits.displayName}
              error={errors.of('displayName')}
            />
          </Show>
          <FormError message={errors.form()} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={accept.busy()} data-testid="join-space">
              Join
            </button>
          </div>
        </form>
      </Show>
      <Show when={failed()}>
        <p>Nothing was stored on this device.</p>
        <a class="button" href={hrefOf({ view: 'home' })}>
          Go to your spaces
        </a>
      </Show>
    </>
  )
}

/**
 * `#/join/<payload>` for a space invitation, with or without an identity here. The link is read at once; an
 * unreadable or expired one says so and nothing starts. Otherwise it starts looking for someone from the space.
 */
export const InviteJoinScreen: Component<{ read: ReadInvite; needsName: boolean }> = (props) => {
  const { invites } = useClient()
  const [join, setJoin] = createSignal<InviteJoin>()
  const start = createAction(async () => {
    if (props.read.expired) return undefined
    const started = await invites.join(props.read)
    if (started.ok) setJoin(started.value)
    return started
  })
  onMount(() => void start.run())
  return (
    <section class="region join" aria-labelledby="join-heading" data-testid="invite-join">
      <Switch>
        <Match when={props.read.expired}>
          <h2 id="join-heading">This invitation has expired</h2>
          <p role="alert">This invitation has expired. Ask the person who sent it for a new link.</p>
          <p>Nothing was stored on this device.</p>
        </Match>
        <Match when={join()}>
          {(started) => <Joining join={started()} needsName={untrack(() => props.needsName)} />}
        </Match>
        <Match when={start.error()}>
          {(message) => (
            <>
              <h2 id="join-heading">You could not join this space</h2>
              <p role="alert">{message()}</p>
              <p>Nothing was stored on this device.</p>
            </>
          )}
        </Match>
        <Match when={true}>
          <h2 id="join-heading">You were invited to a space</h2>
          <p role="status">{inviteJoinText({ kind: 'looking' })}</p>
        </Match>
      </Switch>
    </section>
  )
}
