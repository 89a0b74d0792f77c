import { Cell, systemClock, type Observable } from '../../base'
import type { Echo, Space, SpaceId } from '../../echo'
import { newSwarmSecret, sealFor, swarmRoom, type HaloIdentity, type PublicKey } from '../../halo'
import type { MeshSettings, MeshStatus, TrysteroPage } from '../../mesh'
import type { StartMesh } from '../mesh-tab'
import { meshIdentityOf } from './mesh-identity'
import { startMeshService } from './mesh-service'
import { followSwarmSecrets } from './swarm-secrets'
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
}

/** How often the status looks whether messages went quiet. */
const TICK_MS = 1_000

const documentIdOf = (rootUrl: string): string => rootUrl.replace(/^automerge:/, '')

/** The identity's devices HALO does not hold revoked. */
const liveDevices = (halo: HaloIdentity): PublicKey[] =>
  halo
    .devices()
    .filter((device) => device.revokedAt === undefined)
    .map((device) => device.key)

/** Runs the mesh for one ready identity until the returned stop. */
const runFor = async (halo: HaloIdentity, deps: MeshDeps, publish: (status: MeshStatus) => void) => {
  const echo = await deps.echo
  const actor = { identity: halo.identityKey, signer: halo.signer }
  const rows = echo.spaces(halo.identityKey)
  const personalRow = await new Promise<{ id: string }>((resolve) => {
    const found = (): boolean => {
      const row = rows.get()?.find((candidate) => candidate.personal === 1)
      if (row !== undefined) resolve(row)
      return row !== undefined
    }
    if (found()) return
    const stop = rows.subscribe(() => {
      if (found()) stop()
    })
  })
  const opened = await echo.openSpace(personalRow.id as SpaceId)
  if (!opened.ok) throw opened.error
  const personal = opened.value
  // Open spaces for the handshake's questions (membership, device revocations), kept as the registry changes.
  const spaces = new Map<SpaceId, Space>([[personal.id, personal]])
  const accessListeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of [...accessListeners]) listener()
  }
  const membershipStops: (() => void)[] = []
  const openAll = (): void => {
    for (const row of rows.get() ?? []) {
      const id = row.id as SpaceId
      if (spaces.has(id)) continue
      void echo.openSpace(id).then((space) => {
        if (!space.ok || spaces.has(id)) return
        spaces.set(id, space.value)
        membershipStops.push(space.value.membership.subscribe(changed))
      })
    }
  }
  openAll()
  const stopRows = rows.subscribe(openAll)
  const devices = new Cell<readonly PublicKey[]>(liveDevices(halo))
  const stopDevices = halo.credentials.subscribe(() => {
    devices.set(liveDevices(halo))
    changed()
  })
  const secrets = followSwarmSecrets({
    actor,
    deviceKey: halo.deviceKey,
    personal,
    spaces: rows,
    devices,
    keys: {
      newSecret: newSwarmSecret,
      room: swarmRoom,
      seal: sealFor,
      open: (box, aad) => halo.openSealed(box, aad),
    },
  })
  const tracker = new SyncTracker({
    clock: systemClock,
    online: deps.online.get(),
    nameOf: (device) => halo.devices().find((info) => info.key === device)?.name,
    publish,
  })
  const stopOnline = deps.online.subscribe((online) => {
    tracker.online(online)
  })
  const ticking = setInterval(() => {
    tracker.tick()
  }, TICK_MS)
  const service = startMeshService({
    echo,
    identity: meshIdentityOf(halo, (id) => spaces.get(id)),
    rooms: secrets.rooms,
    onAccessChange: (listener) => {
      accessListeners.add(listener)
      return () => accessListeners.delete(listener)
    },
    settings: deps.settings.get(),
    page: deps.page,
    storage: null,
    tracker,
  })
  // Spaces listed for this device whose box opens are adopted, roots first, as their room brings them.
  const adopting = new Map<SpaceId, AbortController>()
  let adopted = 0
  const adopt = (): void => {
    const listed = secrets.toAdopt.get()
    deps.receiving.set({ done: adopted, total: adopted + listed.length })
    for (const { spaceId, rootUrl } of listed) {
      if (adopting.has(spaceId)) continue
      const controller = new AbortController()
      adopting.set(spaceId, controller)
      const forget = service.access.expect(documentIdOf(rootUrl), spaceId)
      void echo
        .adoptSpace({ identity: halo.identityKey, spaceId, rootUrl: rootUrl as never }, { signal: controller.signal })
        .then((result) => {
          if (result.ok) adopted++
        })
        .finally(() => {
          forget()
          adopting.delete(spaceId)
          deps.receiving.set({ done: adopted, total: adopted + secrets.toAdopt.get().length })
        })
    }
  }
  adopt()
  const stopAdopt = secrets.toAdopt.subscribe(adopt)
  return async () => {
    stopAdopt()
    for (const controller of adopting.values()) controller.abort()
    clearInterval(ticking)
    stopOnline()
    stopDevices()
    stopRows()
    for (const stop of membershipStops) stop()
    secrets.stop()
    rows.close()
    await service.stop()
  }
}

/** The leader tab's mesh: it runs while an identity is ready here, and stops when it goes (or is removed). */
export const createStartMesh =
  (deps: MeshDeps): StartMesh =>
  (publish) => {
    let current: { halo: HaloIdentity; stop: Promise<() => Promise<void>> } | undefined
    let chain = Promise.resolve()
    const follow = (halo: HaloIdentity | undefined): void => {
      if (current?.halo === halo) return
      const previous = current
      current = halo === undefined ? undefined : { halo, stop: runFor(halo, deps, publish) }
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
