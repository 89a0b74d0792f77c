import { Cell } from '../../base'
import type { Echo, Space } from '../../echo'
import type { PublicKey } from '../../halo'
import type { Arrivals } from './ports'

/**
 * The identity's spaces on this device just linked: the personal space (here already) and each space its root
 * lists, counted done once the registry has it (the mesh adopts them as their rooms bring them; `client.receiving`
 * counts the same adoptions). The root is the whole list from the start, so `total` does not climb as boxes come.
 */
export const arrivalsOf = (echo: Echo, identity: PublicKey, personal: Space): Arrivals => {
  const rows = echo.spaces(identity)
  const count = () => {
    // A root's list comes from a peer: each space once, and never the personal space itself.
    const listed = new Set(personal.listedSpaces.get().map((entry) => entry.spaceId as string))
    listed.delete(personal.id)
    const here = new Set((rows.get() ?? []).map((row) => row.id))
    const done = 1 + [...listed].filter((id) => here.has(id)).length
    return { done, total: 1 + listed.size }
  }
  const progress = new Cell(count())
  const update = (): void => {
    const next = count()
    const now = progress.get()
    if (next.done !== now.done || next.total !== now.total) progress.set(next)
  }
  const stops = [rows.subscribe(update), personal.listedSpaces.subscribe(update)]
  return {
    progress,
    stop: () => {
      for (const stop of stops.splice(0)) stop()
      rows.close()
    },
  }
}
