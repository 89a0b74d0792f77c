import { expectAccessible } from './a11y.ts'
import { expect, test } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test('the Members panel lists the owner, says why the only owner cannot leave, and keeps focus', async ({ page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Ada')
  await new SpacePage(page).createSpace('Garden plans')

  const open = page.getByRole('button', { name: 'Members (1)' })
  await expect(open).toHaveAttribute('aria-expanded', 'false')
  await open.click()
  await expect(open).toHaveAttribute('aria-expanded', 'true')
  const panel = page.getByRole('region', { name: 'Members' })
  await expect(panel.getByRole('heading', { name: 'Members' })).toBeFocused()
  await expect(panel.getByRole('listitem')).toContainText(['Ada (you)'])
  await expect(panel.getByRole('listitem')).toContainText(['Owner'])
  await expect(panel.getByRole('listitem')).toContainText(['Fingerprint'])
  await expectAccessible(page, 'members panel')

  // Keyboard only: Leave, then the confirm button (focused), refused with the words for the only owner.
  await panel.getByRole('button', { name: 'Leave' }).press('Enter')
  const confirm = panel.getByRole('button', { name: 'Leave space' })
  await expect(confirm).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(panel.getByRole('alert')).toHaveText(
    'You are the only owner of this space: make someone else an owner before you leave.',
  )
  await expectAccessible(page, 'members panel with a refused leave')

  await page.keyboard.press('Escape')
  await expect(panel).toBeHidden()
  await expect(open).toBeFocused()
})
