/**
 * Sharing with the keyboard only, between two persistent profiles over real WebRTC through the local signal
 * worker: the owner makes an invite link in the Share panel and the guest joins with Tab, Enter and typing, focus
 * always on a visible control (never dropped to the page); axe in light and dark on the Share panel with an open
 * invitation listed, the join screen (expired and found) and the Members list of two.
 */
import type { Locator, Page } from '@playwright/test'
import { expectAccessible } from './a11y.ts'
import { expect, test } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED } from './linked-devices.ts'
import { SpacePage } from './pages/space-page.ts'
import { createLink, spaceWithTask } from './sharing.ts'

test.describe.configure({ mode: 'default', timeout: 180_000 })

/** What has focus: its tag, its accessible name as the page words it, and whether focus is drawn on it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement
    return {
      tag: active?.tagName.toLowerCase() ?? 'none',
      text: (active?.getAttribute('aria-label') ?? active?.textContent ?? '').trim(),
      visible: active !== null && active !== document.body && active.matches(':focus-visible'),
    }
  })

/** Presses Tab until `target` has focus (at most 80 times), and checks that focus is drawn on it. */
const tabTo = async (page: Page, target: Locator): Promise<void> => {
  for (let presses = 0; presses < 80; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) break
    await page.keyboard.press('Tab')
  }
  await expect(target).toBeFocused()
  expect((await focused(page)).visible, 'focus drawn on the control').toBe(true)
}

/** Focus is on an element of the page, not dropped to its body. */
const expectFocusKept = async (page: Page, after: string): Promise<void> => {
  const now = await focused(page)
  expect(['body', 'none'], `focus after ${after}: ${JSON.stringify(now)}`).not.toContain(now.tag)
}

/** The same link with its expiry (the payload's last 4 bytes, unix seconds) an hour ago. */
const expiredCopy = (url: string): string => {
  const [origin, payload = ''] = url.split('/#/join/')
  const bytes = Buffer.from(payload, 'base64url')
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - 3600, bytes.length - 4)
  return `${origin ?? ''}/#/join/${bytes.toString('base64url')}`
}

test('an invite made and a space joined with the keyboard only, focus kept; axe on share, join and members', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const onAda = await spaceWithTask(ada, 'Ada', 'Garden plans', 'Written by Ada')
  const a = ada.page

  // Ada: Share, Viewer, then Create invite link, all from the keyboard.
  await tabTo(a, a.getByRole('button', { name: 'Share' }))
  await a.keyboard.press('Enter')
  await expect(a.getByRole('heading', { name: 'Share this space' })).toBeFocused()
  // Tab reaches a radio group at its checked choice (Editor, the default); an arrow key moves to the next.
  await tabTo(a, a.getByRole('radio', { name: 'Editor' }))
  await a.keyboard.press('ArrowDown')
  await expect(a.getByRole('radio', { name: 'Viewer' })).toBeChecked()
  await tabTo(a, a.getByRole('button', { name: 'Create invite link' }))
  await a.keyboard.press('Enter')
  await expect(a.getByRole('heading', { name: 'Invite link' })).toBeFocused()
  const url = (await a.getByTestId('invite-url').textContent()) ?? ''
  await expect(a.getByTestId('open-invitations')).toContainText('Viewer · 1 use left')
  await expectAccessible(a, 'the share panel with an open invitation')
  // Copy link with Space: focus stays on it.
  await tabTo(a, a.getByRole('button', { name: 'Copy link' }))
  await a.keyboard.press('Space')
  await expectFocusKept(a, 'Copy link')

  // Bea: an expired copy first (its screen with axe), then the link itself, joined with Tab, typing and Enter.
  const b = bea.page
  await b.goto(expiredCopy(url))
  await expect(b.getByRole('heading', { name: 'This invitation has expired' })).toBeVisible()
  await expectAccessible(b, 'the join screen of an expired invitation')
  await b.goto(url)
  await expect(b.getByTestId('invite-heading')).toHaveText('Ada invited you to Garden plans as a viewer', LINKED)
  await expectAccessible(b, 'the join screen')
  await tabTo(b, b.getByLabel('Your name'))
  await b.keyboard.type('Bea')
  await b.keyboard.press('Enter')
  const onBea = new SpacePage(b)
  await expect(onBea.name).toHaveText('Garden plans', LINKED)
  await onBea.tasks.getByText('Written by Ada', { exact: true }).waitFor(LINKED)
  await onAda.addTask('Seen by Bea')
  await onBea.tasks.getByText('Seen by Bea', { exact: true }).waitFor(LINKED)
  await expectFocusKept(b, 'joining')

  // Ada: Members from the keyboard; the list of two (with Bea's role and Remove) passes axe; Escape closes it.
  await expect(a.getByText('No open invitations.')).toBeVisible(LINKED)
  await createLink(a, { uses: 5 })
  const members = a.getByRole('button', { name: 'Members (2)' })
  await tabTo(a, members)
  await a.keyboard.press('Enter')
  const panel = a.getByRole('region', { name: 'Members' })
  await expect(panel.getByRole('heading', { name: 'Members' })).toBeFocused()
  await expect(panel.getByLabel('Role of Bea')).toHaveValue('viewer', LINKED)
  await expectAccessible(a, 'the members list of two')
  // Remove with a link open: the confirmation offers to cancel it, checked, and passes axe; Cancel gives focus back.
  await tabTo(a, panel.getByRole('button', { name: 'Remove' }))
  await a.keyboard.press('Enter')
  await expect(panel.getByRole('button', { name: 'Remove Bea' })).toBeFocused()
  await expect(panel.getByRole('checkbox', { name: /^Also cancel the open invitation link/ })).toBeChecked()
  await expectAccessible(a, 'the removal’s confirmation with its offer to cancel the open link')
  await tabTo(a, panel.getByRole('button', { name: 'Cancel', exact: true }))
  await a.keyboard.press('Enter')
  await expect(panel.getByRole('button', { name: 'Remove' })).toBeFocused()
  await tabTo(a, panel.getByLabel('Role of Bea'))
  await a.keyboard.press('Escape')
  await expect(panel).toBeHidden()
  await expect(members).toBeFocused()
})
