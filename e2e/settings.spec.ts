import { expectAccessible } from './a11y.ts'
import { expect, test } from './fixtures.ts'

test('connection settings show the build defaults, refuse bad URLs, and keep saved values', async ({
  page,
  signal,
}) => {
  await page.goto('/')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(/#\/settings$/)
  const workers = page.getByLabel('Signal workers (one per line)')
  // The build points at the suite's local worker.
  await expect(workers).toHaveValue(signal.relayUrl)
  await expectAccessible(page, 'settings')

  await workers.fill('http://not-a-relay.example')
  await page.getByRole('button', { name: 'Save connection settings' }).click()
  await expect(page.getByRole('alert')).toContainText('must start with wss://')

  // The page's connect-src lists only this build's relay origins: another relay would be blocked, so it is refused.
  const origin = new URL(signal.relayUrl).origin
  await expect(page.getByText(`This build may connect only to relays on ${origin}`)).toBeVisible()
  await workers.fill('wss://signal.example.org/r/team')
  await page.getByRole('button', { name: 'Save connection settings' }).click()
  await expect(page.getByRole('alert')).toContainText(`this app may only connect to ${origin}`)

  // Another shard on an allowed origin is fine.
  await workers.fill(`${origin}/r/team`)
  await page.getByLabel('STUN servers (optional, one per line)').fill('stun:stun.example.org:3478')
  await page.getByRole('button', { name: 'Save connection settings' }).click()
  await expect(page.getByText('Connection settings saved.')).toBeVisible()

  await page.reload()
  await expect(workers).toHaveValue(`${origin}/r/team`)
  await expect(page.getByLabel('STUN servers (optional, one per line)')).toHaveValue('stun:stun.example.org:3478')

  await page.getByRole('button', { name: 'Reset to defaults' }).click()
  await expect(workers).toHaveValue(signal.relayUrl)
  await expect(page.getByRole('button', { name: 'Reset to defaults' })).toBeHidden()
})
