/**
 * Steps the device-sync specs share: an identity on A, a second (or third) profile linked to it over the
 * local signal worker, the personal space open, and a record of every WebRTC connection a page makes (an
 * init script of the e2e suite only: the shipped app has no such hook).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect, type Device } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

export const LINKED = { timeout: 30_000 }

/**
 * Trystero logs a closed connection as a console error, Chromium's OperationError of the data channel: "User-Initiated
 * Abort, reason=Close called" on the side that sees the other close it (a link room left), and no words at all on
 * a side whose connection is cut while it opens (a refused peer, a refused guest's join page).
 */
export const CLOSED_CONNECTION = /Trystero peer error: OperationError(?:: User-Initiated Abort, reason=Close called|$)/

/** A page's WebRTC connections: when each was made, connected and closed (ms since the epoch). */
interface PeerRecord {
  readonly createdAt: number
  connectedAt: number | undefined
  closedAt: number | undefined
}

declare global {
  interface Window {
    e2ePeers?: PeerRecord[]
  }
}

/**
 * Wraps RTCPeerConnection in every page of `context`: a connection counts as closed at the first
 * of `close()`, a closed or failed state, or one of its data channels closing (the far side hung up).
 */
export const recordPeers = async (context: BrowserContext): Promise<void> => {
  await context.addInitScript(() => {
    const peers: PeerRecord[] = []
    window.e2ePeers = peers
    const Original = window.RTCPeerConnection
    class Recorded extends Original {
      constructor(config?: RTCConfiguration) {
        super(config)
        const record: PeerRecord = { createdAt: Date.now(), connectedAt: undefined, closedAt: undefined }
        peers.push(record)
        const closed = (): void => {
          record.closedAt ??= Date.now()
        }
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') record.connectedAt ??= Date.now()
          if (this.connectionState === 'closed' || this.connectionState === 'failed') closed()
        })
        this.addEventListener('datachannel', (event) => {
          event.channel.addEventListener('close', closed)
        })
        // Trystero's channel is negotiated: made here on both sides, so no 'datachannel' event announces it.
        const createDataChannel = this.createDataChannel.bind(this)
        this.createDataChannel = (label, init) => {
          const channel = createDataChannel(label, init)
          channel.addEventListener('close', closed)
          return channel
        }
        const close = this.close.bind(this)
        this.close = () => {
          closed()
          close()
        }
      }
    }
    window.RTCPeerConnection = Recorded
  })
}

export const peersOf = (page: Page): Promise<PeerRecord[]> => page.evaluate(() => window.e2ePeers ?? [])

/** Connections of `page` that are connected now (Trystero also keeps offers ready that never connect). */
export const openPeers = async (page: Page): Promise<number> =>
  (await peersOf(page)).filter((peer) => peer.connectedAt !== undefined && peer.closedAt === undefined).length

/** A makes its identity ("Ada") with a task in the personal space. */
export const makeIdentity = async (a: Device): Promise<void> => {
  await a.page.goto('/')
  await new IdentityPage(a.page).createAndContinue('Ada')
  await a.page.getByRole('link', { name: /Personal/ }).click()
  await new SpacePage(a.page).addTask('Written on A')
}

/** A opens the link panel on Home; returns the link. */
export const offerLink = async (a: Device): Promise<string> => {
  await a.page.goto('/')
  await a.page.getByRole('button', { name: 'Link a device' }).click()
  return (await a.page.getByTestId('link-url').textContent()) ?? ''
}

/** The code in a confirm heading, digits only. */
const codeOn = async (device: Device, heading: string): Promise<string> =>
  ((await device.page.locator(`#${heading} .link-code`).textContent()) ?? '').replace(/\s+/g, '')

/** B asks to be linked as `name` once A's identity shows; returns when both show the same code. */
export const requestLink = async (a: Device, b: Device, name: string): Promise<void> => {
  await expect(b.page.getByRole('heading', { name: /^Link this device to Ada.s identity\?$/ })).toBeVisible(LINKED)
  await b.page.getByLabel('Name of this device').fill(name)
  await b.page.getByRole('button', { name: 'Link this device' }).click()
  await a.page.locator('#link-code-heading').waitFor(LINKED)
  await b.page.locator('#join-code-heading').waitFor(LINKED)
  expect(await codeOn(a, 'link-code-heading')).toBe(await codeOn(b, 'join-code-heading'))
}

/** `device` (a fresh profile) is linked from `from` as `name`, and shows the personal space with A's task. */
export const linkFrom = async (from: Device, device: Device, name: string): Promise<SpacePage> => {
  await device.page.goto(await offerLink(from))
  await requestLink(from, device, name)
  await from.page.getByRole('button', { name: 'Allow' }).click()
  // The join screen turns into Home once the personal space is here: a reload before then would cut the handover.
  await device.page.getByRole('link', { name: /Personal/ }).click(LINKED)
  const space = new SpacePage(device.page)
  await space.tasks.getByText('Written on A', { exact: true }).waitFor(LINKED)
  await expect(from.page.getByTestId('link-state')).toHaveText(`${name} is linked`, LINKED)
  return space
}

/** Opens the personal space from Home and waits for A's first task. */
export const openPersonal = async (device: Device): Promise<SpacePage> => {
  await device.page.goto('/')
  await device.page.getByRole('link', { name: /Personal/ }).click(LINKED)
  const space = new SpacePage(device.page)
  await space.tasks.getByText('Written on A', { exact: true }).waitFor(LINKED)
  return space
}

/** A with an identity and B linked to it as "Phone", both in the personal space. */
export const linkedPair = async (a: Device, b: Device): Promise<{ spaceA: SpacePage; spaceB: SpacePage }> => {
  await makeIdentity(a)
  const spaceB = await linkFrom(a, b, 'Phone')
  const spaceA = await openPersonal(a)
  return { spaceA, spaceB }
}
