import { Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createObserved } from '../reactive'

const size = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 })

/** What the browser promised about keeping this device's data, and how much is used. */
export const StorageSettings: Component = () => {
  const storage = createObserved(useClient().spaces.storage)
  return (
    <section class="region" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage on this device</h2>
      <p data-testid="persistence">
        {storage().persisted === true
          ? 'The browser keeps your data even when space runs low.'
          : storage().persisted === false
            ? 'The browser may remove your data if the device runs low on space. Installing the app usually changes that; export important spaces to keep a copy.'
            : 'Not asked yet: the browser is asked to keep your data when you create your first space.'}
      </p>
      <Show when={storage().usage}>
        {(usage) => (
          <p>
            Using {size.format(usage().used / 1e6)} of {size.format(usage().quota / 1e6)} available to this app.
          </p>
        )}
      </Show>
    </section>
  )
}
