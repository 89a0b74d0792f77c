import { Cell, noTrace, systemClock, type Observable, type Trace } from '../../base'
import type { Echo, Space, SpaceId, SpaceRow } from '../../echo'
import {
  newSwarmSecret,
  sealFor,
  swarmCommitment,
  swarmRoom,
  verifyBytes,
  type HaloIdentity,
  type PublicKey,
} from '../../halo'
import { watchRelays, type MeshSettings, type MeshStatus, type TrysteroPage } from '../../mesh'
import type { SettingsStorage } from '../mesh-settings'
import type { StartMesh } from '../mesh-tab'
import { hostInvitations } from '../invites/host-invitations'
import { latestProfile, linkEdges } from '../linking/link-edges'
import { deviceStorage } from './device-storage'
import { keepLastSynced } from './last-synced-keep'
import { meshIdentityOf, type InvitedSpaces } from './mesh-identity'
import { keepRemovalEvidence } from './removal-evidence'
import { revocationEvidence } from './revocation-evidence'
import { startMeshService, type RoomEntry } from './mesh-service'
import { sharedSpaces } from './shared-spaces'
import { followSwarmSecrets, type WelcomedSecrets } from './swarm-secrets'
import { leadPresence, type PresenceLead } from './room-presence'
import { SyncTracker } from './sync-tracker'

export interface MeshDeps {
  /** HALO's identity while one is ready (and not removed) on this device. */
  readonly identity: Observable<HaloIdentity | undefined>
  readonly echo: Promise<Echo>
  readonly settings: Observable<MeshSettings>
  readonly online: Observable<boolean>
  readonly page: TrysteroPage
  /** Spaces being received: "Receiving your spaces: 3 of 7". */
  readonly receiving: Cell<{ readonly done: number; readonly total: number }>
  /**
   * The secret of a space (the personal space's without one) this leader holds now, while its mesh runs (tests play
   * a thief of it, or hand a space to another identity as an invitation would).
   */
  readonly personalSecret: Cell<((spaceId?: SpaceId) => PersonalSecret | undefined) | undefined>
  /** Spaces this device joins by invitation, not adopted yet: the hosts that admitted it may meet it there. */
  readonly invited: InvitedSpaces
  /** Spaces this device was welcomed into by an invitation (in memory): their room is joined and root adopted. */
  readonly welcomed: WelcomedSecrets
  /** The tabs' presence channel: this leader hears their open notes and tells them who is here. */
  readonly presence?: { lead(): PresenceLead & { stepDown(): void } }
  /** This device's small storage (`localStorage`): the last sync times outlive this leader there. */
  readonly kept: SettingsStorage
  /** Told of the mesh's rare events (`Trace`). */
  readonly trace?: Trace
}

/** The personal space's id and the secret (with its generation) this device's mesh is in the room of. */
export interface PersonalSecret {
  readonly spaceId: SpaceId
  readonly generation: number
  readonly secret: Uint8Array
}

const documentIdOf = (rootUrl: string): string => rootUrl.replace(/^automerge:/, '')

/** The identity's devices HALO does not hold revoked. */
const liveDevices = (halo: HaloIdentity): PublicKey[] =>
  halo
    .devices()
    .filter((device) => device.revokedAt === undefined)
    .map((device) => device.key)

