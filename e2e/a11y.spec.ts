import { expectAccessible, expectFieldError } from './a11y.ts'
import { expect, test } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test('onboarding and restore are accessible in light and dark, with their errors on the fields', async ({ page }) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await expect(identity.createHeading).toBeVisible()
  await expectAccessible(page, 'onboarding')

  await identity.createButton.click()
  await expectFieldError(identity.nameInput, 'Please enter a name.')
  // Announced once: the error on the field is the only alert.
  const error = page.getByRole('alert')
  await expect(error).toHaveText('Please enter a name.')
  // Inside a region an error keeps the text colour, not the muted colour of the region's prose.
  const text = await identity.createHeading.evaluate((heading) => getComputedStyle(heading).color)
  await expect(error).toHaveCSS('color', text)
  await expectAccessible(page, 'onboarding with a form error')

  await identity.checkPhrase('these are not twelve words')
  await expect(page.getByRole('alert')).toContainText('12 words')
  await expectAccessible(page, 'restore from a phrase with a form error')

  await page.getByRole('radio', { name: 'Identity file' }).check()
  await page.getByRole('button', { name: 'Restore identity' }).click()
  await expectFieldError(page.getByLabel('Your identity file'), 'Choose your identity file first.')
  await expectAccessible(page, 'restore from a file with a form error')
})

test('identity, space, note and settings are accessible in light and dark, with errors and danger buttons', async ({
  page,
}) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await identity.createAndContinue('Ada')

  // Identity: a refused export names the password field.
  await page.getByText('Identity file', { exact: true }).click()
  const password = page.getByLabel('Password', { exact: true })
  await password.fill('short')
  await page.getByRole('button', { name: 'Save identity file' }).click()
  await expectFieldError(password, 'Use a password of at least 8 characters.')
  await page.getByText('Devices', { exact: true }).click()
  await expectAccessible(page, 'identity with a form error')

  // A space with tasks (each with its danger Delete button) and a refused rename.
  const space = new SpacePage(page)
  await space.createSpace('Garden')
  await space.addTask('Dig the beds')
  await space.addTask('Sow the beans')
  await expect(page.getByRole('button', { name: 'Delete “Dig the beds”' })).toHaveClass(/danger/)
  await page.getByRole('button', { name: 'Rename space' }).click()
  await page.getByLabel('Space name').fill('  ')
  await page.getByRole('button', { name: 'Save name' }).click()
  await expect(page.getByRole('alert')).toHaveText('A space needs a name.')
  await expectAccessible(page, 'space with a form error and danger buttons')

  // A note, with its danger Delete button.
  await space.createNote('Seeds to buy', 'Tomatoes and beans.')
  await expect(page.getByRole('button', { name: 'Delete note' })).toBeVisible()
  await expectAccessible(page, 'note')

  // Settings: each problem on the box it names, focus on the first.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  const workers = page.getByLabel('Signal workers (one per line)')
  const stun = page.getByLabel('STUN servers (optional, one per line)')
  await workers.fill('http://not-a-relay.example')
  await stun.fill('not a url')
  await page.getByRole('button', { name: 'Save connection settings' }).click()
  await expectFieldError(workers, 'must start with wss://')
  await expect(stun).toHaveAttribute('aria-invalid', 'true')
  await expect(stun).toHaveAccessibleDescription(/"not a url" is not a URL/)
  await expect(page.getByLabel('Public Nostr relays beside ours (optional, one per line)')).not.toHaveAttribute(
    'aria-invalid',
    'true',
  )
  await expectAccessible(page, 'settings with field errors')
})
