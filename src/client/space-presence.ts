/**
 * Who is in a space now and who has a note open, as the space header and a note show it. A person is here while
 * one of their devices is (the leader's rooms, `DeviceHere`) and they are a member by the fold now: a removed
 * member is gone the moment the removal is in our log, before the mesh has closed their connection.
 */
import type { Observable } from '../base'
import type { DeviceHere } from './mesh/room-presence'
import type { PresenceChannel } from './presence-channel'
import type { MemberView, PersonHere } from './spaces-api'

/** What a space's presence needs besides its members: the remote devices here, and a way to say what we opened. */
export interface PresenceSources {
  readonly here: Observable<readonly DeviceHere[]>
  /** This tab has `objectId` open until the returned function is called. */
  open(objectId: string): () => void
}

const personOf = (member: MemberView, devices: readonly DeviceHere[]): PersonHere => ({
  identity: member.identity,
  displayName: member.displayName,
  avatar: member.avatar,
  me: member.me,
  fingerprint: member.fingerprint,
  // A page reloaded a moment ago may still be heard beside its successor: one device, counted once.
  devices: new Set(devices.map((device) => device.device)).size,
})

/** Both sources seen through `derive`; a listener hears a new value only when its identities changed. */
const derived = <T extends readonly PersonHere[]>(
  members: Observable<readonly MemberView[]>,
  here: Observable<readonly DeviceHere[]>,
  derive: (members: readonly MemberView[], here: readonly DeviceHere[]) => T,
): Observable<T> => ({
  get: () => derive(members.get(), here.get()),
  subscribe: (listener) => {
    let last = derive(members.get(), here.get())
    const changed = (): void => {
      const next = derive(members.get(), here.get())
      const same =
        next.length === last.length &&
        next.every(
          (person, i) =>
            person.identity === last[i]?.identity &&
            person.devices === last[i].devices &&
            person.displayName === last[i].displayName &&
            person.avatar === last[i].avatar,
        )
      last = next
      if (!same) listener(next)
    }
    const stops = [members.subscribe(changed), here.subscribe(changed)]
    return () => {
      for (const stop of stops) stop()
    }
  },
})

/** Ourselves first, then the others in the members' order (by role, then name). */
const peopleHere = (members: readonly MemberView[], here: readonly DeviceHere[]): readonly PersonHere[] =>
  members.flatMap((member) => {
    const devices = here.filter((device) => device.identity === member.identity)
    return member.me || devices.length > 0 ? [personOf(member, devices)] : []
  })

export const NO_PRESENCE: PresenceSources = {
  here: { get: () => [], subscribe: () => () => undefined },
  open: () => () => undefined,
}

export const spacePresence = (members: Observable<readonly MemberView[]>, sources: PresenceSources) => ({
  people: derived(members, sources.here, (all, here) =>
    [...peopleHere(all, here)].sort((a, b) => Number(b.me) - Number(a.me)),
  ),
  /** The other people with `objectId` open now (our own other devices are not "someone else"). */
  openedBy: (objectId: string): Observable<readonly PersonHere[]> =>
    derived(members, sources.here, (all, here) =>
      peopleHere(
        all.filter((member) => !member.me),
        here.filter((device) => device.open.includes(objectId)),
      ),
    ),
  open: (objectId: string) => sources.open(objectId),
})

/** One space's part of the tabs' presence channel. */
export const presenceIn = (channel: Pick<PresenceChannel, 'here' | 'open'>, spaceId: string): PresenceSources => {
  const empty: readonly DeviceHere[] = []
  return {
    here: {
      get: () => channel.here.get()[spaceId] ?? empty,
      subscribe: (listener) => channel.here.subscribe((here) => listener(here[spaceId] ?? empty)),
    },
    open: (objectId) => channel.open(spaceId, objectId),
  }
}
