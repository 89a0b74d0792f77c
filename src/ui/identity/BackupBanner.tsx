import type { Component } from 'solid-js'
import { hrefOf } from '../router'

/** Away from the home screen (a space, settings), the missing backup stays in view as one line. */
export const BackupBanner: Component = () => (
  <div class="banner warning" role="status">
    <p>
      Your identity has no backup yet. <a href={hrefOf({ view: 'home' })}>Save your recovery phrase</a>
    </p>
  </div>
)
