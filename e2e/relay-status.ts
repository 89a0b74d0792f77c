/** Settings' relay status, as the specs of a hostile or killed relay read it. */
import type { Locator, Page } from '@playwright/test'
import { expect, type Device } from './fixtures.ts'

/** The words Settings shows for the relay at `url`. */
export const relayWords = (page: Page, url: string): Locator =>
  page
    .getByRole('list', { name: 'Relay status' })
    .getByRole('listitem')
    .filter({ hasText: url })
    .getByTestId('relay-words')

/** A page on Settings, reached inside the app (no reload: the page's relay sockets stay as they are). */
export const toSettings = async (page: Page): Promise<void> => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Relay status' })).toBeVisible()
}

/** Saves `urls` as the device's signal workers and reloads, so its mesh starts with them. */
export const useRelays = async (device: Device, urls: readonly string[]): Promise<void> => {
  await toSettings(device.page)
  await device.page.getByLabel('Signal workers (one per line)').fill(urls.join('\n'))
  await device.page.getByRole('button', { name: 'Save connection settings' }).click()
  await expect(device.page.getByText('Connection settings saved.')).toBeVisible()
  await device.page.reload()
}
