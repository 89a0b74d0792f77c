/** A space's open invitations followed into a Solid signal while a panel needs them. */
import { createSignal, onCleanup, type Accessor } from 'solid-js'
import type { OpenInvitation } from '../../client'
import { useClient } from '../client-context'

export interface FollowedInvitations {
  readonly list: Accessor<readonly OpenInvitation[]>
  /** Starts following (again); the list stays empty when the space's invitations cannot be read. */
  follow(): Promise<void>
  /** Stops following and empties the list; also done when the component goes. */
  stop(): void
}

export const createOpenInvitations = (spaceId: string): FollowedInvitations => {
  const { invites } = useClient()
  const [list, setList] = createSignal<readonly OpenInvitation[]>([])
  let stopList: (() => void) | undefined
  const stop = () => {
    stopList?.()
    stopList = undefined
    setList([])
  }
  onCleanup(stop)
  const follow = async () => {
    const listed = await invites.open(spaceId)
    if (!listed.ok) return
    stopList?.()
    setList(listed.value.get())
    const unsubscribe = listed.value.subscribe((next) => setList(next))
    stopList = () => {
      unsubscribe()
      listed.value.close()
    }
  }
  return { list, follow, stop }
}
