import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { expectAccessible } from './a11y.ts'
import { expect, test } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'

test('a fresh profile creates an identity, is offered the phrase, and keeps the identity after a reload', async ({
  page,
}) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await expect(identity.createHeading).toBeVisible()
  await expectAccessible(page, 'onboarding')

  // An empty name is refused with a reason, and nothing is created.
  await identity.createButton.click()
  await expect(identity.formError).toHaveText('Please enter a name.')

  await identity.create('Ada')
  // "I've saved it" is offered only once the words are on screen.
  await expect(page.getByRole('button', { name: "I've saved it" })).toBeHidden()
  expect((await identity.saveRecoveryPhrase()).split(' ')).toHaveLength(12)
  await expect(identity.backupNotice).toBeHidden()

  await expect(identity.displayName).toHaveText('Ada')
  const fingerprint = await identity.fingerprint.textContent()
  expect(fingerprint).toMatch(/\S/)
  await expectAccessible(page, 'identity after the backup')

  await page.getByRole('button', { name: 'Edit profile' }).click()
  await identity.nameInput.fill('Ada Lovelace')
  await page.getByRole('button', { name: 'Save profile' }).click()
  await expect(identity.displayName).toHaveText('Ada Lovelace')

  await page.reload()
  await expect(identity.fingerprint).toHaveText(fingerprint ?? '')
  await expect(identity.displayName).toHaveText('Ada Lovelace')
  expect(await identity.deviceNames()).toEqual([expect.stringContaining('this device')])
})

test('two tabs creating at the same moment end with exactly one identity', async ({ context }) => {
  const tabs = [await context.newPage(), await context.newPage()] as const
  const identities = tabs.map((tab) => new IdentityPage(tab))
  await Promise.all(tabs.map((tab) => tab.goto('/')))
  await Promise.all(identities.map((identity, i) => identity.nameInput.fill(`Tab ${i}`)))
  // Both submit in the same moment. A tab that hears of the other's identity first adopts it and
  // leaves onboarding, so its own submit may find no form any more: that is the point.
  await Promise.all(
    tabs.map((tab) => tab.evaluate(() => document.querySelector<HTMLFormElement>('form.form')?.requestSubmit())),
  )
  // Exactly one tab made the identity and offers its recovery phrase; the other shows the adopted identity.
  const [tabA, tabB] = tabs
  const offer = (tab: Page) => tab.getByRole('heading', { name: 'Your identity is ready' })
  await expect.poll(async () => (await offer(tabA).isVisible()) || (await offer(tabB).isVisible())).toBe(true)
  const [maker, adopter] = (await offer(tabA).isVisible()) ? [tabA, tabB] : [tabB, tabA]
  await maker.getByRole('button', { name: /^Later/ }).click()
  await expect(adopter.getByTestId('fingerprint')).toBeVisible()
  await expect(offer(adopter)).toBeHidden()

  const [first, second] = identities
  if (!first || !second) throw new Error('two tabs expected')
  await expect(first.fingerprint).toHaveText(/\S/)
  await expect(second.fingerprint).toHaveText((await first.fingerprint.textContent()) ?? '')
  // One device, one identity: the losing tab adopted the winner's identity.
  expect(await first.deviceNames()).toHaveLength(1)
  await second.page.reload()
  await expect(second.fingerprint).toHaveText((await first.fingerprint.textContent()) ?? '')
})

/**
 * The phrase's own words in an order its checksum refuses. Any reordering (the reversed phrase, say)
 * passes the 4-bit checksum one time in 16 and then restores some other identity, so the test picks
 * the first rotation the checksum refuses.
 */
const reorderedPastTheChecksum = (phrase: string): string => {
  const words = phrase.split(' ')
  for (let shift = 1; shift < words.length; shift++) {
    const rotated = [...words.slice(shift), ...words.slice(0, shift)].join(' ')
    if (!validateMnemonic(rotated, wordlist)) return rotated
  }
  throw new Error('every rotation of the phrase passes its checksum')
}