/** Runs the mesh for one ready identity until the returned stop. */
const runFor = async (
  halo: HaloIdentity,
  deps: MeshDeps,
  publish: (status: MeshStatus) => void,
  signal: AbortSignal,
) => {
  const echo = await deps.echo
  const storage = await deviceStorage(echo, halo.deviceKey)
  const actor = { identity: halo.identityKey, signer: halo.signer }
  const rows = echo.spaces(halo.identityKey)
  const stops: (() => void)[] = [() => rows.close()]
  // Open spaces for the handshake's questions (membership, device revocations), kept as the registry changes.
  const spaces = new Map<SpaceId, Space>()
  const accessListeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of [...accessListeners]) listener()
  }
  const openAll = (): void => {
    for (const row of rows.get() ?? []) {
      const id = row.id as SpaceId
      if (spaces.has(id)) continue
      void echo.openSpace(id).then((space) => {
        if (!space.ok || spaces.has(id)) return
        spaces.set(id, space.value)
        stops.push(space.value.membership.subscribe(changed))
        changed()
      })
    }
  }
  openAll()
  stops.push(rows.subscribe(openAll))
  // Registered spaces whose root is not stored here: they are adopted again from their room (swarm-secrets).
  const rootless = new Cell<ReadonlySet<SpaceId>>(new Set())
  let rootCheck = 0
  const checkRoots = (): void => {
    const check = ++rootCheck
    const ids = (rows.get() ?? []).filter((row) => row.personal === 0).map((row) => row.id as SpaceId)
    void Promise.all(ids.map(async (id) => ((await echo.lacksRoot(id)) ? [id] : [])))
      .then((found) => {
        const next = new Set(found.flat())
        // Only the latest check counts: an earlier one may have read a root that has arrived since.
        if (check !== rootCheck || [...next].join() === [...rootless.get()].join()) return
        rootless.set(next)
      })
      // The database closed under a check (the mesh stopping): the next start checks again.
      .catch(() => undefined)
  }
  checkRoots()
  stops.push(rows.subscribe(checkRoots))
  const devices = new Cell<readonly PublicKey[]>(liveDevices(halo))
  stops.push(
    halo.credentials.subscribe(() => {
      devices.set(liveDevices(halo))
      changed()
    }),
  )
  const tracker = new SyncTracker({
    clock: systemClock,
    online: deps.online.get(),
    nameOf: (device) => halo.devices().find((info) => info.key === device)?.name,
    publish,
    // Counts only what the peer is given (a peer met only in a kept room: the root), so it can read "Up to date".
    watchPeer: (repo, changed) =>
      echo.watchPeer(repo, changed, (documentId) => service.access.allows(repo, documentId)),
    keep: keepLastSynced(deps.kept, halo.identityKey, systemClock),
    trace: deps.trace ?? noTrace,
    // A stall is noticed seconds after the service below has started.
    restart: (repo) => {
      service.adapter.restart(repo)
    },
  })
  stops.push(
    deps.online.subscribe((online) => {
      tracker.online(online)
    }),
  )
  // The relays this mesh's rooms use: the settings it starts with (Trystero dials a page's relays at its first join).
  const relaySockets = deps.page.relaySockets
  const { signalUrls, publicRelays } = deps.settings.get()
  const relays =
    relaySockets === undefined
      ? undefined
      : watchRelays({
          urls: [...signalUrls, ...publicRelays],
          sockets: relaySockets,
          onChange: (statuses) => {
            tracker.relays(statuses)
          },
        })
  if (relays !== undefined)
    stops.push(() => {
      relays.stop()
    })
  // Looks for relay sockets right after each join, before a relay that refuses at once has said a word.
  const page: TrysteroPage =
    relays === undefined
      ? deps.page
      : {
          ...deps.page,
          join: (...args) => {
            const room = deps.page.join(...args)
            relays.look()
            return room
          },
        }
  const rooms = new Cell<readonly RoomEntry[]>([])
  // Spaces listed for this identity (or welcomed into) being fetched now (their root not here yet).
  const adopting = new Map<SpaceId, { controller: AbortController; rootUrl: string }>()
  const ofThisDevice = revocationEvidence(halo)
  const onAccessChange = (listener: () => void): (() => void) => {
    accessListeners.add(listener)
    return () => accessListeners.delete(listener)
  }
  /**
   * What a peer that refuses us shows (its handshake's reject, or its notice as it cuts us off): our removal, kept in
   * our copy of the log once it checks out (its fold judges it); or this device's DeviceRevoked credentials, which
   * HALO verifies itself before it holds this device revoked, turns the identity `removed` and stops this mesh.
   * True when something was taken.
   */
  const learn = (spaceId: SpaceId, code: string, evidence: unknown): boolean => {
    if (code === 'not-member') return keepRemovalEvidence(spaces.get(spaceId), halo.identityKey, evidence) > 0
    if (code !== 'revoked') return false
    const revocations = ofThisDevice(evidence)
    if (revocations.length > 0) void halo.receive(revocations)
    return revocations.length > 0
  }
  // Other members' devices met in shared spaces' rooms: a rotation after a removal is sealed to them.
  const shared = sharedSpaces({ actor, spaceOf: (id) => spaces.get(id), onAccessChange })
  const service = startMeshService({
    echo,
    identity: meshIdentityOf(
      halo,
      (id) => spaces.get(id),
      deps.invited,
      async (id) => {
        const opened = await echo.openSpace(id)
        return opened.ok ? opened.value : undefined
      },
    ),
    rooms,
    onAccessChange,
    onPeer: (spaceId, device, identity) => {
      shared.met(spaceId, device, identity)
    },
    settings: deps.settings.get(),
    page,
    storage,
    tracker,
    trace: deps.trace ?? noTrace,
    personalSpace: () => personalRow()?.id as SpaceId | undefined,
    onRefused: (spaceId, refusal) => {
      if (refusal.remoteCode !== undefined) learn(spaceId, refusal.remoteCode, refusal.evidence)
    },
    // The same evidence, told by a peer that is cutting us off now, while this page stays open.
    onNotice: (spaceId, notice) => learn(spaceId, notice.code, notice.evidence),
  })
  stops.push(leadPresence(deps.presence, { service, rooms, space: (id) => spaces.get(id), clock: systemClock }))
  // Documents the adapter could not send, being over its frame cap, counted by the space that lists them now.
  stops.push(
    service.adapter.stats.subscribe(({ tooLarge = [] }) => {
      const counts: Record<string, number> = {}
      for (const documentId of tooLarge) {
        const spaceId = echo.spaceOfDocument(documentId)
        if (spaceId !== undefined) counts[spaceId] = (counts[spaceId] ?? 0) + 1
      }
      tracker.tooLarge(counts)
    }),
  )
  /** `personal` only for the handed-over personal space: ECHO takes it from the caller, never from the root. */
  const adoptOne = (spaceId: SpaceId, rootUrl: string, done: (ok: boolean) => void, personal = false): void => {
    if (adopting.has(spaceId)) return
    const controller = new AbortController()
    const fetching = { controller, rootUrl }
    adopting.set(spaceId, fetching)
    const forget = service.access.expect(documentIdOf(rootUrl), spaceId)
    void echo
      .adoptSpace(
        { identity: halo.identityKey, spaceId, rootUrl: rootUrl as never, personal },
        { signal: controller.signal },
      )
      .then((result) => {
        done(result.ok)
      })
      .finally(() => {
        forget()
        if (adopting.get(spaceId) === fetching) adopting.delete(spaceId)
      })
  }
  const stopAll = async (): Promise<void> => {
    for (const { controller } of adopting.values()) controller.abort()
    for (const stop of stops.splice(0)) stop()
    await service.stop()
    // Leaving the rooms ended each connection (a device in sync leaves synced): what the next leader starts from.
    tracker.flush()
  }
  // The personal space is made on first run, or adopted by device linking before the identity is stored: once the
  // registry is read it is listed.
  const personalRow = (): SpaceRow | undefined => rows.get()?.find((candidate) => candidate.personal === 1)
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (signal.aborted || personalRow() !== undefined) resolve()
    }
    stops.push(rows.subscribe(check))
    // A stop while waiting (the tab hands over, the identity goes) ends the wait: nothing here to hand back.
    signal.addEventListener('abort', check, { once: true })
    check()
  })
  const row = personalRow()
  if (signal.aborted || row === undefined) return stopAll
  const opened = await echo.openSpace(row.id as SpaceId)
  if (!opened.ok) throw opened.error
  const personal = opened.value
  const secrets = followSwarmSecrets({
    actor,
    deviceKey: halo.deviceKey,
    personal,
    spaces: rows,
    devices,
    isRevoked: (device) => halo.isRevoked(device),
    shared,
    welcomed: deps.welcomed,
    rootless,
    keys: {
      newSecret: newSwarmSecret,
      room: swarmRoom,
      commitment: swarmCommitment,
      seal: sealFor,
      open: (box, aad) => halo.openSealed(box, aad),
      sign: (bytes) => halo.signBytes(bytes),
      verify: verifyBytes,
    },
  })
  deps.personalSecret.set((spaceId = personal.id) => {
    const held = secrets.secret(spaceId)
    return held === undefined ? undefined : { spaceId, generation: held.generation, secret: held.secret }
  })
  stops.push(() => {
    deps.personalSecret.set(undefined)
    secrets.stop()
  })
  const mesh = meshIdentityOf(halo, (id) => spaces.get(id), deps.invited)
  stops.push(
    hostInvitations({
      host: {
        actor,
        identityKey: halo.identityKey,
        deviceKey: halo.deviceKey,
        chain: halo.chain,
        sign: (bytes) => halo.signBytes(bytes),
        profile: () => latestProfile(halo),
      },
      edges: linkEdges(
        deps.settings.get(),
        page,
        (owner, device) => owner === halo.identityKey && halo.isRevoked(device),
      ),
      spaces: () => spaces.values(),
      onChange: (listener) => {
        accessListeners.add(listener)
        return () => accessListeners.delete(listener)
      },
      rootUrlOf: (spaceId) => rows.get()?.find((each) => each.id === spaceId)?.rootUrl,
      secret: (spaceId) => secrets.secret(spaceId),
      verifyChain: (spaceId, chain, device) => mesh.verifyChain(spaceId, chain, device),
    }),
  )
  rooms.set(secrets.rooms.get())
  stops.push(
    secrets.rooms.subscribe((entries) => {
      rooms.set(entries)
    }),
  )
  // Spaces listed for this device whose box opens are adopted, roots first, as their room brings them.
  let adopted = 0
  const adopt = (): void => {
    const listed = secrets.toAdopt.get()
    // A welcome replaced by a later one names another root (or none): the fetch of the earlier one stops, or it
    // would hold the space for good while its root never comes (review 13 G5).
    for (const [spaceId, { controller, rootUrl }] of adopting) {
      if (listed.some((each) => each.spaceId === spaceId && each.rootUrl === rootUrl)) continue
      controller.abort()
      adopting.delete(spaceId)
    }
    deps.receiving.set({ done: adopted, total: adopted + listed.length })
    for (const { spaceId, rootUrl } of listed) {
      adoptOne(spaceId, rootUrl, (ok) => {
        if (ok) adopted++
        // A space adopted again keeps its row as it was: its root is looked for and the space opened here.
        if (ok && rootless.get().has(spaceId)) {
          checkRoots()
          openAll()
        }
        deps.receiving.set({ done: adopted, total: adopted + secrets.toAdopt.get().length })
      })
    }
  }
  adopt()
  stops.push(secrets.toAdopt.subscribe(adopt))
  return stopAll
}

/** The leader tab's mesh: it runs while an identity is ready here, and stops when it goes (or is removed). */
export const createStartMesh =
  (deps: MeshDeps): StartMesh =>
  (publish) => {
    let current: { halo: HaloIdentity; stop: Promise<() => Promise<void>>; end: AbortController } | undefined
    let chain = Promise.resolve()
    const follow = (halo: HaloIdentity | undefined): void => {
      if (current?.halo === halo) return
      const previous = current
      previous?.end.abort()
      const end = new AbortController()
      current = halo === undefined ? undefined : { halo, stop: runFor(halo, deps, publish, end.signal), end }
      const next = current
      chain = chain.then(async () => {
        if (previous !== undefined) await (await previous.stop.catch(() => () => Promise.resolve()))()
        await next?.stop.catch((error: unknown) => {
          console.warn('The mesh did not start:', error)
        })
      })
    }
    follow(deps.identity.get())
    const stopFollowing = deps.identity.subscribe(follow)
    return Promise.resolve(async () => {
      stopFollowing()
      follow(undefined)
      await chain
    })
  }
