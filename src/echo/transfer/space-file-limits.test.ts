// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho } from '../testing/fixtures'
import { change, load, save, splice } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../../base'
import type { Echo } from '../echo'
import { MAX_SPACE_NAME_LENGTH } from './space-file-check'
import { dbOf, repoOf } from '../testing/internals'

interface FileJson {
  root: string
  documents: Record<string, string>
}

/** A genuine space file of Mallory's whose root she then edits. */
const withRoot = async (edit: (root: Record<string, unknown>) => void): Promise<string> => {
  const theirs = openTestEcho()
  const space = await theirs.createSpace(makeActor(), 'Mallory')
  const file = JSON.parse(await exported(theirs, space)) as FileJson
  await theirs.close()
  const bytes = fromBase64Url(file.documents[file.root] ?? '')
  if (bytes === undefined) throw new Error('root missing')
  file.documents[file.root] = toBase64Url(save(change(load<Record<string, unknown>>(bytes), edit)))
  return JSON.stringify(file)
}

const refusedWithNothingStored = async (echo: Echo, file: string, message: RegExp) => {
  await repoOf(echo).storageId()
  const before = await dbOf(echo).chunks.toArray()
  const result = await echo.importSpace(makeActor(), file)
  expect(result.ok ? 'imported' : `${result.error.code}: ${result.error.message}`).toMatch(message)
  expect((await echo.flush()).ok).toBe(true)
  expect(await dbOf(echo).chunks.toArray()).toEqual(before)
  expect(await dbOf(echo).spaces.count()).toBe(0)
}

// Each test builds and exports a space: seconds on a loaded 2-core machine.
describe('a small file cannot unpack into a huge space', { timeout: 30_000 }, () => {
  it('refuses a 4 KB file whose root name is 2M characters, before the repo loads it', async () => {
    const file = await withRoot((root) => {
      root.name = ''
      splice(root, ['name'], 0, 0, 'a'.repeat(2_000_000))
    })
    expect(file.length).toBeLessThan(8 * 1024)
    const echo = openTestEcho()
    await refusedWithNothingStored(echo, file, /^invalid-space-file: .*too many for its size/)
    await echo.close()
  })

  it('refuses a root with a name over the cap, or with a field a space root does not have', async () => {
    const echo = openTestEcho()
    const long = await withRoot((root) => {
      root.name = 'n'.repeat(MAX_SPACE_NAME_LENGTH + 1)
    })
    await refusedWithNothingStored(echo, long, /^invalid-space-file: the root document is not the root/)
    const extra = await withRoot((root) => {
      root.stash = 'x'.repeat(1000)
    })
    await refusedWithNothingStored(echo, extra, /^invalid-space-file: the root document is not the root/)
    await echo.close()
  })
})

describe('a space file cannot put a misleading name in the space list', { timeout: 30_000 }, () => {
  it('keeps the name it carries without bidirectional overrides, from its first write', async () => {
    const file = await withRoot((root) => {
      root.name = '\u202Egnp.exe'
    })
    const echo = openTestEcho()
    const written: string[] = []
    dbOf(echo).spaces.hook('creating', (_key, row) => {
      written.push(row.name)
    })
    const result = await echo.importSpace(makeActor(), file)
    expect(result.ok).toBe(true)
    expect(written).toEqual(['gnp.exe'])
    await echo.close()
  })
})
