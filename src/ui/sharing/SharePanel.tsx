import { createSignal, For, Show, untrack, type Component } from 'solid-js'
import type { OpenInvitation, SpaceSession } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { FormError } from '../FormError'
import { submitForm } from '../form-errors'
import { createObserved } from '../reactive'
import { CopyLink } from '../devices/CopyLink'
import { createNow } from '../devices/now'
import { QrCode } from '../devices/QrCode'
import { EXPIRY_CHOICES, invitationText, roleText } from './invite-words'
import { createOpenInvitations } from './open-invitations'

const DEFAULT_EXPIRY = EXPIRY_CHOICES[1].ms

/** The open invitations of the space, each with Cancel; focus moves to the list's heading after a cancel. */
const OpenInvitations: Component<{ spaceId: string; list: () => readonly OpenInvitation[] }> = (props) => {
  const { invites } = useClient()
  const now = createNow(30_000)
  let heading: HTMLHeadingElement | undefined
  const cancel = createAction(async (id: string) => {
    const done = await invites.cancel(props.spaceId, id)
    if (done.ok) heading?.focus()
    return done
  })
  return (
    <section aria-labelledby="open-invites-heading">
      <h4 id="open-invites-heading" tabindex="-1" ref={(element) => (heading = element)}>
        Open invitations
      </h4>
      <Show when={props.list().length > 0} fallback={<p>No open invitations.</p>}>
        <ul class="invitations" data-testid="open-invitations">
          <For each={props.list()}>
            {(invitation) => (
              <li>
                <span>{invitationText(invitation, now())}</span>{' '}
                <button
                  type="button"
                  class="button small"
                  disabled={cancel.busy()}
                  aria-label={`Cancel the ${roleText(invitation.role).toLowerCase()} invitation`}
                  onClick={() => void cancel.run(invitation.id)}
                >
                  Cancel
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <FormError message={cancel.error()} />
    </section>
  )
}

/**
 * In a space: Share. Create invite link (role, uses, expiry), the link as text with Copy link, Share and a QR
 * code, and the open invitations with Cancel. Closing takes focus back to the Share button.
 */
export const SharePanel: Component<{ space: SpaceSession }> = (props) => {
  const { invites } = useClient()
  const space = untrack(() => props.space)
  const roles = createObserved(space.inviteRoles)
  const [open, setOpen] = createSignal(false)
  const [role, setRole] = createSignal<string>('editor')
  const [single, setSingle] = createSignal(true)
  const [uses, setUses] = createSignal(5)
  const [expiry, setExpiry] = createSignal<number>(DEFAULT_EXPIRY)
  const [link, setLink] = createSignal<{ url: string; expiresAt: number }>()
  const invitations = createOpenInvitations(space.id)
  let opener: HTMLButtonElement | undefined
  let heading: HTMLHeadingElement | undefined
  let linkHeading: HTMLHeadingElement | undefined
  const show = async () => {
    setOpen(true)
    heading?.focus()
    await invitations.follow()
  }
  const close = () => {
    invitations.stop()
    setOpen(false)
    setLink(undefined)
    opener?.focus()
  }
  const create = createAction(async () => {
    const chosen = roles().find((each) => each === role()) ?? 'editor'
    const made = await invites.create(space.id, {
      role: chosen,
      uses: single() ? 1 : uses(),
      expiresInMs: expiry(),
    })
    if (made.ok) {
      setLink(made.value)
      linkHeading?.focus()
    }
    return made
  })
  return (
    <Show when={roles().length > 0}>
      <Show when={!open()}>
        <button
          type="button"
          class="button small"
          ref={(element) => (opener = element)}
          onClick={() => void show()}
          data-testid="share-space"
        >
          Share
        </button>
      </Show>
      <Show when={open()}>
        <section class="share-panel link-panel" aria-labelledby="share-heading" data-testid="share-panel">
          <h3 id="share-heading" tabindex="-1" ref={(element) => (heading = element)}>
            Share this space
          </h3>
          <form
            class="form"
            aria-labelledby="share-heading"
            onSubmit={(event) => {
              submitForm(event, () => create.run())
            }}
          >
            <fieldset class="field segmented">
              <legend>Role</legend>
              <For each={roles()}>
                {(each) => (
                  <label>
                    <input
                      type="radio"
                      name="invite-role"
                      value={each}
                      checked={role() === each}
                      onChange={() => setRole(each)}
                    />
                    {roleText(each)}
                  </label>
                )}
              </For>
            </fieldset>
            <fieldset class="field segmented">
              <legend>Uses</legend>
              <label>
                <input type="radio" name="invite-uses" checked={single()} onChange={() => setSingle(true)} />
                Single use
              </label>
              <label>
                <input type="radio" name="invite-uses" checked={!single()} onChange={() => setSingle(false)} />
                Several uses
              </label>
            </fieldset>
            <Show when={!single()}>
              <label class="field">
                <span>Number of uses</span>
                <input
                  type="number"
                  min="1"
                  max={String(useClient().limits.invitationUses)}
                  value={uses()}
                  onInput={(event) => setUses(Number(event.currentTarget.value))}
                />
              </label>
            </Show>
            <fieldset class="field segmented">
              <legend>Expires after</legend>
              <For each={EXPIRY_CHOICES}>
                {(choice) => (
                  <label>
                    <input
                      type="radio"
                      name="invite-expiry"
                      checked={expiry() === choice.ms}
                      onChange={() => setExpiry(choice.ms)}
                    />
                    {choice.label}
                  </label>
                )}
              </For>
            </fieldset>
            <FormError message={create.error()} />
            <div class="actions">
              <button type="submit" class="button primary" disabled={create.busy()} data-testid="create-invite">
                Create invite link
              </button>
            </div>
          </form>
          <Show when={link()}>
            {(made) => (
              <div class="link-offer">
                <h4 id="invite-link-heading" tabindex="-1" ref={(element) => (linkHeading = element)}>
                  Invite link
                </h4>
                <QrCode text={made().url} label="QR code of the invite link: scan it with a phone's camera" />
                <div class="link-text">
                  <p>
                    <code data-testid="invite-url">{made().url}</code>
                  </p>
                  <CopyLink url={made().url} title="Join my space on Commonplace" />
                </div>
                <p class="hint">
                  Anyone with this link can join while it works. Send it only to the people you invite.
                </p>
              </div>
            )}
          </Show>
          <OpenInvitations spaceId={space.id} list={invitations.list} />
          <div class="actions">
            <button type="button" class="button link" onClick={close}>
              Close
            </button>
          </div>
        </section>
      </Show>
    </Show>
  )
}
