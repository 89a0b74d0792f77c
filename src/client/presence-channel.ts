/**
 * Presence across the tabs of a profile (`openTabChannel('presence')`). Only the leader tab holds connections: every
 * tab tells it which notes it has open, and it tells every tab who is here in each space. A tab repeats what it has
 * open on every beat, so one that vanished without a word (a crash) stops counting after a few beats.
 */
import { Cell, type Clock, type Observable } from '../base'
import { isPresenceTabMessage, MAX_OPEN, type PresenceTabMessage } from '../mesh'
import type { DeviceHere, PresenceLead } from './mesh/room-presence'
import { openTabChannel, type OpenChannel } from './tab-channel'

/** Every 5 s a tab says what it has open; after 3 silent beats it is gone. */
const TAB_BEAT_MS = 5_000
const TAB_TIMEOUT_MS = 15_000

type HereBySpace = Readonly<Record<string, readonly DeviceHere[]>>

export interface PresenceChannel {
  /** Remote devices present in each space now, as the leader tells (empty while no leader runs a mesh). */
  readonly here: Observable<HereBySpace>
  /** This tab has `objectId` of `spaceId` open until the returned function is called. */
  open(spaceId: string, objectId: string): () => void
  /** This tab leads: it hears the tabs' open notes and publishes who is here; `stepDown` when its mesh stops. */
  lead(): PresenceLead & { stepDown(): void }
  close(): void
}

export interface PresenceChannelEdges {
  readonly clock: Clock
  /** Runs `tick` every `ms` until the returned function is called. */
  readonly every: (ms: number, tick: () => void) => () => void
}

type OpenBySpace = Readonly<Record<string, readonly string[]>>

export const openPresenceChannel = (open: OpenChannel, edges: PresenceChannelEdges): PresenceChannel => {
  const channel = openTabChannel<PresenceTabMessage>(open, 'presence', isPresenceTabMessage)
  const tab = crypto.randomUUID()
  // This tab's open notes, counted (two views of one note close one at a time).
  const mine = new Map<string, Map<string, number>>()
  const tabs = new Map<string, { readonly at: number; readonly spaces: OpenBySpace }>()
  const here = new Cell<HereBySpace>({})
  const opened = new Cell<ReadonlyMap<string, readonly string[]>>(new Map())
  let leading = false

  const mineNow = (): OpenBySpace => {
    const spaces: Record<string, readonly string[]> = {}
    for (const [spaceId, objects] of mine) spaces[spaceId] = [...objects.keys()].sort().slice(0, MAX_OPEN)
    return spaces
  }
  // The union of every live tab's open notes, by space (ours included).
  const gather = (): void => {
    const union = new Map<string, Set<string>>()
    for (const spaces of [mineNow(), ...[...tabs.values()].map((each) => each.spaces)]) {
      for (const [spaceId, objects] of Object.entries(spaces)) {
        const set = union.get(spaceId) ?? new Set()
        for (const object of objects) set.add(object)
        union.set(spaceId, set)
      }
    }
    opened.set(new Map([...union].map(([spaceId, set]) => [spaceId, [...set].sort().slice(0, MAX_OPEN)])))
  }
  const tell = (): void => {
    channel.post({ type: 'open', tab, spaces: mineNow() })
  }
  const stopListening = channel.subscribe((message) => {
    switch (message.type) {
      case 'open':
        tabs.set(message.tab, { at: edges.clock.now(), spaces: message.spaces })
        gather()
        return
      case 'closed':
        if (tabs.delete(message.tab)) gather()
        return
      case 'here':
        if (!leading) here.set(message.spaces)
        return
      case 'ask':
        tell()
        if (leading) channel.post({ type: 'here', spaces: here.get() })
        return
    }
  })
  const stopBeat = edges.every(TAB_BEAT_MS, () => {
    tell()
    const now = edges.clock.now()
    let dropped = false
    for (const [id, { at }] of tabs) {
      if (now - at <= TAB_TIMEOUT_MS) continue
      tabs.delete(id)
      dropped = true
    }
    if (dropped) gather()
  })
  channel.post({ type: 'ask' })
  tell()

  return {
    here,
    open: (spaceId, objectId) => {
      const objects = mine.get(spaceId) ?? new Map<string, number>()
      mine.set(spaceId, objects)
      objects.set(objectId, (objects.get(objectId) ?? 0) + 1)
      tell()
      gather()
      let done = false
      return () => {
        if (done) return
        done = true
        const count = (objects.get(objectId) ?? 1) - 1
        if (count > 0) objects.set(objectId, count)
        else objects.delete(objectId)
        if (objects.size === 0 && mine.get(spaceId) === objects) mine.delete(spaceId)
        tell()
        gather()
      }
    },
    lead: () => {
      leading = true
      // The followers say again what they have open, so a new leader knows at once.
      channel.post({ type: 'ask' })
      gather()
      let active = true
      return {
        opened,
        publish: (next) => {
          if (!active) return
          here.set(next)
          channel.post({ type: 'here', spaces: next })
        },
        stepDown: () => {
          if (!active) return
          active = false
          leading = false
          here.set({})
          channel.post({ type: 'here', spaces: {} })
        },
      }
    },
    close: () => {
      stopBeat()
      stopListening()
      channel.post({ type: 'closed', tab })
      channel.close()
    },
  }
}
