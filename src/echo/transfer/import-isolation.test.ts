// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported as exportedText, makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { change, load, save } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../../base'
import type { Echo } from '../echo'
import type { Space } from '../space/space'
import type { EchoDatabase } from '../storage/echo-database'
import { readSpaceFile } from './space-file'
import { dbOf, objectDocumentsOf, repoOf } from '../testing/internals'

interface FileJson {
  format: string
  space: string
  root: string
  documents: Record<string, string>
}

/** Every row of every table: what "nothing stored changed" is compared on. */
const stored = async (db: EchoDatabase) => ({
  chunks: await db.chunks.toArray(),
  spaces: await db.spaces.toArray(),
  objects: await db.objects.toArray(),
  quarantine: await db.quarantine.toArray(),
  indexedDocs: await db.indexedDocs.toArray(),
})

/** A document of a file, changed by whoever holds the file. */
const tamper = (data: string, edit: (doc: Record<string, unknown>) => void): string => {
  const bytes = fromBase64Url(data)
  if (bytes === undefined) throw new Error('not base64url')
  return toBase64Url(save(change(load<Record<string, unknown>>(bytes), edit)))
}

const exported = async (echo: Echo, space: Space): Promise<FileJson> =>
  JSON.parse(await exportedText(echo, space)) as FileJson

/** Alice's "Work" space with one task, and Mallory's old export of it. */
const aliceWork = async () => {
  const name = uniqueDatabaseName()
  const alice = makeActor()
  const echo = openTestEcho({ name })
  const work = await echo.createSpace(alice, 'Work')
  const task = await work.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
  if (!task.ok) throw task.error
  await echo.settled()
  const file = await exported(echo, work)
  const objectsDoc = objectDocumentsOf(work)[0]?.documentId
  if (objectsDoc === undefined) throw new Error('no object document')
  expect((await echo.flush()).ok).toBe(true)
  const rentTask = (doc: Record<string, unknown>) => {
    const objects = doc.objects as Record<string, { fields: Record<string, unknown> }>
    const fields = objects[task.value.id]?.fields
    if (fields === undefined) throw new Error('task missing from the document')
    fields.title = 'Rent is paid, ignore'
    fields.done = true
  }
  return { name, alice, echo, work, file, objectsDoc, rentTask }
}

/** Imports `file` into `echo`, and checks that it was refused with `code` and that storage is unchanged. */
const expectRefused = async (echo: Echo, file: FileJson | string, code: string, message?: RegExp) => {
  // The repo writes its own storage id once, whatever happens next.
  await repoOf(echo).storageId()
  const before = await stored(dbOf(echo))
  const result = await echo.importSpace(makeActor(), typeof file === 'string' ? file : JSON.stringify(file))
  expect(result.ok ? 'imported' : result.error.code).toBe(code)
  if (!result.ok && message !== undefined) expect(result.error.message).toMatch(message)
  expect((await echo.flush()).ok).toBe(true)
  expect(await stored(dbOf(echo))).toEqual(before)
}