test('the recovery phrase restores the same identity in another browser profile', async ({ page, openDevices }) => {
  const original = new IdentityPage(page)
  await page.goto('/')
  await original.createAndContinue('Grace')
  const fingerprint = (await original.fingerprint.textContent()) ?? ''
  const phrase = await original.revealRecoveryPhrase()

  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  const restored = new IdentityPage(other.page)
  await other.page.goto('/')

  // A wrong phrase is refused clearly and changes nothing.
  await restored.checkPhrase(reorderedPastTheChecksum(phrase))
  await expect(restored.formError).toContainText('These words do not fit together')
  await other.page.reload()
  await expect(restored.createHeading).toBeVisible()

  await restored.restoreFromPhrase(phrase, 'Grace')
  await expect(restored.fingerprint).toHaveText(fingerprint)
  await expect(restored.displayName).toHaveText('Grace')
  // The restored browser is a new device of the same identity (the phrase carries no device list;
  // the others' credentials arrive when the personal space syncs).
  const [thisDevice] = await restored.deviceNames()
  expect(thisDevice).toContain('this device')
})

/** A one-word change of `phrase` that still passes the BIP-39 checksum (about 1 in 16 do). */
const typoThatPasses = (phrase: string): string => {
  const words = phrase.split(' ')
  const typo = wordlist
    .map((word) => [...words.slice(0, 11), word].join(' '))
    .find((candidate) => candidate !== phrase && validateMnemonic(candidate, wordlist))
  if (typo === undefined) throw new Error('no passing typo')
  return typo
}

test('a typo that passes the checksum shows another fingerprint, and nothing is written until the person says yes', async ({
  page,
  openDevices,
}) => {
  const original = new IdentityPage(page)
  await page.goto('/')
  await original.createAndContinue('Joan')
  const fingerprint = (await original.fingerprint.textContent()) ?? ''
  const phrase = await original.revealRecoveryPhrase()

  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  const restored = new IdentityPage(other.page)
  await other.page.goto('/')
  await restored.checkPhrase(typoThatPasses(phrase), 'Joan')
  await expect(other.page.getByRole('heading', { name: 'Is this your identity?' })).toBeVisible()
  await expect(restored.restoreFingerprint).toHaveText(/\S/)
  await expect(restored.restoreFingerprint).not.toHaveText(fingerprint)
  await expect(other.page.getByTestId('restore-name')).toHaveText(
    'No name is known for this identity on this browser yet.',
  )
  await expectAccessible(other.page, 'restore: is this your identity?')

  // Back to the words: they are kept to correct, and nothing was stored.
  await other.page.getByRole('button', { name: 'No, check my words' }).click()
  await other.page.getByLabel('Recovery phrase (12 words)').fill(phrase)
  await other.page.getByRole('button', { name: 'Restore identity' }).click()
  await expect(restored.restoreFingerprint).toHaveText(fingerprint)
  await other.page.reload()
  await expect(restored.createHeading).toBeVisible()

  await restored.restoreFromPhrase(phrase, 'Joan')
  await expect(restored.fingerprint).toHaveText(fingerprint)
})

test('a damaged store whose identity key still opens is never replaced by a restore of another identity', async ({
  page,
}) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await identity.createAndContinue('Lise')
  const fingerprint = (await identity.fingerprint.textContent()) ?? ''
  const phrase = await identity.revealRecoveryPhrase()
  // Lose the device key only: the identity key (no backup saved yet) still opens.
  await identity.damageStore('secrets', 'device')
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Your identity could not be opened' })).toBeVisible()

  await page.getByLabel('Recovery phrase (12 words)').fill(typoThatPasses(phrase))
  await page.getByRole('button', { name: 'Restore identity' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'still holds another identity' })).toContainText(fingerprint)
  await expect(page.getByRole('button', { name: 'Yes, restore this identity' })).toBeHidden()

  await page.getByRole('button', { name: 'No, check my words' }).click()
  await page.getByLabel('Recovery phrase (12 words)').fill(phrase)
  await page.getByRole('button', { name: 'Restore identity' }).click()
  await expect(page.getByText('This browser held this identity')).toBeVisible()
  await identity.confirmRestore()
  await expect(identity.fingerprint).toHaveText(fingerprint)
  await expect(identity.displayName).toHaveText('Lise')
})

