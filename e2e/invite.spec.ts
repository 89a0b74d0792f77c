/**
 * Invitations between two browser profiles over real WebRTC through the local signal worker: the owner shares a
 * space, a fresh profile (no identity) opens the link, sees who invited it to what, names itself, joins, and both
 * edit live both ways; a cancelled or expired link says so and stores nothing; the share panel and the join
 * screen pass axe in light and dark.
 */
import { expectAccessible } from './a11y.ts'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test.describe.configure({ mode: 'default' })

/** Ada makes her identity and the space "Garden plans" with a task, and opens its Share panel. */
const shareGarden = async (ada: Device): Promise<SpacePage> => {
  await ada.page.goto('/')
  await new IdentityPage(ada.page).createAndContinue('Ada')
  const space = new SpacePage(ada.page)
  await space.createSpace('Garden plans')
  await space.addTask('Written by Ada')
  await ada.page.getByRole('button', { name: 'Share' }).click()
  return space
}

/** Creates a link in the open Share panel; returns it. */
const createLink = async (ada: Device): Promise<string> => {
  await ada.page.getByRole('button', { name: 'Create invite link' }).click()
  return (await ada.page.getByTestId('invite-url').textContent()) ?? ''
}

/** The same link with its expiry (the payload's last 4 bytes, unix seconds) set to an hour ago. */
const expiredCopy = (url: string): string => {
  const [origin, payload = ''] = url.split('/#/join/')
  const bytes = Buffer.from(payload, 'base64url')
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - 3600, bytes.length - 4)
  return `${origin ?? ''}/#/join/${bytes.toString('base64url')}`
}

/** Whether the page's browser holds any identity record (HALO's databases). */
const identityRecords = (device: Device): Promise<number> =>
  device.page.evaluate(async () => {
    let total = 0
    for (const { name } of await indexedDB.databases()) {
      if (name?.includes('halo') !== true) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('open'))
      })
      for (const store of Array.from(db.objectStoreNames)) {
        total += await new Promise<number>((resolve) => {
          const request = db.transaction(store).objectStore(store).count()
          request.onsuccess = () => resolve(request.result)
        })
      }
      db.close()
    }
    return total
  })

test('a fresh profile joins from an invite link with its own name, and both edit live both ways', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const onAda = await shareGarden(ada)
  const url = await createLink(ada)
  expect(url).toMatch(/\/#\/join\/[A-Za-z0-9_-]{94}$/)
  await expect(ada.page.getByTestId('open-invitations')).toContainText('Editor · 1 use left · Expires in 24 hours')
  await expectAccessible(ada.page, 'the share panel')

  const opened = Date.now()
  await bea.page.goto(url)
  await expect.poll(() => bea.page.url()).not.toContain(url.split('/#/join/')[1] ?? '')
  await expect(bea.page.getByTestId('invite-heading')).toHaveText(
    'Ada invited you to Garden plans as an editor',
    LINKED,
  )
  await expectAccessible(bea.page, 'the invitation join screen')
  await bea.page.getByLabel('Your name').fill('Bea')
  await bea.page.getByRole('button', { name: 'Join' }).click()
  const onBea = new SpacePage(bea.page)
  await expect(onBea.name).toHaveText('Garden plans', LINKED)
  await onBea.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)
  console.info(`invite link opened -> space with Ada's task on Bea: ${String(Date.now() - opened)} ms`)

  await onBea.addTask('Written by Bea')
  await onAda.tasks.getByText('Written by Bea', { exact: true }).waitFor(LINKED)
  await onAda.addTask('Ada again')
  await onBea.tasks.getByText('Ada again', { exact: true }).waitFor(LINKED)
  // The single-use invitation is spent: Ada's list is empty.
  await expect(ada.page.getByText('No open invitations.')).toBeVisible(LINKED)
})

test('a cancelled or expired link says so and stores nothing', async ({ openPersistentDevice, errors }) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  await shareGarden(ada)
  const url = await createLink(ada)
  await ada.page.getByRole('button', { name: 'Cancel the editor invitation' }).click()
  await expect(ada.page.getByText('No open invitations.')).toBeVisible()

  await bea.page.goto(url)
  await expect(bea.page.getByTestId('invite-state')).toHaveText(
    'This invitation was cancelled. Ask the person who sent it for a new link.',
    LINKED,
  )
  await expect(bea.page.getByText('Nothing was stored on this device.')).toBeVisible()
  expect(await identityRecords(bea), 'identity records after a cancelled link').toBe(0)

  await bea.page.goto(expiredCopy(url))
  await expect(bea.page.getByRole('heading', { name: 'This invitation has expired' })).toBeVisible()
  await expect(bea.page.getByText('Nothing was stored on this device.')).toBeVisible()
  expect(await identityRecords(bea), 'identity records after an expired link').toBe(0)
  await bea.page.goto('/')
  await expect(new IdentityPage(bea.page).createHeading).toBeVisible()
})
