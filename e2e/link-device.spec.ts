/**
 * Device linking between two browser profiles over real WebRTC through the local signal worker: a link (and
 * its QR code read back from a screenshot), the same code on both screens, Allow, and then the personal space
 * and its edits on both devices; a used link says so, and the link panel and join screen pass axe.
 */
import jsQR from 'jsqr'
import { expectAccessible } from './a11y.ts'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED, makeIdentity, offerLink, requestLink } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test.describe.configure({ mode: 'default' })

/** A makes its identity and a task in its personal space, then opens the link panel; returns the link. */
const offerFrom = async (a: Device): Promise<string> => {
  await makeIdentity(a)
  return offerLink(a)
}

test('a device linked by the link shows the personal space, and edits flow both ways', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await openPersistentDevice({ serviceWorkers: 'block' })
  const b = await openPersistentDevice({ serviceWorkers: 'block' })
  const url = await offerFrom(a)
  expect(url).toMatch(/\/#\/join\/[A-Za-z0-9_-]+$/)
  const opened = Date.now()
  await b.page.goto(url)
  // The secret leaves the address bar at once.
  await expect.poll(() => b.page.url()).not.toContain(url.split('/#/join/')[1] ?? '')
  await requestLink(a, b, 'Phone')
  await a.page.getByRole('button', { name: 'Allow' }).click()
  await b.page.getByRole('link', { name: /Personal/ }).click(LINKED)
  const spaceB = new SpacePage(b.page)
  await spaceB.tasks.getByText('Written on A', { exact: true }).waitFor(LINKED)
  console.info(`link opened -> personal space with A's task: ${String(Date.now() - opened)} ms`)
  await expect(a.page.getByTestId('link-state')).toHaveText('Phone is linked')

  await spaceB.addTask('Written on B')
  await a.page.goto('/')
  await a.page.getByRole('link', { name: /Personal/ }).click()
  const spaceA = new SpacePage(a.page)
  await spaceA.tasks.getByText('Written on B', { exact: true }).waitFor(LINKED)
  await spaceA.addTask('Again on A')
  await spaceB.tasks.getByText('Again on A', { exact: true }).waitFor(LINKED)

  // A reorder on B reaches A: the last task moves up one place.
  const order = await spaceB.taskTitles()
  const last = order.at(-1) ?? ''
  const moved = [...order.slice(0, -2), last, order.at(-2) ?? '']
  await spaceB.taskCheckbox(last).focus()
  await b.page.keyboard.press('Alt+ArrowUp')
  await expect.poll(() => spaceB.taskTitles()).toEqual(moved)
  await expect.poll(() => spaceA.taskTitles(), LINKED).toEqual(moved)

  // A note's text typed on A reaches B, and B's typing reaches A.
  await spaceA.createNote('Seeds', 'Tomatoes')
  await spaceB.notes.getByRole('link', { name: 'Seeds' }).click(LINKED)
  await expect(spaceB.noteText).toHaveText('Tomatoes', LINKED)
  await spaceB.noteText.click()
  await b.page.keyboard.press('End')
  await b.page.keyboard.type(' and basil')
  await expect(spaceA.noteText).toHaveText('Tomatoes and basil', LINKED)
})

test('the QR code carries the link; a second device with a used link reads so and stores nothing', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await openPersistentDevice({ serviceWorkers: 'block' })
  const b = await openPersistentDevice({ serviceWorkers: 'block' })
  const c = await openPersistentDevice({ serviceWorkers: 'block' })
  const url = await offerFrom(a)
  const png = (await a.page.getByRole('img', { name: /QR code of the link/ }).screenshot()).toString('base64')
  // The browser decodes its own screenshot into pixels; jsQR reads them here.
  const shot = await a.page.evaluate(async (data) => {
    const image = new Image()
    image.src = `data:image/png;base64,${data}`
    await image.decode()
    const canvas = new OffscreenCanvas(image.width, image.height)
    const context = canvas.getContext('2d')
    if (context === null) throw new Error('no 2d context')
    context.drawImage(image, 0, 0)
    const { width, height } = canvas
    return { width, height, pixels: Array.from(context.getImageData(0, 0, width, height).data) }
  }, png)
  const read = jsQR(new Uint8ClampedArray(shot.pixels), shot.width, shot.height)
  expect(read?.data).toBe(url)
  await expectAccessible(a.page, 'the link panel')

  await b.page.goto(url)
  await expect(b.page.getByRole('heading', { name: /^Link this device to Ada.s identity\?$/ })).toBeVisible(LINKED)
  await expectAccessible(b.page, 'the join screen')
  await requestLink(a, b, 'Phone')
  await a.page.getByRole('button', { name: 'Allow' }).click()
  await b.page.getByRole('link', { name: /Personal/ }).waitFor(LINKED)

  await c.page.goto(url)
  await expect(c.page.getByText('This link was already used: make a new one')).toBeVisible(LINKED)
  await expect(c.page.getByText('Nothing was stored on this device.')).toBeVisible()
  const databases = await c.page.evaluate(async () => (await indexedDB.databases()).map((each) => each.name))
  const stored = await c.page.evaluate(async (names) => {
    const counts: number[] = []
    for (const name of names) {
      if (name === undefined) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('open'))
      })
      for (const store of Array.from(db.objectStoreNames)) {
        const count = await new Promise<number>((resolve) => {
          const request = db.transaction(store).objectStore(store).count()
          request.onsuccess = () => resolve(request.result)
        })
        if (name.includes('halo')) counts.push(count)
      }
      db.close()
    }
    return counts.reduce((sum, count) => sum + count, 0)
  }, databases)
  expect(stored, 'identity records on the device with the used link').toBe(0)
})

/** The same link with its expiry (the payload's last 4 bytes, unix seconds) set to an hour ago. */
const expiredCopy = (url: string): string => {
  const [origin, payload = ''] = url.split('/#/join/')
  const bytes = Buffer.from(payload, 'base64url')
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - 3600, bytes.length - 4)
  return `${origin ?? ''}/#/join/${bytes.toString('base64url')}`
}

test('an expired link says so at once and stores nothing', async ({ openPersistentDevice }) => {
  const a = await openPersistentDevice({ serviceWorkers: 'block' })
  const b = await openPersistentDevice({ serviceWorkers: 'block' })
  const url = await offerFrom(a)
  await b.page.goto(expiredCopy(url))
  await expect(b.page.getByRole('heading', { name: 'This link has expired' })).toBeVisible()
  await expect(b.page.getByRole('alert')).toHaveText('This link has expired: make a new one on your other device')
  // Nothing was stored: this browser still offers to create an identity.
  await b.page.goto('/')
  await expect(new IdentityPage(b.page).createHeading).toBeVisible()
})
