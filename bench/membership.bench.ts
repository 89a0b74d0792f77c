/**
 * `npm run bench membership`: the membership fold at 1,000 and 10,000 entries,
 * in Node, written to bench/results/membership.json.
 *
 * The log is what a busy space looks like: the owner admits one member after
 * another, each entry signed by her device and carrying the device's chain
 * (two signatures to check per entry, the chain the same every time), each
 * naming the one before. Figures:
 * - full, cold: a fold of the whole log that checks every signature (the first
 *   open of a space received from elsewhere);
 * - full, trusted: the same with the signatures this device checked before
 *   (a reopen: the log store's entries are trusted);
 * - one new entry: the median time to take one more entry and read the state,
 *   on top of the folded log (a local admit, a peer's entry, another tab's).
 * The target: one new entry under 5 ms at 10,000.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'vite'
import type { Rollup } from 'vite'
import type * as MembershipModule from './membership-entry.ts'

type Membership = typeof MembershipModule

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const SIZES = [1_000, 10_000]
const NEW_ENTRIES = 21
const TARGET_MS = 5

interface Figure {
  readonly entries: number
  readonly fullColdMs: number
  readonly fullTrustedMs: number
  readonly oneNewEntryMedianMs: number
  readonly oneNewEntryMaxMs: number
  /** One entry this device signed itself (no signature to check): the fold's own cost. */
  readonly oneOwnEntryMedianMs: number
  /** One signature check with a cached chain, for comparison. */
  readonly verifyMs: number
}

const bundle = async (): Promise<string> => {
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: { write: false, minify: true, lib: { entry: join(here, 'membership-entry.ts'), formats: ['es'] } },
  })
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((result) =>
    'output' in result ? result.output.filter((item): item is Rollup.OutputChunk => item.type === 'chunk') : [],
  )
  const [chunk] = chunks
  if (chunk === undefined) throw new Error('the membership bundle was not built')
  return chunk.code
}

const measure = (m: Membership, size: number): Figure => {
  let now = 1_800_000_000_000
  const clock = { now: () => now++ }
  const spaceKey = m.generateKeyPair()
  const space = spaceKey.publicKey as string as Parameters<typeof m.issueMember>[0]['space']
  const owner = m.generateKeyPair()
  const device = m.generateKeyPair()
  const chain = m.issueCredential({
    issuer: owner.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: owner },
    clock,
  })
  const actor = { identity: owner.publicKey, signer: { key: device, chain } }
  const log = [...m.issueGenesis(spaceKey, owner.publicKey, clock)]
  const admit = () => {
    const last = log.at(-1)
    const entry = m.issueMember({
      actor,
      space,
      subject: m.generateKeyPair().publicKey,
      role: 'viewer',
      parents: last === undefined ? [] : [last.id],
      clock,
    })
    log.push(entry)
    return entry
  }
  while (log.length < size) admit()

  const timed = (run: () => void): number => {
    const start = performance.now()
    run()
    return performance.now() - start
  }
  const cold = new m.MembershipLog(space)
  const fullColdMs = timed(() => {
    cold.add(log)
    cold.state()
  })
  const trusted = new m.MembershipLog(space)
  trusted.trust(cold.verified())
  const fullTrustedMs = timed(() => {
    trusted.add(log)
    trusted.state()
  })
  if (trusted.state().members.length !== size - 1) throw new Error('the fold lost members')
  const chainCache = new m.VerifiedCache()
  chainCache.add(chain.id, chain.proof.signature)
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
  // One new entry as it arrives from elsewhere (its signature checked), and one this device signed (trusted).
  const step = (trust: boolean): number => {
    const entry = admit()
    if (trust) trusted.trust([entry])
    return timed(() => {
      trusted.add([entry])
      if (trusted.state().applied.at(-1) !== entry.id) throw new Error('the new entry did not take effect')
    })
  }
  const checked = Array.from({ length: NEW_ENTRIES }, () => step(false))
  const own = Array.from({ length: NEW_ENTRIES }, () => step(true))
  return {
    entries: size,
    fullColdMs,
    fullTrustedMs,
    oneNewEntryMedianMs: median(checked),
    oneNewEntryMaxMs: Math.max(...checked),
    oneOwnEntryMedianMs: median(own),
    verifyMs: median(
      Array.from({ length: NEW_ENTRIES }, () => {
        const entry = admit()
        return timed(() => m.verifyCredential(entry, { clock, cache: chainCache }))
      }),
    ),
  }
}

const file = join(mkdtempSync(join(tmpdir(), 'membership-bench-')), 'membership.mjs')
writeFileSync(file, await bundle())
const membership = (await import(pathToFileURL(file).href)) as Membership
const figures = SIZES.map((size) => measure(membership, size))
console.log(`\nNode ${process.version}: membership fold`)
for (const figure of figures) {
  console.log(
    `  ${String(figure.entries).padStart(6)} entries  full cold ${figure.fullColdMs.toFixed(0)} ms, ` +
      `full trusted ${figure.fullTrustedMs.toFixed(0)} ms, one new entry ${figure.oneNewEntryMedianMs.toFixed(2)} ms ` +
      `(median of ${NEW_ENTRIES}, max ${figure.oneNewEntryMaxMs.toFixed(2)} ms; ` +
      `its signature check alone ${figure.verifyMs.toFixed(2)} ms; one entry signed here ${figure.oneOwnEntryMedianMs.toFixed(2)} ms)`,
  )
}
const largest = figures.at(-1)
const met = largest !== undefined && largest.oneNewEntryMedianMs < TARGET_MS
console.log(`\nTarget one new entry < ${TARGET_MS} ms at ${largest?.entries ?? '?'}: ${met ? 'met' : 'missed'}`)
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(
  join(here, 'results', 'membership.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, figures, target: { ms: TARGET_MS, met } }, null, 2)}\n`,
)
