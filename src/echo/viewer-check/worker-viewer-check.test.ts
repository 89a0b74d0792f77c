import '../testing/node-runtime'
import { change, clone, from, getLastLocalChange, type Doc } from '@automerge/automerge/slim'
import { describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { fixedKeyPair } from '../../halo/testing'
import type { SpaceId } from '../ids'
import { issueRemoval } from '../membership/entries'
import { toStored } from '../space/documents'
import type { Root } from './viewer-changes'
import type { FromViewerCheck, ToViewerCheck } from './viewer-check'
import { ViewerCheckHost } from './viewer-check-host'
import { WorkerViewerCheck, type ViewerCheckWorker } from './worker-viewer-check'

const clock = new ManualClock(1_800_000_000_000)
const space = fixedKeyPair(1).publicKey as string as SpaceId
const viewer = fixedKeyPair(30)
const other = fixedKeyPair(31)
const leaveOf = (key: typeof viewer) =>
  issueRemoval({
    actor: { identity: key.publicKey, signer: { key } },
    space,
    subject: key.publicKey,
    parents: [],
    clock,
  })
const senderOf = (key: typeof viewer) => ({ identity: key.publicKey, clock })

const rootNamed = (name: string): Root =>
  from<Record<string, unknown>>({ kind: 'commonplace/space', space, name, log: { genesis: toStored({ by: 'owner' }) } })
/** The one change `edit` makes to a copy of `root`, as a peer would send it. */
const changeTo = (root: Root, edit: (doc: Record<string, unknown> & { log: Record<string, unknown> }) => void) => {
  const edited = change(clone(root), (doc) => {
    edit(doc as Record<string, unknown> & { log: Record<string, unknown> })
  })
  const made = getLastLocalChange(edited)
  if (made === undefined) throw new Error('no change made')
  return made
}
const leaveBy = (root: Root, key: typeof viewer) => {
  const leave = leaveOf(key)
  return changeTo(root, (doc) => {
    doc.log[leave.id] = toStored(JSON.parse(JSON.stringify(leave)))
  })
}

/** What a worker was sent and did: how many were started and stopped, and every message to them. */
interface Spawned {
  started: number
  stopped: number
  readonly sent: ToViewerCheck[]
}

/**
 * A worker in this thread: the real host over a MessageChannel (structured clones, as to a worker). `hang(message)`
 * makes it start a check and never answer, as a worker stuck loading would; `mute` makes it not even start one (its
 * script never ran); `lose` drops a root it is sent.
 */
const inThread = (
  spawned: Spawned,
  options: {
    hang?: (check: ToViewerCheck) => boolean
    lose?: (root: ToViewerCheck) => boolean
    mute?: (check: ToViewerCheck) => boolean
  } = {},
): ViewerCheckWorker => {
  const channel = new MessageChannel()
  const host = new ViewerCheckHost((message) => {
    channel.port2.postMessage(message)
  })
  channel.port2.onmessage = (event: MessageEvent<ToViewerCheck>) => {
    const message = event.data
    if (message.type === 'check' && options.mute?.(message) === true) return
    if (message.type === 'check' && options.hang?.(message) === true) {
      channel.port2.postMessage({ type: 'started', id: message.id } satisfies FromViewerCheck)
      return
    }
    if (message.type === 'root' && options.lose?.(message) === true) return
    host.receive(message)
  }
  spawned.started++
  return {
    postMessage: (message) => {
      spawned.sent.push(message)
      channel.port1.postMessage(message)
    },
    addEventListener: (type: 'message' | 'error', listener: (event: MessageEvent<FromViewerCheck>) => void) => {
      if (type !== 'message') return
      channel.port1.addEventListener('message', listener)
      channel.port1.start()
    },
    terminate: () => {
      spawned.stopped++
      channel.port1.close()
    },
  }
}

const roots = (spawned: Spawned) =>
  spawned.sent.flatMap((message) => (message.type === 'root' ? [message.whole ? 'whole' : 'since'] : []))
const fresh = (): Spawned => ({ started: 0, stopped: 0, sent: [] })

describe('WorkerViewerCheck', () => {
  it('judges in the worker: a viewer’s own leave passes, anything else is refused; the root goes whole once, then only what changed', async () => {
    const spawned = fresh()
    const check = new WorkerViewerCheck({ spawn: () => inThread(spawned), wasmUrl: 'loaded already' })
    let root = rootNamed('Garden plans')
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
    // Another's leave, sent by the viewer, or a rename: refused.
    expect(await check.passes('root-1', root, [leaveBy(root, other)], senderOf(viewer))).toBe(false)
    const rename = changeTo(root, (doc) => {
      doc.name = 'Taken over'
    })
    expect(await check.passes('root-1', root, [rename], senderOf(viewer))).toBe(false)
    expect(roots(spawned)).toEqual(['whole'])
    // The owner writes: the worker is sent that change alone, and judges against the root as it is now.
    root = change(root, (doc) => {
      doc.name = 'Garden'
    })
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
    expect(roots(spawned)).toEqual(['whole', 'since'])
    expect(spawned).toMatchObject({ started: 1, stopped: 0 })
    check.close()
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(false)
    expect(spawned.stopped).toBe(1)
  })

  it('refuses a check that runs past its deadline, stops that worker, and refuses that sender unchecked for 10 minutes', async () => {
    const spawned = fresh()
    const traced: string[] = []
    const senderClock = new ManualClock(clock.now())
    let hangs = 1
    const check = new WorkerViewerCheck({
      spawn: () =>
        inThread(spawned, {
          hang: (message) => message.type === 'check' && message.sender === viewer.publicKey && hangs-- > 0,
        }),
      wasmUrl: 'loaded already',
      deadlineMs: 50,
      trace: (event, fields) => traced.push(`${event} ${String(fields?.sender)} ${String(fields?.why)}`),
    })
    const root = rootNamed('Garden plans')
    const asViewer = { identity: viewer.publicKey, clock: senderClock }
    // Checks wait their turn: the other viewer's comes after the one that runs out of time, in a new worker.
    const [late, afterIt] = [
      check.passes('root-1', root, [leaveBy(root, viewer)], asViewer),
      check.passes('root-1', root, [leaveBy(root, other)], senderOf(other)),
    ]
    expect(await late).toBe(false)
    expect(await afterIt).toBe(true)
    expect(traced).toEqual([`viewer-check-costly ${viewer.publicKey} late`])
    expect(spawned).toMatchObject({ started: 2, stopped: 1 })
    // The new worker had no copy of the root: it went whole again.
    expect(roots(spawned)).toEqual(['whole', 'whole'])
    const checks = (): number => spawned.sent.filter((message) => message.type === 'check').length
    const before = checks()
    senderClock.advance(10 * 60_000 - 1)
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], asViewer)).toBe(false)
    expect(checks()).toBe(before)
    // Ten minutes on, its changes are judged again.
    senderClock.advance(1)
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], asViewer)).toBe(true)
    expect(checks()).toBe(before + 1)
    check.close()
  })

  it('blames nobody when the page itself was held past the deadline', async () => {
    const spawned = fresh()
    const traced: string[] = []
    let stalls = 1
    const check = new WorkerViewerCheck({
      spawn: () => {
        const worker = inThread(spawned, { hang: () => stalls > 0 })
        return {
          ...worker,
          addEventListener: (type: 'message' | 'error', listener: (event: MessageEvent<FromViewerCheck>) => void) => {
            if (type === 'error') return
            worker.addEventListener(type, (event: MessageEvent<FromViewerCheck>) => {
              listener(event)
              // The page is busy (or was frozen) for well past the deadline, right after the check started.
              if (event.data.type !== 'started' || stalls-- <= 0) return
              const until = performance.now() + 1_200
              while (performance.now() < until);
            })
          },
        }
      },
      wasmUrl: 'loaded already',
      deadlineMs: 50,
      trace: (event) => traced.push(event),
    })
    const root = rootNamed('Garden plans')
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(false)
    expect(traced).toEqual([])
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
    check.close()
  })

  it('finds a sender costly whose refused changes spent its share of the worker', async () => {
    const spawned = fresh()
    const traced: string[] = []
    const check = new WorkerViewerCheck({
      spawn: () => inThread(spawned),
      wasmUrl: 'loaded already',
      refusalBudgetMs: 0,
      trace: (event, fields) => traced.push(`${event} ${String(fields?.why)}`),
    })
    const root = rootNamed('Garden plans')
    const rename = changeTo(root, (doc) => {
      doc.name = 'Taken over'
    })
    expect(await check.passes('root-1', root, [rename], senderOf(viewer))).toBe(false)
    expect(traced).toEqual(['viewer-check-costly slow'])
    // Refused unchecked, its own leave too (for 10 minutes); a passing check of another is never slow.
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(false)
    expect(await check.passes('root-1', root, [leaveBy(root, other)], senderOf(other))).toBe(true)
    expect(traced).toHaveLength(1)
    check.close()
  })

  it('sends the root whole again when the worker says its copy is not the one asked about', async () => {
    const spawned = fresh()
    let lost = 0
    const check = new WorkerViewerCheck({
      spawn: () => inThread(spawned, { lose: () => lost++ === 0 }),
      wasmUrl: 'loaded already',
    })
    const root: Doc<Record<string, unknown>> = rootNamed('Garden plans')
    expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
    expect(roots(spawned)).toEqual(['whole', 'whole'])
    check.close()
  })

  it('refuses when the worker breaks, blaming the sender only if its check had started', async () => {
    const spawned = fresh()
    const traced: string[] = []
    const errors: (() => void)[] = []
    let mode: 'silent' | 'hang' | 'well' = 'silent'
    let started = 0
    const check = new WorkerViewerCheck({
      spawn: () => {
        const worker = inThread(spawned, {
          hang: () => mode === 'hang',
          lose: () => false,
          mute: () => mode === 'silent',
        })
        return {
          ...worker,
          addEventListener: (type: 'message' | 'error', listener: (event: MessageEvent<FromViewerCheck>) => void) => {
            if (type === 'error') errors.push(listener as () => void)
            else
              worker.addEventListener(type, (event: MessageEvent<FromViewerCheck>) => {
                listener(event)
                if (event.data.type === 'started') started++
              })
          },
        }
      },
      wasmUrl: 'loaded already',
      deadlineMs: 60_000,
      trace: (event, fields) => traced.push(`${event} ${String(fields?.why)}`),
    })
    const root = rootNamed('Garden plans')
    const checks = (): number => spawned.sent.filter((message) => message.type === 'check').length
    // Its script did not load: the browser reports an error before any check started. Nobody is blamed.
    const first = check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))
    await expect.poll(checks).toBe(1)
    errors.at(-1)?.()
    expect(await first).toBe(false)
    expect(traced).toEqual([])
    // A check that started and broke the worker: its sender is costly.
    mode = 'hang'
    const second = check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))
    await expect.poll(() => started).toBe(1)
    errors.at(-1)?.()
    expect(await second).toBe(false)
    expect(traced).toEqual(['viewer-check-costly broke'])
    mode = 'well'
    expect(await check.passes('root-1', root, [leaveBy(root, other)], senderOf(other))).toBe(true)
    expect(spawned).toMatchObject({ started: 3, stopped: 2 })
    check.close()
  })

  it('lets an idle worker go after a minute, and refuses what waits when closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const spawned = fresh()
      const check = new WorkerViewerCheck({ spawn: () => inThread(spawned), wasmUrl: 'loaded already' })
      const root = rootNamed('Garden plans')
      expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
      vi.advanceTimersByTime(59_999)
      expect(spawned.stopped).toBe(0)
      vi.advanceTimersByTime(1)
      expect(spawned.stopped).toBe(1)
      // The next check starts a new worker, which is sent the root whole.
      expect(await check.passes('root-1', root, [leaveBy(root, viewer)], senderOf(viewer))).toBe(true)
      expect(roots(spawned)).toEqual(['whole', 'whole'])
      const pending = check.passes('root-1', root, [leaveBy(root, other)], senderOf(other))
      check.close()
      expect(await pending).toBe(false)
      expect(await check.passes('root-1', root, [leaveBy(root, other)], senderOf(other))).toBe(false)
      expect(spawned).toMatchObject({ started: 2, stopped: 2 })
    } finally {
      vi.useRealTimers()
    }
  })
})
