/**
 * Steps the sharing specs share: a space made and opened for sharing, invite links made in its Share panel, a
 * guest joining from one, and what a browser keeps on disk (read straight from IndexedDB, as the app's own
 * databases hold it), so a refused join can be shown to store nothing.
 */
import type { Locator, Page } from '@playwright/test'
import { expect, type Device } from './fixtures.ts'
import { LINKED } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

/** `device` makes the identity `name` and the space `space` with one task by it; the space stays open. */
export const spaceWithTask = async (device: Device, name: string, space: string, task: string): Promise<SpacePage> => {
  await device.page.goto('/')
  await new IdentityPage(device.page).createAndContinue(name)
  const opened = new SpacePage(device.page)
  await opened.createSpace(space)
  await opened.addTask(task)
  return opened
}

/** Opens the Share panel of the open space if it is closed. */
export const openShare = async (page: Page): Promise<void> => {
  const panel = page.getByTestId('share-panel')
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Share' }).click()
  await panel.waitFor()
}

/** Makes a link in the Share panel for `role` with `uses` uses (1: single use); returns it. */
export const createLink = async (
  page: Page,
  options: { role?: 'Editor' | 'Viewer' | 'Admin'; uses?: number } = {},
): Promise<string> => {
  await openShare(page)
  await page.getByRole('radio', { name: options.role ?? 'Editor' }).check()
  const uses = options.uses ?? 1
  if (uses === 1) await page.getByRole('radio', { name: 'Single use' }).check()
  else {
    await page.getByRole('radio', { name: 'Several uses' }).check()
    await page.getByLabel('Number of uses').fill(String(uses))
  }
  const url = page.getByTestId('invite-url')
  const before = (await url.count()) > 0 ? await url.textContent() : null
  await page.getByRole('button', { name: 'Create invite link' }).click()
  await expect(url).not.toHaveText(before ?? '')
  return (await url.textContent()) ?? ''
}

/** A fresh profile opens `url`, names itself `name` and joins; returns the space once it shows `task`. */
export const joinWithName = async (device: Device, url: string, name: string, task: string): Promise<SpacePage> => {
  await device.page.goto(url)
  await expect(device.page.getByTestId('invite-heading')).toContainText('invited you to', LINKED)
  await device.page.getByLabel('Your name').fill(name)
  await device.page.getByRole('button', { name: 'Join' }).click()
  const space = new SpacePage(device.page)
  await space.tasks.getByText(task, { exact: true }).waitFor(LINKED)
  return space
}

/** The Members panel of the open space, opened. */
export const openMembers = async (page: Page): Promise<Locator> => {
  const panel = page.getByRole('region', { name: 'Members' })
  if (!(await panel.isVisible())) await page.getByRole('button', { name: /^Members \(\d+\)$/ }).click()
  await panel.waitFor()
  return panel
}

/**
 * The member named `name` in a Members panel, by its name alone: a text filter would also take a member whose
 * fingerprint holds the name's letters in any case ("KH1T 0A1C YBEA …" is Ada's, and matched "Bea" in CI).
 */
export const memberNamed = (panel: Locator, name: string): Locator =>
  panel.getByRole('listitem').filter({ has: panel.page().getByText(name, { exact: true }) })

/** Every record of every object store of the databases of this origin whose name contains `part`. */
const storedRecords = (page: Page, part: string): Promise<Record<string, unknown[]>> =>
  page.evaluate(async (part) => {
    const found: Record<string, unknown[]> = {}
    for (const { name } of await indexedDB.databases()) {
      if (name?.includes(part) !== true) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('open'))
      })
      for (const store of Array.from(db.objectStoreNames)) {
        found[`${name}/${store}`] = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll()
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error ?? new Error('read'))
        })
      }
      db.close()
    }
    return found
  }, part)

/**
 * What this browser keeps: how many identity records (HALO), which documents have chunks and which spaces are
 * listed (ECHO). The repo's own storage id, written as the app starts, belongs to no document.
 */
export const storedState = async (page: Page): Promise<{ halo: number; documents: string[]; spaces: string[] }> => {
  const halo = Object.values(await storedRecords(page, 'halo')).reduce((total, rows) => total + rows.length, 0)
  const echo = await storedRecords(page, 'echo')
  const rows = (store: string) => Object.entries(echo).find(([key]) => key.endsWith(`/${store}`))?.[1] ?? []
  const documents = rows('chunks')
    .map((row) => (row as { key: string[] }).key)
    .filter((key) => key.length > 1)
    .map((key) => key[0] ?? '')
  return {
    halo,
    documents: [...new Set(documents)].sort(),
    spaces: rows('spaces')
      .map((row) => (row as { name: string }).name)
      .sort(),
  }
}
