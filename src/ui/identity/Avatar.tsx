import type { Component } from 'solid-js'
import type { Avatar as AvatarData } from '../../client'

/** A round badge with the person's emoji or initial; decorative, the name is always shown beside it. */
export const Avatar: Component<{ avatar: AvatarData; name: string; size?: 'small' | 'large' }> = (props) => {
  return (
    <span class={`avatar ${props.size ?? 'small'}`} style={{ '--avatar': props.avatar.colour }} aria-hidden="true">
      {props.avatar.emoji ?? (props.name.trim().charAt(0).toUpperCase() || '?')}
    </span>
  )
}
