import type { Component } from 'solid-js'

export const SpacesIntro: Component = () => (
  <section class="region" aria-labelledby="spaces-heading">
    <h2 id="spaces-heading">Spaces</h2>
    <p>
      A space holds notes and tasks. Keep one to yourself, or share it with a link: the people in it edit together,
      directly between their devices.
    </p>
  </section>
)
