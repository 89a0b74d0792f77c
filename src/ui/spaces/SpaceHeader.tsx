import { createSignal, Show, untrack, type Component } from 'solid-js'
import type { Problem, SpaceSession } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { saveFile } from '../download'
import { Field } from '../Field'
import { MembersButton } from '../members/MembersButton'
import { HereNow } from '../presence/HereNow'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { createObserved } from '../reactive'
import { hrefOf, navigate } from '../router'
import { SharePanel } from '../sharing/SharePanel'

export const SpaceHeader: Component<{ space: SpaceSession }> = (props) => {
  const { spaces, limits } = useClient()
  // One header per opened space: the session does not change under it.
  const space = untrack(() => props.space)
  const name = createObserved(space.name)
  const canWrite = createObserved(space.canWrite)
  const canCompact = createObserved(space.canCompact)
  const [renaming, setRenaming] = createSignal(false)
  const [draft, setDraft] = createSignal('')
  const [problem, setProblem] = createSignal<Problem>()
  const renameErrors = formErrors({ error: () => problem()?.message, field: () => problem()?.field }, ['name'])
  const rename = async () => {
    const result = await props.space.rename(draft())
    if (result.ok) setRenaming(false)
    setProblem(result.ok ? undefined : result.error)
  }
  const exportSpace = createAction(async () => {
    const file = await props.space.exportFile()
    if (file.ok) saveFile(file.value)
    return file
  })
  const [compacted, setCompacted] = createSignal<number>()
  const compact = createAction(async () => {
    const epoch = await space.compactHistory()
    if (epoch.ok) setCompacted(epoch.value)
    return epoch
  })
  const archive = createAction(async () => {
    const archived = await spaces.archive(props.space.id, true)
    if (archived.ok) navigate({ view: 'home' })
    return archived
  })
  return (
    <header class="space-header">
      <a href={hrefOf({ view: 'home' })} class="back">
        ← All spaces
      </a>
      <div class="space-title">
        <h2 data-testid="space-name">{name()}</h2>
        <Show when={canWrite() && !renaming()}>
          <button
            type="button"
            class="button small"
            onClick={() => {
              setDraft(name())
              setRenaming(true)
            }}
          >
            Rename space
          </button>
        </Show>
      </div>
      <Show when={!props.space.personal}>
        <HereNow space={space} />
      </Show>
      {/* The heading stays while renaming: the page keeps its outline (h1, h2, then the panels' h3). */}
      <Show when={renaming()}>
        <form
          class="inline-form"
          onSubmit={(event) => {
            submitForm(event, rename)
          }}
        >
          <Field label="Space name" hiddenLabel error={renameErrors.of('name')}>
            {(control) => (
              <input
                {...control}
                value={draft()}
                maxLength={limits.spaceName}
                onInput={(event) => {
                  setDraft(event.currentTarget.value)
                }}
              />
            )}
          </Field>
          <button type="submit" class="button primary">
            Save name
          </button>
          <button
            type="button"
            class="button link"
            onClick={() => {
              setRenaming(false)
              setProblem(undefined)
            }}
          >
            Cancel
          </button>
        </form>
      </Show>
      <FormError message={renameErrors.form() ?? exportSpace.error() ?? archive.error() ?? compact.error()} />
      <Show when={compacted()}>
        {(epoch) => <p role="status">History compacted: this space is now at epoch {epoch()}.</p>}
      </Show>
      <div class="actions">
        <Show when={!props.space.personal}>
          <MembersButton space={space} />
        </Show>
        <button type="button" class="button small" disabled={exportSpace.busy()} onClick={() => void exportSpace.run()}>
          Export space
        </button>
        <Show when={canCompact()}>
          <button type="button" class="button small" disabled={compact.busy()} onClick={() => void compact.run()}>
            Compact history
          </button>
        </Show>
        <Show when={!props.space.personal}>
          <button type="button" class="button small" disabled={archive.busy()} onClick={() => void archive.run()}>
            Archive space
          </button>
        </Show>
      </div>
      <SharePanel space={space} />
    </header>
  )
}
