/**
 * Sharing a space between people, with persistent browser profiles over real WebRTC through the local signal
 * worker (no STUN: loopback only): another member admits a guest while the inviter is offline; a viewer's change
 * forced into its own copy is never applied on the owner's device; a link opened again by its guest admits no
 * one twice; a used or cancelled link stores nothing. Faults are real: a page closed, a change written outside
 * the app.
 */
import { forcedChange } from '../src/echo/testing/forced-change.ts'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'
import { createLink, joinWithName, memberNamed, openMembers, openShare, spaceWithTask, storedState } from './sharing.ts'

test.describe.configure({ mode: 'default', timeout: 180_000 })

/** The fingerprint the Members panel of `page` shows for the member named `name`. */
const fingerprintOf = async (device: Device, name: string): Promise<string> => {
  const panel = await openMembers(device.page)
  const row = panel.getByRole('listitem').filter({ hasText: name })
  return (await row.locator('.member-fingerprint code').textContent()) ?? ''
}

test('with the inviter offline, an admin admits a guest from the inviter’s link, and the two edit live', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const cy = await openPersistentDevice({ serviceWorkers: 'block' })
  await spaceWithTask(ada, 'Ada', 'Garden plans', 'Written by Ada')
  const onBea = await joinWithName(bea, await createLink(ada.page), 'Bea', 'Written by Ada')

  // Ada makes Bea an admin: only owners and admins may admit.
  const members = await openMembers(ada.page)
  await members.getByLabel('Role of Bea').selectOption('admin', LINKED)
  await expect(bea.page.getByRole('button', { name: 'Share' })).toBeVisible(LINKED)
  const adaFingerprint = await fingerprintOf(ada, 'Ada (you)')

  // Ada's link for Cy reaches Bea's copy of the log (Bea lists it), then Ada goes offline.
  const forCy = await createLink(ada.page)
  await openShare(bea.page)
  await expect(bea.page.getByTestId('open-invitations')).toContainText('Editor · 1 use left', LINKED)
  await ada.page.close()

  await cy.page.goto(forCy)
  await expect(cy.page.getByTestId('invite-heading')).toHaveText('Ada invited you to Garden plans as an editor', LINKED)
  await expect(cy.page.getByTestId('inviter-fingerprint')).toHaveText(adaFingerprint)
  await cy.page.getByLabel('Your name').fill('Cy')
  await cy.page.getByRole('button', { name: 'Join' }).click()
  const onCy = new SpacePage(cy.page)
  await expect(onCy.name).toHaveText('Garden plans', LINKED)
  await onCy.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)

  await onCy.addTask('Written by Cy')
  await onBea.tasks.getByText('Written by Cy', { exact: true }).waitFor(LINKED)
  await onBea.addTask('Bea answers Cy')
  await onCy.tasks.getByText('Bea answers Cy', { exact: true }).waitFor(LINKED)
  // Bea let Cy in: the link is spent in Bea's copy of the log, and Cy is a member with Ada's role for it.
  await expect(bea.page.getByText('No open invitations.')).toBeVisible(LINKED)
  const onCyMembers = await openMembers(cy.page)
  await expect(onCyMembers.getByRole('listitem').filter({ hasText: 'Cy (you)' })).toContainText('Editor')
})

/** The stored chunks (snapshot and incremental) of the document that holds the task titled `title` (indexed in lower case). */
const chunksOfTask = (device: Device, title: string) =>
  device.page.evaluate(async (title) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('commonplace-echo')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open'))
    })
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result as T[])
        request.onerror = () => reject(request.error ?? new Error('read'))
      })
    const task = (await all<{ doc: string; id: string; title: string }>('objects')).find(
      (row) => row.title === title.toLowerCase(),
    )
    const chunks = (await all<{ seq: number; key: string[]; data: Uint8Array }>('chunks'))
      .filter(({ key }) => key[0] === task?.doc && (key[1] === 'snapshot' || key[1] === 'incremental'))
      .sort((a, b) => a.seq - b.seq)
    db.close()
    return { doc: task?.doc ?? '', id: task?.id ?? '', chunks: chunks.map(({ data }) => Array.from(data)) }
  }, title)

/** Adds one incremental chunk to a document's storage, as automerge-repo keys it. */
const storeChunk = (device: Device, doc: string, data: Uint8Array) =>
  device.page.evaluate(
    async ([doc, data]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('commonplace-echo')
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('open'))
      })
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('chunks', 'readwrite')
        tx.objectStore('chunks').add({ key: [doc, 'incremental', 'forced-by-e2e'], data: new Uint8Array(data) })
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error ?? new Error('write'))
      })
      db.close()
    },
    [doc, Array.from(data)] as const,
  )

