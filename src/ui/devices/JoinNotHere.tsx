import { untrack, type Component } from 'solid-js'
import type { DevicesApi } from '../../client'
import { hrefOf } from '../router'

/**
 * A device link opened where an identity already lives. A browser profile holds one identity, so
 * nothing is read further and nothing is stored; the person learns where to open it instead.
 */
export const JoinNotHere: Component<{ devices: DevicesApi; payload: string; fingerprint: string | undefined }> = (
  props,
) => {
  const read = untrack(() => props.devices.readLink(props.payload))
  const same = () => read.ok && props.fingerprint !== undefined && read.value.fingerprint === props.fingerprint
  return (
    <section class="region join" aria-labelledby="join-heading">
      <h2 id="join-heading">This browser already has an identity</h2>
      <p role="alert">
        {same()
          ? 'This link is for the identity this browser already holds: there is nothing to link. Nothing was stored.'
          : 'A browser holds one identity, so it cannot be linked to another one. Nothing was stored.'}
      </p>
      <p>
        To link a new device, open the link there, in a browser where Commonplace has no identity yet (a new browser
        profile works too).
      </p>
      <a class="button" href={hrefOf({ view: 'home' })}>
        Back to your spaces
      </a>
    </section>
  )
}
