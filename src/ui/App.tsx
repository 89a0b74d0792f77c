import { createEffect, createSignal, Match, on, Show, Switch, type Component } from 'solid-js'
import type { IdentityState } from '../client'
import { useClient } from './client-context'
import { useDevices } from './devices/devices-context'
import { JoinRoute } from './devices/JoinRoute'
import { RemovedDevice } from './devices/RemovedDevice'
import { BackupBanner } from './identity/BackupBanner'
import { BackupNotice } from './identity/BackupNotice'
import { focusIfLost } from './focus'
import { DamagedIdentity } from './identity/DamagedIdentity'
import { IdentityPanel } from './identity/IdentityPanel'
import { Onboarding } from './identity/Onboarding'
import { RecoveryOffer } from './identity/RecoveryOffer'
import { StorageUnavailable } from './identity/StorageUnavailable'
import { createObserved } from './reactive'
import { createRoute, type Route } from './router'
import { SettingsView } from './settings/SettingsView'
import { AppFooter } from './shell/AppFooter'
import { AppHeader } from './shell/AppHeader'
import { UpdateBanner } from './shell/UpdateBanner'
import { SpaceList } from './spaces/SpaceList'
import { SpacesIntro } from './spaces/SpacesIntro'
import { SpaceView } from './spaces/SpaceView'
import { StorageBanner } from './spaces/StorageBanner'

const when = <K extends IdentityState['kind']>(state: IdentityState, kind: K) =>
  state.kind === kind ? (state as Extract<IdentityState, { kind: K }>) : undefined

const spaceRoute = (route: Route) => (route.view === 'space' ? route : undefined)

export const App: Component = () => {
  const identity = createObserved(useClient().identity.state)
  // Set between creating an identity and dismissing the recovery phrase offer.
  const [welcoming, setWelcoming] = createSignal(false)
  const route = createRoute()
  let main: HTMLElement | undefined
  // After the first view: the view that replaced the focused control (a joined space, say) does not drop focus.
  createEffect(
    on(
      route,
      () => {
        if (main !== undefined) focusIfLost(main)
      },
      { defer: true },
    ),
  )
  const linking = useDevices()
  /** A device link, where the client links devices. */
  const joining = () => {
    const now = route()
    return linking && now.view === 'join' ? { devices: linking.devices, payload: now.payload } : undefined
  }
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader route={route} />
      <UpdateBanner />
      <StorageBanner />
      <Show when={route().view !== 'home' && when(identity(), 'ready')?.identity.backup === 'needed'}>
        <BackupBanner />
      </Show>
      <main id="main" class="main" tabindex="-1" ref={(element) => (main = element)}>
        <Switch>
          <Match when={route().view === 'settings'}>
            <SettingsView />
          </Match>
          {/* Keyed: another link opened in this tab is another join, read afresh. */}
          <Match when={joining()} keyed>
            {(join) => <JoinRoute devices={join.devices} payload={join.payload} />}
          </Match>
          <Match when={identity().kind === 'loading'}>
            <p role="status" class="loading">
              Opening your identity…
            </p>
          </Match>
          <Match when={when(identity(), 'unavailable')}>
            {(unavailable) => <StorageUnavailable browserSaid={unavailable().browserSaid} />}
          </Match>
          <Match when={identity().kind === 'none'}>
            <Onboarding
              onCreated={() => {
                setWelcoming(true)
              }}
            />
            <SpacesIntro />
          </Match>
          <Match when={when(identity(), 'removed')}>
            {/* Said on every screen; its copy stays readable: every space opens, read-only (the client refuses writes). */}
            <RemovedDevice />
            <Switch>
              <Match when={spaceRoute(route())}>
                {(space) => <SpaceView spaceId={space().spaceId} noteId={space().noteId} />}
              </Match>
              <Match when={true}>
                <SpaceList readOnly />
              </Match>
            </Switch>
          </Match>
          <Match when={when(identity(), 'damaged')}>{(damaged) => <DamagedIdentity reason={damaged().reason} />}</Match>
          <Match when={welcoming() && when(identity(), 'ready')}>
            <RecoveryOffer
              onDone={() => {
                setWelcoming(false)
              }}
            />
          </Match>
          <Match when={when(identity(), 'ready')}>
            {(ready) => (
              <Switch>
                <Match when={spaceRoute(route())}>
                  {(space) => <SpaceView spaceId={space().spaceId} noteId={space().noteId} />}
                </Match>
                <Match when={true}>
                  <Show when={ready().identity.backup === 'needed'}>
                    <BackupNotice />
                  </Show>
                  <IdentityPanel identity={ready().identity} />
                  <SpaceList />
                </Match>
              </Switch>
            )}
          </Match>
        </Switch>
      </main>
      <AppFooter />
    </>
  )
}
