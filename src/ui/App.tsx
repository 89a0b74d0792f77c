import type { Component } from 'solid-js'
import { AppFooter } from './shell/AppFooter'
import { AppHeader } from './shell/AppHeader'
import { UpdateBanner } from './shell/UpdateBanner'

export const App: Component = () => (
  <>
    <a class="skip-link" href="#main">
      Skip to content
    </a>
    <AppHeader />
    <UpdateBanner />
    <main id="main" class="main" tabindex="-1">
      <section class="region" aria-labelledby="identity-heading">
        <h2 id="identity-heading">You</h2>
        <p>
          Your identity is a key made on this device. Nobody hands it out and nobody can take it away; a recovery phrase
          brings it back if this browser is lost.
        </p>
      </section>
      <section class="region" aria-labelledby="spaces-heading">
        <h2 id="spaces-heading">Spaces</h2>
        <p>
          A space holds notes and tasks. Keep one to yourself, or share it with a link: the people in it edit together,
          directly between their devices.
        </p>
      </section>
    </main>
    <AppFooter />
  </>
)
