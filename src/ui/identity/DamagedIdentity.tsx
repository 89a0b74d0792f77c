import type { Component } from 'solid-js'
import type { IdentityDamageReason } from '../../client'
import { damageInWords } from './damage-words'
import { RestoreIdentity } from './RestoreIdentity'

/** Records exist but cannot be opened: say so plainly and offer recovery, never a fresh start. */
export const DamagedIdentity: Component<{ reason: IdentityDamageReason }> = (props) => (
  <section class="region" aria-labelledby="onboarding-heading">
    <div class="notice warning" role="alert">
      <h2>Your identity could not be opened</h2>
      <p>
        This browser has your identity's records, but they cannot be read: {damageInWords(props.reason)}. Nothing has
        been deleted. Restore your identity with your recovery phrase or an identity file; this browser then becomes a
        new device of it.
      </p>
    </div>
    <RestoreIdentity />
  </section>
)
