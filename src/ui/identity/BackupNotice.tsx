import type { Component } from 'solid-js'
import { SaveBackup } from './SaveBackup'

/** Stays on the home screen while this device holds the only copy of the identity secret. */
export const BackupNotice: Component = () => (
  <section class="region notice warning" aria-labelledby="backup-heading">
    <h2 id="backup-heading">Your identity has no backup yet</h2>
    <p>
      If this browser's data is lost, nothing else can bring your identity back. Save your recovery phrase or an
      identity file somewhere other than this device. Then this device deletes its copy, so a stolen or hacked device
      cannot take your identity.
    </p>
    <SaveBackup />
  </section>
)