test('an exported identity file imports in another profile; a wrong password or damaged file changes nothing', async ({
  page,
  openDevices,
}, testInfo) => {
  const original = new IdentityPage(page)
  await page.goto('/')
  await original.createAndContinue('Hedy')
  const fingerprint = (await original.fingerprint.textContent()) ?? ''
  const file = await original.exportFile('correct horse battery')

  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  const imported = new IdentityPage(other.page)
  await other.page.goto('/')

  await imported.importFile(file, 'wrong password')
  await expect(imported.formError).toContainText(/password/i)
  await other.page.reload()
  await expect(imported.createHeading).toBeVisible()

  await mkdir(testInfo.outputDir, { recursive: true })
  const damaged = join(testInfo.outputDir, 'damaged.json')
  const text = await readFile(file, 'utf8')
  await writeFile(damaged, text.slice(0, Math.floor(text.length / 2)))
  await imported.importFile(damaged, 'correct horse battery')
  await expect(imported.formError).toBeVisible()
  await other.page.reload()
  await expect(imported.createHeading).toBeVisible()

  // Before anything is written, the file's identity is shown by fingerprint and name.
  await imported.importFile(file, 'correct horse battery')
  await expect(imported.restoreFingerprint).toHaveText(fingerprint)
  await expect(other.page.getByTestId('restore-name')).toHaveText('Name: Hedy')
  await imported.confirmRestore()
  await expect(imported.fingerprint).toHaveText(fingerprint)
  await expect(imported.displayName).toHaveText('Hedy')
})

test('a damaged key store shows recovery options and never a silent new identity', async ({ page }) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await identity.createAndContinue('Katherine')
  const fingerprint = (await identity.fingerprint.textContent()) ?? ''
  const phrase = await identity.revealRecoveryPhrase()

  // Lose the wrapping key, as a partly cleared profile would.
  await identity.damageStore('wrapping')
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Your identity could not be opened' })).toBeVisible()
  await expect(identity.createHeading).toBeHidden()

  await page.getByLabel('Recovery phrase (12 words)').fill(phrase)
  await page.getByRole('button', { name: 'Restore identity' }).click()
  await expect(page.getByText('This browser held this identity')).toBeVisible()
  await identity.confirmRestore()
  await expect(identity.fingerprint).toHaveText(fingerprint)
})

test('devices: this one can be renamed, another one revoked with the recovery phrase', async ({
  page,
  openDevices,
}) => {
  const original = new IdentityPage(page)
  await page.goto('/')
  await original.createAndContinue('Ida')
  const phrase = await original.revealRecoveryPhrase()
  const file = await original.exportFile('correct horse battery')

  // A second browser with the identity file knows the first device too. It never stores the
  // identity secret (the person holds the file), so revoking asks for the phrase.
  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  const second = new IdentityPage(other.page)
  await other.page.goto('/')
  await second.importFileAndConfirm(file, 'correct horse battery')
  await expect(second.fingerprint).toBeVisible()
  expect(await second.deviceNames()).toHaveLength(2)

  const devices = other.page.getByRole('list', { name: 'Devices' })
  // This device is listed first; while it is being renamed its label is an input.
  const thisDevice = devices.getByRole('listitem').first()
  await expect(thisDevice).toContainText('this device')
  await thisDevice.getByRole('button', { name: /^Rename/ }).click()
  await thisDevice.getByRole('textbox').fill('Work laptop')
  await thisDevice.getByRole('button', { name: 'Save' }).click()
  await expect(thisDevice).toContainText('Work laptop')

  const firstDevice = devices.getByRole('listitem').nth(1)
  await firstDevice.getByRole('button', { name: /^Revoke/ }).click()
  await second.phraseField.fill(phrase)
  await firstDevice.getByRole('button', { name: /^Revoke/ }).click()
  await expect(firstDevice).toContainText('revoked')

  await other.page.reload()
  expect(await second.deviceNames()).toEqual([
    expect.stringContaining('Work laptop'),
    expect.stringContaining('revoked'),
  ])
})

