import { createSignal, For, Show, type Component } from 'solid-js'
import type { SpaceSummary } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { CreateForm, Field } from '../Field'
import { FormError } from '../FormError'
import { formErrors } from '../form-errors'
import { createObserved } from '../reactive'
import { hrefOf, navigate } from '../router'

const SpaceLink: Component<{ space: SpaceSummary }> = (props) => (
  <li>
    <a href={hrefOf({ view: 'space', spaceId: props.space.id })}>{props.space.name}</a>
    <Show when={props.space.personal}>
      <span class="tag">only you</span>
    </Show>
  </li>
)

/**
 * The identity's spaces on this device, with creating and importing one; `readOnly` (a device another one
 * removed) lists them only.
 */
export const SpaceList: Component<{ readOnly?: boolean }> = (props) => {
  const { spaces, limits } = useClient()
  const list = createObserved(spaces.list)
  const [name, setName] = createSignal('')
  const active = () => (list() ?? []).filter((space) => !space.archived)
  const archived = () => (list() ?? []).filter((space) => space.archived)
  const create = createAction(async () => {
    const submitted = name()
    const created = await spaces.create(submitted)
    if (!created.ok) return created
    if (name() === submitted) setName('')
    navigate({ view: 'space', spaceId: created.value.id })
    return undefined
  })
  const importFile = createAction(async (file: File) => {
    const imported = await spaces.importFile(file)
    if (!imported.ok) return imported
    navigate({ view: 'space', spaceId: imported.value.id })
    return undefined
  })
  const importErrors = formErrors(importFile, ['file'])
  return (
    <section class="region" aria-labelledby="spaces-heading">
      <h2 id="spaces-heading">Spaces</h2>
      <Show when={list()} fallback={<p role="status">Opening your spaces…</p>}>
        <ul class="space-list" aria-label="Your spaces">
          <For each={active()}>{(space) => <SpaceLink space={space} />}</For>
        </ul>
      </Show>
      <Show when={props.readOnly !== true}>
        <CreateForm
          label="Name of the new space"
          placeholder="Name of a new space"
          button="Create space"
          maxLength={limits.spaceName}
          value={name()}
          onValue={setName}
          busy={create.busy()}
          onSubmit={() => create.run()}
          field="name"
          errors={formErrors(create, ['name'])}
        />
        <Field label="Import a space file" class="file-field" error={importErrors.of('file')}>
          {(control) => (
            <input
              {...control}
              type="file"
              accept=".json,application/json"
              disabled={importFile.busy()}
              onChange={(event) => {
                const file = event.currentTarget.files?.[0]
                if (file) void importFile.run(file)
                event.currentTarget.value = ''
              }}
            />
          )}
        </Field>
        <FormError message={importErrors.form()} />
      </Show>
      <Show when={archived().length > 0}>
        <details>
          <summary>Archived spaces ({archived().length})</summary>
          <ul class="space-list">
            <For each={archived()}>{(space) => <SpaceLink space={space} />}</For>
          </ul>
        </details>
      </Show>
    </section>
  )
}
