import { createSignal, For, Show, type Component } from 'solid-js'
import type { MeshSettings, Problem } from '../../client'
import { useClient } from '../client-context'
import { createObserved } from '../reactive'
import { fromLines, toLines } from './lines'

interface Draft {
  signalUrls: string
  publicRelays: string
  stunUrls: string
  turnUrl: string
  turnUsername: string
  turnCredential: string
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
  const mesh = useClient().meshSettings
  const customised = createObserved(mesh.customised)
  const [draft, setDraft] = createSignal<Draft>(draftOf(mesh.current.get()))
  const [problems, setProblems] = createSignal<readonly Problem[]>([])
  const [saved, setSaved] = createSignal(false)
  const edit = (field: keyof Draft) => (event: { currentTarget: { value: string } }) => {
    setSaved(false)
    setDraft({ ...draft(), [field]: event.currentTarget.value })
  }
  const save = async () => {
    const result = await mesh.save(inputOf(draft()))
    setProblems(result.ok ? [] : result.error)
    setSaved(result.ok)
    if (result.ok) setDraft(draftOf(result.value))
  }
  const reset = async () => {
    const result = await mesh.resetToDefaults()
    setDraft(draftOf(mesh.current.get()))
    setProblems(result.ok ? [] : [result.error])
    setSaved(result.ok)
  }
  return (
    <section class="region" aria-labelledby="connection-heading">
      <h2 id="connection-heading">Connection</h2>
      <p>
        Devices find each other through a signal worker, which only passes along encrypted connection offers; your notes
        and tasks travel directly between devices. Changes apply to spaces opened from now on.
      </p>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault()
          void save()
        }}
      >
        <label class="field">
          <span>Signal workers (one per line)</span>
          <textarea rows="2" value={draft().signalUrls} onInput={edit('signalUrls')} />
          <small>Default for this build: {mesh.defaults.signalUrls.join(', ')}</small>
          <small>
            This build may connect only to relays on {mesh.allowedOrigins.join(', ')}; any path (shard) there is fine.
          </small>
        </label>
        <label class="field">
          <span>Public Nostr relays beside ours (optional, one per line)</span>
          <textarea rows="2" value={draft().publicRelays} onInput={edit('publicRelays')} />
        </label>
        <label class="field">
          <span>STUN servers (optional, one per line)</span>
          <textarea rows="2" value={draft().stunUrls} onInput={edit('stunUrls')} />
          <small>Without STUN, devices connect only on the same network.</small>
        </label>
        <fieldset class="field">
          <legend>TURN server (optional)</legend>
          <label class="field">
            <span>TURN URL</span>
            <input value={draft().turnUrl} onInput={edit('turnUrl')} />
          </label>
          <label class="field">
            <span>TURN username</span>
            <input value={draft().turnUsername} autocomplete="off" onInput={edit('turnUsername')} />
          </label>
          <label class="field">
            <span>TURN credential</span>
            <input type="password" value={draft().turnCredential} autocomplete="off" onInput={edit('turnCredential')} />
          </label>
        </fieldset>
        <Show when={problems().length > 0}>
          <ul class="form-error" role="alert" aria-label="Problems">
            <For each={problems()}>{(problem) => <li>{problem.message}</li>}</For>
          </ul>
        </Show>
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
