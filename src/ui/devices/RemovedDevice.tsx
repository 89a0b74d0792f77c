import type { Component } from 'solid-js'

/**
 * Another of the identity's devices revoked this one. What it held stays here to read; it no longer
 * syncs, and nothing changed here reaches the other devices. Said plainly, with what is still possible.
 */
export const RemovedDevice: Component = () => (
  <section class="region removed-device" aria-labelledby="removed-heading">
    <h2 id="removed-heading">This device was removed from your identity</h2>
    <p>
      Another of your devices revoked this one. Your spaces stay on this browser and you can still read them, but this
      device no longer syncs: changes made here reach none of your other devices, and theirs no longer arrive here.
    </p>
    <p>
      A removed device cannot be let back in. To use your identity on this computer again, open a new browser profile
      and link it from one of your devices.
    </p>
  </section>
)