const titlesAfterReload = async (name: string, space: Space) => {
  const again = openTestEcho({ name })
  const reopened = await again.openSpace(space.id)
  if (!reopened.ok) throw reopened.error
  await again.rebuildIndex(reopened.value)
  const titles = (await reopened.value.find({ type: 'task' })).map((task) => task.fields.title)
  await again.close()
  return titles
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
/** A genuine file of Mallory's own space, exported from her browser (`theirs`, to close at the end). */
const mallorysOwnSpace = async () => {
  const theirs = openTestEcho()
  const own = await exported(theirs, await theirs.createSpace(makeActor(), 'Mallory'))
  return { theirs, own }
}

describe('a space file touches only its own space', { timeout: 30_000 }, () => {
  it('a file whose root is not a space root changes no document here, before or after a reload', async () => {
    const { name, echo, work, file, objectsDoc, rentTask } = await aliceWork()
    const other = makeActor().identity as string
    const hostile: FileJson = {
      ...file,
      space: other,
      root: objectsDoc,
      documents: { [objectsDoc]: tamper(file.documents[objectsDoc] ?? '', rentTask) },
    }
    await expectRefused(echo, hostile, 'invalid-space-file', /not the root of this space/)
    expect((await work.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['Pay rent'])
    await echo.close()
    expect(await titlesAfterReload(name, work)).toEqual(['Pay rent'])
  })

  it('refuses a genuine space file that carries a document its root does not list', async () => {
    const { name, echo, work, file, objectsDoc, rentTask } = await aliceWork()
    const { theirs, own } = await mallorysOwnSpace()
    const hostile = {
      ...own,
      documents: { ...own.documents, [objectsDoc]: tamper(file.documents[objectsDoc] ?? '', rentTask) },
    }
    await expectRefused(echo, hostile, 'invalid-space-file', /not listed/)
    await echo.close()
    await theirs.close()
    expect(await titlesAfterReload(name, work)).toEqual(['Pay rent'])
  })

  it('refuses a space file whose root claims a document of another space here', async () => {
    const { name, echo, work, file, objectsDoc, rentTask } = await aliceWork()
    const { theirs, own } = await mallorysOwnSpace()
    const hostile = {
      ...own,
      documents: {
        ...own.documents,
        [own.root]: tamper(own.documents[own.root] ?? '', (root) => {
          ;(root.documents as Record<string, string>)[objectsDoc] = 'objects'
        }),
        [objectsDoc]: tamper(file.documents[objectsDoc] ?? '', rentTask),
      },
    }
    await expectRefused(echo, hostile, 'invalid-space-file', /belongs to another space/)
    await echo.close()
    await theirs.close()
    expect(await titlesAfterReload(name, work)).toEqual(['Pay rent'])
  })

  it('refuses a copy of a space here that comes with another root document', async () => {
    const { echo, file } = await aliceWork()
    const theirs = openTestEcho()
    const decoy = await exported(theirs, await theirs.createSpace(makeActor(), 'Decoy'))
    // The decoy's root, relabelled as Alice's space and carrying her genuine log.
    const rootBytes = fromBase64Url(file.documents[file.root] ?? '')
    if (rootBytes === undefined) throw new Error('root missing')
    const aliceRoot = load<Record<string, unknown>>(rootBytes)
    const log = JSON.parse(JSON.stringify(aliceRoot.log)) as Record<string, unknown>
    const root = tamper(decoy.documents[decoy.root] ?? '', (doc) => {
      doc.space = file.space
      doc.log = log
    })
    const hostile = { ...file, root: decoy.root, documents: { ...file.documents, [decoy.root]: root } }
    await expectRefused(echo, hostile, 'invalid-space-file', /another root document/)
    await echo.close()
    await theirs.close()
  })

  it('refuses a new space whose root holds no genesis signed by the space key', async () => {
    const echo = openTestEcho()
    const theirs = openTestEcho()
    const source = await exported(theirs, await theirs.createSpace(makeActor(), 'Forged'))
    const forged = {
      ...source,
      documents: {
        ...source.documents,
        [source.root]: tamper(source.documents[source.root] ?? '', (doc) => {
          doc.log = {}
        }),
      },
    }
    await expectRefused(echo, forged, 'invalid-space-file', /genesis/)
    await echo.close()
    await theirs.close()
  })

  it('refuses an incomplete file and registers nothing', async () => {
    const alice = makeActor()
    const theirs = openTestEcho()
    const space = await theirs.createSpace(alice, 'Partial')
    await space.create(alice, 'task', { title: 'in a missing document', done: false, order: 'a0' })
    const file = await exported(theirs, space)
    const partial = { ...file, documents: { [file.root]: file.documents[file.root] ?? '' } }
    const echo = openTestEcho()
    await expectRefused(echo, partial, 'invalid-space-file', /incomplete/)
    expect(await echo.listSpaces(alice.identity)).toEqual([])
    await echo.close()
    await theirs.close()
  })

  it('refuses a file over the size cap before parsing it', () => {
    const read = readSpaceFile(' '.repeat(1001), 1000)
    expect(read.ok ? 'read' : read.error.code).toBe('space-file-too-large')
    expect(readSpaceFile('{}', 1000).ok).toBe(false)
  })

  it('merges a newer copy of a space here into its own documents', async () => {
    const { echo, work, file, alice } = await aliceWork()
    const laptop = openTestEcho()
    const copy = await laptop.importSpace(alice, JSON.stringify(file))
    if (!copy.ok) throw copy.error
    await copy.value.create(alice, 'task', { title: 'From the laptop', done: false, order: 'a1' })
    await copy.value.createNote(alice, 'Laptop note', 'typed there')
    const newer = await exportedText(laptop, copy.value)
    const imported = await echo.importSpace(alice, newer)
    if (!imported.ok) throw imported.error
    expect(imported.value).toBe(work)
    await echo.settled()
    expect((await work.find({ sort: { by: 'title' } })).map((object) => object.fields.title)).toEqual([
      'From the laptop',
      'Laptop note',
      'Pay rent',
    ])
    await echo.close()
    await laptop.close()
  })
})
