import { createEffect, createSignal, Match, on, onCleanup, Show, Switch, untrack, type Component } from 'solid-js'
import type { DevicesApi, LinkOffer, OfferState } from '../../client'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { createObserved } from '../reactive'
import { CopyLink } from './CopyLink'
import { codeText, offerText } from './link-words'
import { createNow } from './now'
import { QrCode } from './QrCode'
import { expiresText } from './relative-time'

const MINUTE = 60_000

/** One live link: its text, QR code, copy and share, then each step in words up to Allow / Deny. */
const OfferView: Component<{ offer: LinkOffer; lifetime: number; onAgain: () => void; onClose: () => void }> = (
  props,
) => {
  const state = createObserved(untrack(() => props.offer.state))
  const now = createNow(10_000)
  const confirm = () => {
    const current = state()
    return current.kind === 'confirm' ? current : undefined
  }
  const ended = (current: OfferState) => ['linked', 'denied', 'expired', 'failed'].includes(current.kind)
  let codeHeading: HTMLHeadingElement | undefined
  // The question appears while the person may be looking at the link: take them (and a screen reader) to it.
  createEffect(
    on(
      () => state().kind,
      (kind) => {
        if (kind === 'confirm') codeHeading?.focus()
      },
    ),
  )
  const offer = untrack(() => props.offer)
  onCleanup(() => {
    offer.cancel()
  })
  return (
    <>
      <p class="link-state" role="status" data-testid="link-state">
        <Show when={!confirm()}>{offerText(state())}</Show>
      </p>
      <Switch>
        <Match when={state().kind === 'waiting'}>
          <p class="link-lifetime">
            Works once, for {Math.round(props.lifetime / MINUTE)} minutes.{' '}
            <span data-testid="link-expires">{expiresText(props.offer.expiresAt, now())}</span>
          </p>
          <div class="link-offer">
            <QrCode text={props.offer.url} label="QR code of the link: scan it with your other device's camera" />
            <div class="link-text">
              <p>
                <code data-testid="link-url">{props.offer.url}</code>
              </p>
              <CopyLink url={props.offer.url} />
            </div>
          </div>
          <p class="hint">Anyone with this link can link a device to your identity until you allow or deny it.</p>
        </Match>
        <Match when={confirm()}>
          {(asked) => (
            <div class="link-confirm">
              <h3 id="link-code-heading" tabindex="-1" ref={(element) => (codeHeading = element)}>
                Check that your other device shows <span class="link-code">{codeText(asked().code)}</span>
              </h3>
              <p>
                It calls itself <strong>{asked().deviceName}</strong>. Allow it only if the code is the same on both
                screens.
              </p>
              <div class="actions">
                <button
                  type="button"
                  class="button primary"
                  onClick={() => {
                    props.offer.allow()
                  }}
                >
                  Allow
                </button>
                <button
                  type="button"
                  class="button danger"
                  onClick={() => {
                    props.offer.deny()
                  }}
                >
                  Deny
                </button>
              </div>
            </div>
          )}
        </Match>
      </Switch>
      <div class="actions">
        <Show when={ended(state()) && state().kind !== 'linked'}>
          <button type="button" class="button" onClick={() => props.onAgain()}>
            Make a new link
          </button>
        </Show>
        <button type="button" class="button link" onClick={() => props.onClose()}>
          {ended(state()) ? 'Close' : 'Cancel'}
        </button>
      </div>
    </>
  )
}

/**
 * Home -> "Link a device": makes a one-time link on demand and shows it until it is used, denied,
 * expired or closed. Closing (or leaving) stops offering the link; focus goes back to the button.
 */
export const LinkDevicePanel: Component<{ devices: DevicesApi }> = (props) => {
  const [offer, setOffer] = createSignal<{ offer: LinkOffer; lifetime: number }>()
  let opener: HTMLButtonElement | undefined
  let heading: HTMLHeadingElement | undefined
  const start = createAction(async () => {
    setOffer(undefined)
    const made = await props.devices.offerLink()
    if (made.ok) {
      setOffer({ offer: made.value, lifetime: made.value.expiresAt - Date.now() })
      heading?.focus()
    }
    return made
  })
  const close = () => {
    setOffer(undefined)
    opener?.focus()
  }
  return (
    <div class="link-device">
      <Show when={!offer()}>
        <button
          type="button"
          class="button"
          ref={(element) => (opener = element)}
          disabled={start.busy()}
          onClick={() => void start.run()}
          data-testid="link-device"
        >
          Link a device
        </button>
        <FormError message={start.error()} />
      </Show>
      <Show when={offer()}>
        {(current) => (
          <section class="link-panel" aria-labelledby="link-device-heading">
            <h3 id="link-device-heading" tabindex="-1" ref={(element) => (heading = element)}>
              Link a device
            </h3>
            <OfferView
              offer={current().offer}
              lifetime={current().lifetime}
              onAgain={() => void start.run()}
              onClose={close}
            />
          </section>
        )}
      </Show>
    </div>
  )
}
