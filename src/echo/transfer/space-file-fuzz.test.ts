/**
 * Fuzz properties of space files (issue 13): a mutated genuine file (its text, its JSON, or one document's bytes)
 * never throws in `readSpaceFile` or `checkSpaceFile` and is refused with a typed error or read whole; through
 * `Echo.importSpace`, a refused file changes nothing stored. `npm run fuzz` runs them with random seeds
 * (scripts/fuzz/files.ts).
 */
// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho } from '../testing/fixtures'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../../base'
import { mutatedBytes, mutatedJson, mutatedText } from '../../base/testing/mutations'
import { checkAsyncProperty, expectNoHang, propertyTimeout } from '../../base/testing/properties'
import type { Echo } from '../echo'
import { DocumentCorrupt, InvalidSpaceFile, SpaceFileTooLarge } from '../errors'
import type { EchoDatabase } from '../storage/echo-database'
import { dbOf, repoOf } from '../testing/internals'
import { checkSpaceFile, type LocalDocuments } from './space-file-check'
import { readSpaceFile } from './space-file'

interface FileJson {
  root: string
  documents: Record<string, string>
}

/** A device with nothing on it: every check asks it, none finds anything. */
const emptyDevice: LocalDocuments = {
  registeredRoot: () => Promise.resolve(undefined),
  current: () => Promise.resolve(undefined),
  ofOtherSpaces: () => Promise.resolve(new Set()),
  present: () => Promise.resolve(new Set()),
}

/** The file's text, its JSON or one of its documents' bytes, mutated. */
const mutatedFile = (file: string): fc.Arbitrary<string> => {
  const json = JSON.parse(file) as FileJson
  const ids = Object.keys(json.documents)
  return fc.oneof(
    mutatedText(file),
    mutatedJson(json).map((value) => JSON.stringify(value)),
    fc
      .constantFrom(...ids)
      .chain((id) =>
        mutatedBytes(fromBase64Url(json.documents[id] ?? '') ?? new Uint8Array()).map((bytes) =>
          JSON.stringify({ ...json, documents: { ...json.documents, [id]: toBase64Url(bytes) } }),
        ),
      ),
  )
}

const expectTyped = (error: unknown): void => {
  expect([InvalidSpaceFile, DocumentCorrupt, SpaceFileTooLarge].some((type) => error instanceof type)).toBe(true)
}

/** Every row of every table: what "nothing stored changed" is compared on. */
const stored = async (db: EchoDatabase) => ({
  chunks: await db.chunks.toArray(),
  spaces: await db.spaces.toArray(),
  objects: await db.objects.toArray(),
  quarantine: await db.quarantine.toArray(),
  indexedDocs: await db.indexedDocs.toArray(),
})

describe('space files under mutation', { timeout: 30_000 }, () => {
  let echo: Echo
  /** A space of this device, with one task, and a stranger's space: both as genuine files. */
  let own = ''
  let foreign = ''

  beforeAll(async () => {
    echo = openTestEcho()
    const actor = makeActor()
    const space = await echo.createSpace(actor, 'Garden plans')
    await space.create(actor, 'task', { title: 'Water the beans', done: false, order: 'a0' })
    own = await exported(echo, space)
    const theirs = openTestEcho()
    foreign = await exported(theirs, await theirs.createSpace(makeActor(), 'Mallory'))
    await theirs.close()
    await repoOf(echo).storageId()
    expect((await echo.flush()).ok).toBe(true)
  })

  afterAll(async () => {
    await echo.close()
  })

  it(
    'a mutated file is refused with a typed error or read and checked whole',
    async () => {
      await checkAsyncProperty(
        fc.asyncProperty(
          fc.constantFrom(0, 1).chain((which) => mutatedFile([own, foreign][which] ?? own)),
          async (file) => {
            const started = performance.now()
            const read = readSpaceFile(file)
            if (!read.ok) {
              expectTyped(read.error)
              expectNoHang(started, 'readSpaceFile')
              return
            }
            const plan = await checkSpaceFile(read.value, emptyDevice)
            expectNoHang(started, 'readSpaceFile and checkSpaceFile')
            if (plan.ok) expect(plan.value.imports[0]?.id).toBe(read.value.root)
            else expect(plan.error).toBeInstanceOf(InvalidSpaceFile)
          },
        ),
        { seed: 1_303_201, numRuns: 150 },
      )
    },
    propertyTimeout(),
  )

  it(
    'a refused import changes nothing stored',
    async () => {
      await checkAsyncProperty(
        fc.asyncProperty(
          fc.constantFrom(0, 1).chain((which) => mutatedFile([own, foreign][which] ?? own)),
          async (file) => {
            // What an earlier accepted import left to save is saved first: only this file's effect is compared.
            expect((await echo.flush()).ok).toBe(true)
            const before = await stored(dbOf(echo))
            const started = performance.now()
            const result = await echo.importSpace(makeActor(), file)
            expectNoHang(started, 'importSpace')
            if (result.ok) return
            expectTyped(result.error)
            expect((await echo.flush()).ok).toBe(true)
            expect(await stored(dbOf(echo))).toEqual(before)
          },
        ),
        { seed: 1_303_202, numRuns: 15 },
      )
    },
    propertyTimeout(),
  )
})
