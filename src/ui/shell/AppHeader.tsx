import type { Component } from 'solid-js'
import { StatusBar } from './StatusBar'

export const AppHeader: Component = () => (
  <header class="header">
    <div class="brand">
      <img src="/icons/icon.svg" alt="" width="40" height="40" />
      <div>
        <h1>Commonplace</h1>
        <p class="tagline">
          Notes and tasks on your own devices, shared directly with the people you choose. No account, no server holding
          your data.
        </p>
      </div>
    </div>
    <StatusBar />
  </header>
)
