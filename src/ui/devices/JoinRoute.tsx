import { createMemo, Match, Switch, untrack, type Component } from 'solid-js'
import type { DevicesApi, IdentityState } from '../../client'
import { useClient } from '../client-context'
import { StorageUnavailable } from '../identity/StorageUnavailable'
import { createObserved } from '../reactive'
import { JoinLinkScreen } from './JoinLinkScreen'
import { InviteJoinScreen } from '../sharing/InviteJoinScreen'
import { JoinNotHere } from './JoinNotHere'

/**
 * `#/join/<payload>`: a space invitation's screen (any identity state), or for a device link the join screen
 * where this browser has no identity, and a plain refusal where it has one. Decided once, on the first state that is not `loading`: the identity the join itself
 * makes must not turn the screen into "already has an identity" under the person's eyes.
 */
export const JoinRoute: Component<{ devices: DevicesApi; payload: string }> = (props) => {
  const client = useClient()
  const identity = createObserved(client.identity.state)
  // A space invitation goes to its own screen, with or without an identity here; anything else (a device link,
  // or a link that cannot be read) to the device flow, which words every failure.
  const invitation = untrack(() => client.invites.read(props.payload))
  const first = createMemo<IdentityState | undefined>(
    (kept) => kept ?? (identity().kind === 'loading' ? undefined : identity()),
  )
  const fingerprint = (state: IdentityState) =>
    state.kind === 'ready' || state.kind === 'removed' ? state.identity.fingerprint : undefined
  const unavailable = (state: IdentityState | undefined) => (state?.kind === 'unavailable' ? state : undefined)
  return (
    <Switch>
      <Match when={first() === undefined}>
        <p role="status" class="loading">
          Opening your identity…
        </p>
      </Match>
      <Match when={unavailable(first())}>{(state) => <StorageUnavailable browserSaid={state().browserSaid} />}</Match>
      <Match when={invitation.ok && invitation.value}>
        {(read) => <InviteJoinScreen read={read()} needsName={first()?.kind === 'none'} />}
      </Match>
      <Match when={first()?.kind === 'none'}>
        <JoinLinkScreen devices={props.devices} payload={props.payload} />
      </Match>
      <Match when={first()}>
        {(state) => <JoinNotHere devices={props.devices} payload={props.payload} fingerprint={fingerprint(state())} />}
      </Match>
    </Switch>
  )
}
