import type { Locator, Page } from '@playwright/test'

/** Onboarding, restore and the identity panel, as a person uses them. */
export class IdentityPage {
  readonly page: Page
  readonly createHeading: Locator
  readonly nameInput: Locator
  readonly createButton: Locator
  readonly fingerprint: Locator
  readonly displayName: Locator
  readonly recoveryPhrase: Locator
  readonly formError: Locator
  readonly backupNotice: Locator
  readonly phraseField: Locator
  readonly restoreFingerprint: Locator

  constructor(page: Page) {
    this.page = page
    this.createHeading = page.getByRole('heading', { name: 'Create your identity' })
    this.nameInput = page.getByLabel('Your name')
    this.createButton = page.getByRole('button', { name: 'Create my identity' })
    this.fingerprint = page.getByTestId('fingerprint')
    this.displayName = page.getByTestId('display-name')
    this.recoveryPhrase = page.getByTestId('recovery-phrase')
    this.formError = page.getByRole('alert')
    this.backupNotice = page.getByRole('heading', { name: 'Your identity has no backup yet' })
    // Only the form that asks now: others sit in closed sections.
    this.restoreFingerprint = page.getByTestId('restore-fingerprint')
    this.phraseField = page.getByLabel('Your recovery phrase (12 words)').filter({ visible: true })
  }

  /** First run up to the recovery phrase offer. */
  async create(name: string): Promise<void> {
    await this.nameInput.fill(name)
    await this.createButton.click()
    await this.page.getByRole('heading', { name: 'Your identity is ready' }).waitFor()
  }

  /** Shows the phrase (in the offer or the notice), reads it and says it is saved; returns the words. */
  async saveRecoveryPhrase(): Promise<string> {
    await this.page.getByRole('button', { name: 'Save your recovery phrase' }).click()
    const words = await this.shownPhrase()
    await this.page.getByRole('button', { name: "I've saved it" }).click()
    return words
  }

  async createAndContinue(name: string): Promise<void> {
    await this.create(name)
    await this.page.getByRole('button', { name: /^Later/ }).click()
    await this.fingerprint.waitFor()
  }

  /** Before the backup is saved the phrase shows at once; after, `phrase` is typed first, as the app asks. */
  async revealRecoveryPhrase(phrase?: string): Promise<string> {
    await this.page.getByText('Recovery phrase', { exact: true }).click()
    await this.page.getByRole('button', { name: 'Show my recovery phrase' }).click()
    if (phrase !== undefined) {
      await this.phraseField.fill(phrase)
      await this.page.getByRole('button', { name: 'Show my recovery phrase' }).click()
    }
    return this.shownPhrase()
  }

  /** The words on screen, once all twelve are there (they appear after the click's work is done). */
  private async shownPhrase(): Promise<string> {
    const words = this.recoveryPhrase.getByRole('listitem')
    await words.nth(11).waitFor()
    return (await words.allTextContents()).join(' ')
  }

  async openRestore(method: 'Recovery phrase' | 'Identity file'): Promise<void> {
    await this.page.getByRole('button', { name: 'I already have an identity' }).click()
    await this.page.getByRole('radio', { name: method }).check()
  }

  /** Fills the phrase and asks which identity it is; nothing is written yet. */
  async checkPhrase(phrase: string, name = ''): Promise<void> {
    await this.openRestore('Recovery phrase')
    await this.page.getByLabel('Recovery phrase (12 words)').fill(phrase)
    await this.page.getByLabel('Your name').fill(name)
    await this.page.getByRole('button', { name: 'Restore identity' }).click()
  }

  /** Says yes to "Is this your identity?". */
  async confirmRestore(): Promise<void> {
    await this.page.getByRole('button', { name: 'Yes, restore this identity' }).click()
  }

  async restoreFromPhrase(phrase: string, name = ''): Promise<void> {
    await this.checkPhrase(phrase, name)
    await this.confirmRestore()
  }

  /** `phrase` is needed once the backup is saved. */
  async exportFile(password: string, phrase?: string): Promise<string> {
    await this.page.getByText('Identity file', { exact: true }).click()
    if (phrase !== undefined) await this.phraseField.fill(phrase)
    await this.page.getByLabel('Password', { exact: true }).fill(password)
    await this.page.getByLabel('Repeat password').fill(password)
    const download = this.page.waitForEvent('download')
    await this.page.getByRole('button', { name: 'Save identity file' }).click()
    const path = await (await download).path()
    await this.page.getByText('Identity file saved.').waitFor()
    return path
  }

  async importFile(path: string, password: string): Promise<void> {
    await this.openRestore('Identity file')
    await this.page.getByLabel('Your identity file').setInputFiles(path)
    await this.page.getByLabel('File password').fill(password)
    await this.page.getByRole('button', { name: 'Restore identity' }).click()
  }

  async importFileAndConfirm(path: string, password: string): Promise<void> {
    await this.importFile(path, password)
    await this.confirmRestore()
  }

  async deviceNames(): Promise<string[]> {
    const list = this.page.getByRole('list', { name: 'Devices' })
    if (!(await list.isVisible())) await this.page.getByText('Devices', { exact: true }).click()
    const names = list.locator('.device-name')
    await names.first().waitFor()
    return names.allTextContents()
  }

  /** Deletes one record (or, with no key, every record) of a table of HALO's database, as a damaged profile would. */
  async damageStore(table: 'secrets' | 'wrapping', key?: string): Promise<void> {
    await this.page.evaluate(
      ([name, record]) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('commonplace-halo')
          open.onsuccess = () => {
            const tx = open.result.transaction(name, 'readwrite')
            const store = tx.objectStore(name)
            if (record === undefined) store.clear()
            else store.delete(record)
            tx.oncomplete = () => {
              open.result.close()
              resolve()
            }
            tx.onerror = () => reject(new Error(String(tx.error)))
          }
          open.onerror = () => reject(new Error(String(open.error)))
        }),
      [table, key] as const,
    )
  }
}
