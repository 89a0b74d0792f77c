import { createSignal, For, Show, untrack, type Component } from 'solid-js'
import type { MemberRole, MemberView, SpaceSession } from '../../client'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { Avatar } from '../identity/Avatar'
import { createObserved } from '../reactive'
import { createOpenInvitations } from '../sharing/open-invitations'
import { cancelLinksWords, memberName, onlineWords, ROLE_NAMES } from './member-words'

/** One member's row: who, role (a labelled select where the rules allow), online, fingerprint, Remove or Leave. */
const MemberRow: Component<{ space: SpaceSession; member: MemberView }> = (props) => {
  const [confirming, setConfirming] = createSignal(false)
  // A removal closes no invitation: the confirmation offers to cancel the open links, checked, since the removed
  // member may hold one (a link shared with a group) and could join again with it.
  const links = createOpenInvitations(untrack(() => props.space.id))
  const [cancelLinks, setCancelLinks] = createSignal(true)
  const name = () => memberName(props.member)
  const change = createAction((role: MemberRole) => props.space.setRole(props.member.identity, role))
  const remove = createAction(() =>
    props.member.me
      ? props.space.leave()
      : props.space.removeMember(props.member.identity, {
          cancelInvitations: cancelLinks() ? links.list().map((each) => each.id) : [],
        }),
  )
  const confirm = async () => {
    setConfirming(true)
    setCancelLinks(true)
    if (!props.member.me) await links.follow()
  }
  // Cancel gives focus back to the Remove or Leave button it replaced.
  let refocus = false
  const stopConfirming = () => {
    links.stop()
    refocus = true
    setConfirming(false)
  }
  const selectId = () => `role-${props.member.identity}`
  return (
    <li class="member">
      <Avatar avatar={props.member.avatar ?? { colour: '#767676' }} name={name()} />
      <div class="member-facts">
        <span class="member-name">
          {name()}
          {props.member.me ? ' (you)' : ''}
        </span>
        <Show
          when={props.member.rolesAllowed.length > 0}
          fallback={<span class="member-role">{ROLE_NAMES[props.member.role]}</span>}
        >
          <label for={selectId()} class="visually-hidden">
            Role of {name()}
          </label>
          <select
            id={selectId()}
            value={props.member.role}
            disabled={change.busy()}
            onChange={(event) => void change.run(event.currentTarget.value as MemberRole)}
          >
            <For each={props.member.rolesAllowed}>{(role) => <option value={role}>{ROLE_NAMES[role]}</option>}</For>
          </select>
        </Show>
        <span class="member-online">{onlineWords(props.member.devicesOnline.length)}</span>
        <span class="member-fingerprint">
          Fingerprint <code>{props.member.fingerprint}</code>
        </span>
      </div>
      <Show when={props.member.mayRemove || props.member.me}>
        <Show
          when={confirming()}
          fallback={
            <button
              type="button"
              class="button small"
              ref={(button) => {
                if (refocus) queueMicrotask(() => button.focus())
                refocus = false
              }}
              onClick={() => void confirm()}
            >
              {props.member.me ? 'Leave' : 'Remove'}
            </button>
          }
        >
          <span role="group" aria-label={props.member.me ? 'Confirm leaving' : `Confirm removing ${name()}`}>
            <span>{props.member.me ? 'Leave this space?' : `Remove ${name()} from this space?`}</span>{' '}
            <Show when={!props.member.me && links.list().length > 0}>
              <label class="cancel-links">
                <input
                  type="checkbox"
                  checked={cancelLinks()}
                  onChange={(event) => setCancelLinks(event.currentTarget.checked)}
                />{' '}
                {cancelLinksWords(links.list().length, name())}
              </label>
            </Show>
            <button
              type="button"
              class="button small danger"
              disabled={remove.busy()}
              ref={(button) => queueMicrotask(() => button.focus())}
              onClick={() => void remove.run()}
            >
              {props.member.me ? 'Leave space' : `Remove ${name()}`}
            </button>{' '}
            <button type="button" class="button small link" onClick={stopConfirming}>
              Cancel
            </button>
          </span>
        </Show>
      </Show>
      <FormError message={change.error() ?? remove.error()} />
    </li>
  )
}

/** **Members** in a space's header: opens the list of members, with what the rules let this member change. */
export const MembersButton: Component<{ space: SpaceSession }> = (props) => {
  const space = untrack(() => props.space)
  const members = createObserved(space.members)
  const [open, setOpen] = createSignal(false)
  let button: HTMLButtonElement | undefined
  const close = () => {
    setOpen(false)
    button?.focus()
  }
  return (
    <>
      <button
        ref={(element) => {
          button = element
        }}
        type="button"
        class="button small"
        aria-expanded={open()}
        aria-controls="members-panel"
        onClick={() => setOpen(!open())}
      >
        Members ({members().length})
      </button>
      <Show when={open()}>
        <section
          id="members-panel"
          class="region members-panel"
          aria-labelledby="members-heading"
          onKeyDown={(event) => {
            if (event.key === 'Escape') close()
          }}
        >
          <h3 id="members-heading" tabindex="-1" ref={(heading) => queueMicrotask(() => heading.focus())}>
            Members
          </h3>
          <ul class="members">
            <For each={members()}>{(member) => <MemberRow space={space} member={member} />}</For>
          </ul>
          <button type="button" class="button small link" onClick={close}>
            Close members
          </button>
        </section>
      </Show>
    </>
  )
}