test('a viewer reads live with every write control gone, and its forced change is not applied by the owner', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const onAda = await spaceWithTask(ada, 'Ada', 'Garden plans', 'Written by Ada')
  await onAda.createNote('Plan', 'Beans by the fence')
  await onAda.backToNotes()
  const url = await createLink(ada.page, { role: 'Viewer' })
  await bea.page.goto(url)
  await expect(bea.page.getByTestId('invite-heading')).toHaveText('Ada invited you to Garden plans as a viewer', LINKED)
  await bea.page.getByLabel('Your name').fill('Bea')
  await bea.page.getByRole('button', { name: 'Join' }).click()
  const onBea = new SpacePage(bea.page)
  await onBea.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)
  await onBea.notes.getByText('Plan').waitFor(LINKED)

  // Read-only: no control that writes, the task's box disabled, the note's text read only; live changes arrive.
  const page = bea.page
  await expect(page.getByRole('button', { name: 'Rename space' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Share' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Compact history' })).toHaveCount(0)
  await expect(page.getByPlaceholder('Add a task')).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Add task' })).toHaveCount(0)
  await expect(page.getByPlaceholder('Title of a new note')).toHaveCount(0)
  await expect(onBea.taskCheckbox('Written by Ada')).toBeDisabled()
  await expect(onBea.tasks.getByRole('button')).toHaveCount(0)
  await onAda.addTask('Ada again')
  await onBea.tasks.getByText('Ada again', { exact: true }).waitFor(LINKED)
  await onBea.notes.getByText('Plan').click()
  await expect(page.getByRole('textbox', { name: 'Note text (read only)' })).toHaveAttribute('aria-readonly', 'true')
  await onBea.backToNotes()

  // A change to Ada's task, written into Bea's own storage outside the app; the reloaded app loads and sends it.
  const stored = await chunksOfTask(bea, 'Written by Ada')
  expect(stored.chunks.length, 'stored chunks of the task document').toBeGreaterThan(0)
  const forced = forcedChange(
    stored.chunks.map((chunk) => Uint8Array.from(chunk)),
    (doc) => {
      const objects = doc.objects as Record<string, { fields: { title: string } }>
      const task = objects[stored.id]
      if (task !== undefined) task.fields.title = 'Forced by Bea'
    },
  )
  await storeChunk(bea, stored.doc, forced)
  await page.reload()
  await onBea.tasks.getByText('Forced by Bea', { exact: true }).waitFor(LINKED)

  // Two round trips after Bea is back: each reaches Bea, and Ada's copy never takes Bea's change.
  await onAda.setDone('Written by Ada')
  await expect(onBea.taskCheckbox('Forced by Bea')).toBeChecked(LINKED)
  await onAda.addTask('Third by Ada')
  await onBea.tasks.getByText('Third by Ada', { exact: true }).waitFor(LINKED)
  expect(await onAda.taskTitles()).toEqual(['Written by Ada', 'Ada again', 'Third by Ada'])
  await ada.page.reload()
  await onAda.tasks.getByText('Third by Ada', { exact: true }).waitFor(LINKED)
  expect(await onAda.taskTitles()).toEqual(['Written by Ada', 'Ada again', 'Third by Ada'])
  await expect(onAda.taskCheckbox('Written by Ada')).toBeChecked()
})

test('a guest who opens its link again is not admitted twice; a used or cancelled link stores nothing', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const cy = await openPersistentDevice({ serviceWorkers: 'block' })
  await spaceWithTask(ada, 'Ada', 'Garden plans', 'Written by Ada')
  const url = await createLink(ada.page)
  // Bea opens the link in two tabs, joins in the first, then presses Join in the second.
  const second = await bea.context.newPage()
  await second.goto(url)
  await expect(second.getByTestId('invite-heading')).toContainText('invited you to Garden plans', LINKED)
  await joinWithName(bea, url, 'Bea', 'Written by Ada')
  await expect(ada.page.getByText('No open invitations.')).toBeVisible(LINKED)
  await second.getByLabel('Your name').fill('Bea')
  await second.getByRole('button', { name: 'Join' }).click()
  const inSecond = new SpacePage(second)
  await expect(inSecond.name).toHaveText('Garden plans', LINKED)
  await inSecond.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)

  // The same link again after joining: the space opens, with no Join.
  await bea.page.goto(url)
  const again = new SpacePage(bea.page)
  await expect(again.name).toHaveText('Garden plans', LINKED)
  await again.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)
  await expect(bea.page.getByRole('button', { name: 'Join' })).toHaveCount(0)
  const onAda = await openMembers(ada.page)
  await expect(onAda.getByRole('listitem')).toHaveCount(2, LINKED)
  await expect(memberNamed(onAda, 'Bea')).toHaveCount(1)
  await expect(ada.page.getByRole('button', { name: 'Members (2)' })).toBeVisible()
  expect((await storedState(bea.page)).spaces).toEqual(['Garden plans', 'Personal'])

  // Someone else with the spent link: refused in words, and nothing of it is kept.
  await cy.page.goto(url)
  await expect(cy.page.getByTestId('invite-state')).toHaveText(
    'This invitation has already been used. Ask the person who sent it for a new link.',
    LINKED,
  )
  await expect(cy.page.getByText('Nothing was stored on this device.')).toBeVisible()
  expect(await storedState(cy.page), 'records stored after a used link').toEqual({ halo: 0, documents: [], spaces: [] })

  // With an identity of its own, a cancelled link leaves its spaces as they were.
  await cy.page.goto('/')
  await new IdentityPage(cy.page).createAndContinue('Cy')
  const before = await storedState(cy.page)
  const cancelled = await createLink(ada.page)
  await ada.page.getByRole('button', { name: 'Cancel the editor invitation' }).click()
  await expect(ada.page.getByText('No open invitations.')).toBeVisible()
  await cy.page.goto(cancelled)
  await expect(cy.page.getByTestId('invite-state')).toHaveText(
    'This invitation was cancelled. Ask the person who sent it for a new link.',
    LINKED,
  )
  const after = await storedState(cy.page)
  expect(after.spaces).toEqual(['Personal'])
  expect({ ...after, documents: new Set(after.documents) }, 'stored after a cancelled link').toEqual({
    ...before,
    documents: new Set(before.documents),
  })
})
