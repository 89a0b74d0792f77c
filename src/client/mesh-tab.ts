import type { Observable } from '../base'
import type { BrowserEdges } from './edges'
import { startLeadership, type TabRole } from './mesh-leader'
import type { MeshStatus } from '../mesh'
import { openMeshStatus } from './mesh-status-channel'

/** Starts the mesh in the leader tab; `publish` shares its status with every tab. Resolves with its stop. */
export type StartMesh = (publish: (status: MeshStatus) => void) => Promise<() => Promise<void>>

/** This tab's part in the profile's mesh: whether it leads, and the status every tab shows. */
export interface MeshTab {
  readonly role: Observable<TabRole>
  readonly status: Observable<MeshStatus>
  /** Leads now, taking over from another tab; true once this tab's mesh has started. */
  takeLead(): Promise<boolean>
  /** Stops the mesh if it runs here, releases the lock and closes the channel. */
  stop(): Promise<void>
}

/** Leadership and status together: the leader's term publishes, and says it is gone once its mesh stopped. */
export const startMeshTab = (
  edges: Pick<BrowserEdges, 'locks' | 'page' | 'openChannel'>,
  startMesh: StartMesh,
): MeshTab => {
  const channel = openMeshStatus(edges.openChannel)
  const leadership = startLeadership(edges, {
    onLead: async () => {
      const publisher = channel.lead()
      let stopMesh: () => Promise<void>
      try {
        stopMesh = await startMesh((status) => {
          publisher.publish(status)
        })
      } catch (error) {
        publisher.stepDown()
        throw error
      }
      return async () => {
        try {
          await stopMesh()
        } finally {
          publisher.stepDown()
        }
      }
    },
  })
  return {
    role: leadership.role,
    status: channel.status,
    takeLead: () => leadership.takeLead(),
    stop: async () => {
      await leadership.stop()
      channel.close()
    },
  }
}
