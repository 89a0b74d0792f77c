import { createSignal, For, Show, type Component } from 'solid-js'
import type { MeshSettings } from '../../client'
import { useClient } from '../client-context'
import { Field, TextField } from '../Field'
import { FormError } from '../FormError'
import { submitForm } from '../form-errors'
import { createObserved } from '../reactive'
import { fromLines, toLines } from './lines'
import { relayWords } from './relay-words'
import { draftFieldOf, type DraftField } from './problem-fields'

type Draft = Readonly<Record<DraftField, string>>

/** A problem of the last save, on the box it names (undefined: the form as a whole). */
interface ShownProblem {
  readonly field: DraftField | undefined
  readonly message: string
}

const draftOf = (settings: MeshSettings): Draft => {
  const turn = settings.iceServers.find((server) => server.urls.some((url) => url.startsWith('turn')))
  return {
    signalUrls: toLines(settings.signalUrls),
    publicRelays: toLines(settings.publicRelays),
    stunUrls: toLines(settings.iceServers.filter((server) => server !== turn).flatMap((server) => server.urls)),
    turnUrl: turn?.urls.join(' ') ?? '',
    turnUsername: turn?.username ?? '',
    turnCredential: turn?.credential ?? '',
  }
}

const inputOf = (draft: Draft) => {
  const stun = fromLines(draft.stunUrls)
  const turnUrls = draft.turnUrl.split(/\s+/).filter((url) => url !== '')
  return {
    signalUrls: fromLines(draft.signalUrls),
    publicRelays: fromLines(draft.publicRelays),
    iceServers: [
      ...(stun.length > 0 ? [{ urls: stun }] : []),
      ...(turnUrls.length > 0
        ? [
            {
              urls: turnUrls,
              ...(draft.turnUsername === '' ? {} : { username: draft.turnUsername }),
              ...(draft.turnCredential === '' ? {} : { credential: draft.turnCredential }),
            },
          ]
        : []),
    ],
  }
}

/** Where peers meet (signal workers, optional public relays) and how they connect (STUN/TURN). */
export const ConnectionSettings: Component = () => {
  const client = useClient()
  const mesh = client.meshSettings
  const relays = createObserved(client.sync.relays)
  const customised = createObserved(mesh.customised)
  const [draft, setDraft] = createSignal<Draft>(draftOf(mesh.current.get()))
  const [problems, setProblems] = createSignal<readonly ShownProblem[]>([])
  const messagesOf = (field: DraftField | undefined) =>
    problems()
      .filter((problem) => problem.field === field)
      .map((problem) => problem.message)
  const [saved, setSaved] = createSignal(false)
  const edit = (field: DraftField) => (value: string) => {
    setSaved(false)
    setDraft({ ...draft(), [field]: value })
  }
  const editText = (field: DraftField) => (event: { currentTarget: { value: string } }) => {
    edit(field)(event.currentTarget.value)
  }
  const save = async () => {
    const typed = draft()
    const result = await mesh.save(inputOf(typed))
    setProblems(
      result.ok
        ? []
        : result.error.map((problem) => ({ field: draftFieldOf(problem, typed), message: problem.message })),
    )
    setSaved(result.ok)
    if (result.ok) setDraft(draftOf(result.value))
  }
  const reset = async () => {
    const result = await mesh.resetToDefaults()
    setDraft(draftOf(mesh.current.get()))
    setProblems(result.ok ? [] : [{ field: undefined, message: result.error.message }])
    setSaved(result.ok)
  }
  return (
    <section class="region" aria-labelledby="connection-heading">
      <h2 id="connection-heading">Connection</h2>
      <p>
        Devices find each other through a signal worker, which only passes along encrypted connection offers; your notes
        and tasks travel directly between devices. Changes apply to spaces opened from now on.
      </p>
      <h3 id="relay-status-heading">Relay status</h3>
      <Show when={relays().length > 0} fallback={<p>Shown once this device has an identity and its spaces connect.</p>}>
        <ul class="relay-status" aria-labelledby="relay-status-heading">
          <For each={relays()}>
            {(relay) => {
              const shown = relayWords(relay)
              return (
                <li>
                  <code>{relay.url}</code>:{' '}
                  <span data-testid="relay-words">
                    {shown.words}
                    <Show when={shown.said}>
                      {/* The relay's words, isolated so their direction cannot reorder the app's. */}
                      {(said) => (
                        <>
                          {' '}
                          “<bdi class="relay-said">{said()}</bdi>”
                        </>
                      )}
                    </Show>
                  </span>
                </li>
              )
            }}
          </For>
        </ul>
      </Show>
      <form
        class="form"
        onSubmit={(event) => {
          submitForm(event, save)
        }}
      >
        <Field
          label="Signal workers (one per line)"
          hint={
            <>
              Default for this build: {mesh.defaults.signalUrls.join(', ')}. This build may connect only to relays on{' '}
              {mesh.allowedOrigins.join(', ')}; any path (shard) there is fine.
            </>
          }
          error={messagesOf('signalUrls')}
        >
          {(control) => <textarea {...control} rows="2" value={draft().signalUrls} onInput={editText('signalUrls')} />}
        </Field>
        <Field label="Public Nostr relays beside ours (optional, one per line)" error={messagesOf('publicRelays')}>
          {(control) => (
            <textarea {...control} rows="2" value={draft().publicRelays} onInput={editText('publicRelays')} />
          )}
        </Field>
        <Field
          label="STUN servers (optional, one per line)"
          hint="Without STUN, devices connect only on the same network."
          error={messagesOf('stunUrls')}
        >
          {(control) => <textarea {...control} rows="2" value={draft().stunUrls} onInput={editText('stunUrls')} />}
        </Field>
        <fieldset class="field">
          <legend>TURN server (optional)</legend>
          <TextField label="TURN URL" value={draft().turnUrl} onValue={edit('turnUrl')} error={messagesOf('turnUrl')} />
          <TextField
            label="TURN username"
            autocomplete="off"
            value={draft().turnUsername}
            onValue={edit('turnUsername')}
            error={messagesOf('turnUsername')}
          />
          <TextField
            label="TURN credential"
            type="password"
            autocomplete="off"
            value={draft().turnCredential}
            onValue={edit('turnCredential')}
            error={messagesOf('turnCredential')}
          />
        </fieldset>
        <FormError message={messagesOf(undefined)} />
        <Show when={saved()}>
          <p role="status">Connection settings saved.</p>
        </Show>
        <div class="actions">
          <button type="submit" class="button primary">
            Save connection settings
          </button>
          <Show when={customised()}>
            <button type="button" class="button" onClick={() => void reset()}>
              Reset to defaults
            </button>
          </Show>
        </div>
      </form>
    </section>
  )
}
