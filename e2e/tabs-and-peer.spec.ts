/**
 * Two tabs of one device and a linked second device type into one note at the same time, and all three end with
 * the same text holding every word each typed (SECURITY.md R16). The follower tab's changes reach the other device
 * through its leader tab (only the leader holds connections); the other device's reach the follower the same way.
 * First each writer types at the end of its own line; then all three at the very end of the note, where the words
 * interleaved letter by letter before the fix in `src/echo/space/remote-cursor.ts`.
 */
import type { Page } from '@playwright/test'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED, linkedPair, peersOf, recordPeers } from './linked-devices.ts'
import { SpacePage } from './pages/space-page.ts'

test.setTimeout(120_000)

const device = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const opened = await open({ serviceWorkers: 'block' })
  await recordPeers(opened.context)
  return opened
}

const LINES = ['Alpha line.', 'Bravo line.', 'Charlie line.']

interface Writer {
  readonly space: SpacePage
  /** Its line of the note (0-based). */
  readonly line: number
  readonly words: readonly string[]
}

/** Puts the cursor at the end of the writer's line. */
const toEndOfLine = async ({ space, line }: Writer): Promise<void> => {
  await space.noteText.click()
  await space.page.keyboard.press('Control+Home')
  for (let i = 0; i < line; i++) await space.page.keyboard.press('ArrowDown')
  await space.page.keyboard.press('End')
}

/** Types each word after a space, a key at a time, as a person would. */
const typeWords = async (page: Page, words: readonly string[]): Promise<void> => {
  for (const word of words) await page.keyboard.type(` ${word}`, { delay: 25 })
}

test('two tabs of one device and a linked device type into one note at once and converge on every word', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  const { spaceA, spaceB } = await linkedPair(a, b)
  const tab = await a.context.newPage()
  await tab.goto(a.page.url())
  const spaceTab = new SpacePage(tab)
  await spaceTab.tasks.getByText('Written on A', { exact: true }).waitFor(LINKED)
  // Only A's first tab connects to B; the second follows it.
  await expect(a.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  await expect(tab.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  expect(await peersOf(tab)).toEqual([])

  await spaceA.createNote('Shared plan', LINES.join('\n'))
  for (const space of [spaceTab, spaceB]) {
    await space.notes.getByRole('link', { name: 'Shared plan' }).click(LINKED)
    await expect(space.noteText).toContainText(LINES.join(''), LINKED)
  }
  const writers: Writer[] = [
    { space: spaceA, line: 0, words: ['amber', 'azure', 'aqua', 'ash'] },
    { space: spaceTab, line: 1, words: ['fern', 'flax', 'frost', 'fig'] },
    { space: spaceB, line: 2, words: ['pearl', 'plum', 'pine', 'peach'] },
  ]
  for (const writer of writers) await toEndOfLine(writer)

  const started = Date.now()
  await Promise.all(writers.map((writer) => typeWords(writer.space.page, writer.words)))
  const typedMs = Date.now() - started
  // Each line ends with its writer's words, in order; the text is the same everywhere.
  const expected = LINES.map((line, at) => `${line} ${(writers[at]?.words ?? []).join(' ')}`).join('')
  const texts = () => Promise.all(writers.map((writer) => writer.space.noteText.textContent()))
  await expect.poll(texts, LINKED).toEqual(writers.map(() => expected))
  const convergedMs = Date.now() - started - typedMs
  console.info(
    `three writers typed for ${String(typedMs)} ms; all three read the same text ${String(convergedMs)} ms later`,
  )
  test
    .info()
    .annotations.push(
      { type: 'typing at once (ms)', description: String(typedMs) },
      { type: 'last key -> all three the same (ms)', description: String(convergedMs) },
    )

  // Then all three at the very same place, the end of the note: the order of their words is the merge's to choose,
  // but every word is there whole, each writer's in its order, and the text is the same everywhere.
  const more = [
    ['onyx', 'opal', 'olive'],
    ['reed', 'rye', 'rose'],
    ['sage', 'sand', 'slate'],
  ]
  for (const writer of writers) {
    await writer.space.noteText.click()
    await writer.space.page.keyboard.press('Control+End')
  }
  await Promise.all(writers.map((writer, at) => typeWords(writer.space.page, more[at] ?? [])))
  await expect.poll(async () => new Set(await texts()).size, LINKED).toBe(1)
  const merged = (await texts())[0] ?? ''
  console.info(`at the same place: ${merged.slice(expected.length)}`)
  expect(merged.startsWith(expected)).toBe(true)
  const tail = merged
    .slice(expected.length)
    .split(' ')
    .filter((word) => word !== '')
  expect([...tail].sort()).toEqual(more.flat().sort())
  for (const words of more) expect(tail.filter((word) => words.includes(word))).toEqual(words)

  // What each has is kept: after a reload, B and A's follower tab read the same.
  await tab.reload()
  await expect(spaceTab.noteText).toHaveText(merged, LINKED)
  await b.page.reload()
  await expect(spaceB.noteText).toHaveText(merged, LINKED)
})
