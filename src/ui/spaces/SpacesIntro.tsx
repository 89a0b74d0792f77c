import type { Component } from 'solid-js'

/** Before there is an identity: what spaces are, so the first screen says what the app is for. */
export const SpacesIntro: Component = () => (
  <section class="region" aria-labelledby="spaces-heading">
    <h2 id="spaces-heading">Spaces</h2>
    <p>
      A space holds notes and tasks. Keep one to yourself, or share it with a link: the people in it edit together,
      directly between their devices.
    </p>
  </section>
)
