import { Show, type Component } from 'solid-js'

/** The browser will not let the app keep anything: say so, and what usually causes it. */
export const StorageUnavailable: Component<{ browserSaid: string | undefined }> = (props) => (
  <section class="region" role="alert" aria-labelledby="unavailable-heading">
    <h2 id="unavailable-heading">This browser won't let Commonplace store anything</h2>
    <p>
      Commonplace keeps your identity and your notes in this browser's storage, and the browser refused it. This usually
      means site data is blocked for this site, or a private window does not allow it. Allow site data for this site, or
      open Commonplace in a normal window, then reload.
    </p>
    <Show when={props.browserSaid}>
      {(said) => (
        <p>
          <small>What the browser said: {said()}</small>
        </p>
      )}
    </Show>
  </section>
)