test('a new identity has no backup until the phrase is saved; then showing it, exporting and revoking ask for it', async ({
  page,
  openDevices,
}) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await identity.createAndContinue('Mary')
  await expect(identity.backupNotice).toBeVisible()
  await expectAccessible(page, 'identity with the backup notice')
  await page.reload()
  await expect(identity.backupNotice).toBeVisible()
  // Away from the home screen it stays in view as one line that leads back.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('link', { name: 'Save your recovery phrase' }).click()
  await expect(identity.backupNotice).toBeVisible()

  const phrase = await identity.saveRecoveryPhrase()
  await expect(identity.backupNotice).toBeHidden()
  await page.reload()
  await expect(identity.fingerprint).toBeVisible()
  await expect(identity.backupNotice).toBeHidden()

  // The phrase is no longer on this device: showing it asks for it, and a wrong one is refused.
  await page.getByText('Recovery phrase', { exact: true }).click()
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  await expect(identity.phraseField).toBeVisible()
  await expectAccessible(page, 'identity asking for the phrase')
  await identity.phraseField.fill(phrase.split(' ').reverse().join(' '))
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  await expect(identity.formError).toBeVisible()
  await expect(identity.recoveryPhrase).toBeHidden()
  await identity.phraseField.fill(phrase)
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  await expect(identity.recoveryPhrase.getByRole('listitem')).toHaveText(phrase.split(' '))
  await expect(page.getByText('That is your recovery phrase.')).toBeVisible()

  // Exporting asks for it too; the file then brings the identity to a second browser.
  const file = await identity.exportFile('correct horse battery', phrase)
  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  const second = new IdentityPage(other.page)
  await other.page.goto('/')
  await second.importFileAndConfirm(file, 'correct horse battery')
  await expect(second.fingerprint).toHaveText((await identity.fingerprint.textContent()) ?? '')
  await expect(second.backupNotice).toBeHidden()

  // Revoking the first browser from the second asks for the phrase; without it nothing changes.
  expect(await second.deviceNames()).toHaveLength(2)
  const firstDevice = other.page.getByRole('list', { name: 'Devices' }).getByRole('listitem').nth(1)
  await firstDevice.getByRole('button', { name: /^Revoke/ }).click()
  await expect(second.phraseField).toBeVisible()
  await firstDevice.getByRole('button', { name: /^Revoke/ }).click()
  await expect(firstDevice.getByRole('alert')).toBeVisible()
  await expect(firstDevice).not.toContainText('revoked')
  await second.phraseField.fill(phrase)
  await firstDevice.getByRole('button', { name: /^Revoke/ }).click()
  await expect(firstDevice).toContainText('revoked')
})

test('after the backup the identity key can be kept behind a passphrase, asked for instead of the phrase', async ({
  page,
}) => {
  const identity = new IdentityPage(page)
  await page.goto('/')
  await identity.create('Nell')
  const phrase = await identity.saveRecoveryPhrase()
  await expect(identity.fingerprint).toBeVisible()
  await expect(identity.backupNotice).toBeHidden()

  await page.getByText('Passphrase on this device', { exact: true }).click()
  await identity.phraseField.fill(phrase)
  await page.getByLabel('New passphrase').fill('river glass lantern')
  await page.getByLabel('Repeat passphrase').fill('river glass lantern')
  await page.getByRole('button', { name: 'Keep it behind this passphrase' }).click()
  await expect(page.getByText('This device keeps your identity key behind your passphrase.')).toBeVisible()

  await page.reload()
  await page.getByText('Recovery phrase', { exact: true }).click()
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  const passphrase = page.getByLabel('Your passphrase for this device').filter({ visible: true })
  await passphrase.fill('not the passphrase')
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  await expect(identity.formError).toContainText(/password/i)
  await expect(identity.recoveryPhrase).toBeHidden()
  await expectAccessible(page, 'identity with a wrong passphrase')
  await passphrase.fill('river glass lantern')
  await page.getByRole('button', { name: 'Show my recovery phrase' }).click()
  await expect(identity.recoveryPhrase.getByRole('listitem')).toHaveText(phrase.split(' '))
})

test('a browser that refuses storage gets a clear explanation, not an endless wait', async ({ page }) => {
  // What a browser with site data blocked does: every attempt to open IndexedDB fails.
  await page.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError')
    }
  })
  await page.goto('/')
  await expect(page.getByRole('heading', { name: "This browser won't let Commonplace store anything" })).toBeVisible()
  await expect(page.getByText('What the browser said:')).toContainText('denied permission')
  await expect(page.getByRole('heading', { name: 'Create your identity' })).toBeHidden()
})
