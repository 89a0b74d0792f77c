import { expect, type Locator, type Page } from '@playwright/test'

/** A space as a person works in it: notes, tasks, search. */
export class SpacePage {
  readonly page: Page
  readonly name: Locator
  readonly search: Locator
  readonly notes: Locator
  readonly tasks: Locator
  readonly noteText: Locator
  readonly noteTitle: Locator

  constructor(page: Page) {
    this.page = page
    this.name = page.getByTestId('space-name')
    this.search = page.getByLabel('Search notes and tasks')
    this.notes = page.getByRole('list', { name: 'Notes' })
    this.tasks = page.getByRole('list', { name: 'Tasks' })
    this.noteText = page.getByRole('textbox', { name: 'Note text' })
    this.noteTitle = page.getByLabel('Title', { exact: true })
  }

  /** From the home screen: makes a space and opens it. */
  async createSpace(name: string): Promise<void> {
    await this.page.getByPlaceholder('Name of a new space').fill(name)
    await this.page.getByRole('button', { name: 'Create space' }).click()
    await this.name.filter({ hasText: name }).waitFor()
  }

  async createNote(title: string, text: string): Promise<void> {
    await this.page.getByPlaceholder('Title of a new note').fill(title)
    await this.page.getByRole('button', { name: 'New note' }).click()
    await this.noteText.click()
    await this.page.keyboard.type(text)
  }

  async backToNotes(): Promise<void> {
    await this.page.getByRole('link', { name: '← All notes' }).click()
    await this.notes.waitFor()
  }

  /** Returns once the task is saved: the field empties only then (the list shows it before). */
  async addTask(title: string): Promise<void> {
    const field = this.page.getByPlaceholder('Add a task')
    await field.fill(title)
    await this.page.getByRole('button', { name: 'Add task' }).click()
    await this.tasks.getByText(title, { exact: true }).waitFor()
    await expect(field).toHaveValue('')
  }

  taskTitles(): Promise<string[]> {
    return this.tasks.locator('.task-title span').allTextContents()
  }

  taskCheckbox(title: string): Locator {
    return this.tasks.getByRole('checkbox', { name: title, exact: true })
  }

  /**
   * Ticks or unticks a task and waits until that is stored or refused: the box shows the tick at once, and is
   * busy while its save is under way (a reload before then may not find it).
   */
  async setDone(title: string, done = true): Promise<void> {
    const box = this.taskCheckbox(title)
    await box.setChecked(done)
    await expect(box).not.toHaveAttribute('aria-busy', 'true')
  }

  /**
   * Marks the element behind `locator` with a JavaScript property: a later
   * `isMarked` tells whether the page still shows that very element, or a copy
   * rebuilt in its place with the same name.
   */
  async mark(locator: Locator, tag: string): Promise<void> {
    await locator.evaluate((element, value) => Object.assign(element, { e2eMark: value }), tag)
  }

  isMarked(locator: Locator, tag: string): Promise<boolean> {
    return locator.evaluate((element, value) => 'e2eMark' in element && element.e2eMark === value, tag)
  }

  /** The mark on the element that has focus, or undefined when focus is on an unmarked element or nowhere. */
  focusedMark(): Promise<unknown> {
    return this.page.evaluate(() => {
      const active = document.activeElement
      return active !== null && 'e2eMark' in active ? active.e2eMark : undefined
    })
  }
}
