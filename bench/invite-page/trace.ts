/**
 * A Trystero page that notes, on the shared clock (epoch ms), what the client does with its rooms: joins and
 * leaves, each peer's handshake (start, end), Trystero letting a peer in or out, and the messages of each action
 * (invitation frames by their type; repo and presence messages only the first each way per room). The invite bench
 * reads it to say where a join's seconds go, without touching the app.
 */
import { cbor } from '@automerge/automerge-repo/slim'
import type { DataPayload, JoinRoomCallbacks, MessageActionConfig, Room } from 'trystero'
import { trysteroPage, type TrysteroPage } from '../../src/mesh/index.ts'

export interface TraceEvent {
  /** Epoch ms (performance.timeOrigin + now), comparable between pages of one browser. */
  readonly at: number
  readonly what: string
}

/** automerge-repo's channel in a space room (client's space-room.ts). */
const REPO_CHANNEL = 'cp.am'

const now = (): number => performance.timeOrigin + performance.now()

/** Invitation and link rooms use their own app id; every other room is a space's. */
const kindOf = (appId: string | undefined): string => (appId?.endsWith('/join') === true ? 'invite' : 'space')

/** The frame type of an invitation or link frame (JSON with `t`), else the action name alone. */
const frameOf = (data: unknown): string | undefined => {
  if (typeof data !== 'string') return undefined
  try {
    const parsed = JSON.parse(data) as { t?: unknown }
    return typeof parsed.t === 'string' ? parsed.t : undefined
  } catch {
    return undefined
  }
}

/** One repo message of a space room: when, which way, its type and document (for where a big space's time goes). */
export interface RepoEvent {
  readonly at: number
  readonly way: 'in' | 'out'
  readonly type: string
  readonly doc: string
  readonly bytes: number
}

/** A repo frame's message type and document: the adapter's kind byte, then CBOR (`src/mesh/replication/frames.ts`). */
const repoMessageOf = (data: Uint8Array): { type: string; doc: string } => {
  try {
    const body = cbor.decode<{ type?: unknown; documentId?: unknown; kind?: unknown }>(data.subarray(1))
    const type = typeof body.type === 'string' ? body.type : typeof body.kind === 'string' ? body.kind : '?'
    return { type, doc: typeof body.documentId === 'string' ? body.documentId : '' }
  } catch {
    return { type: 'undecoded', doc: '' }
  }
}

export class Trace {
  /** Every repo message of space rooms since the last `clear`. */
  readonly repoEvents: RepoEvent[] = []
  readonly events: TraceEvent[] = []
  /** Repo messages and their bytes in and out of space rooms, counted from the last `clear`. */
  readonly repo = { in: 0, inBytes: 0, out: 0, outBytes: 0 }
  #rooms = 0
  readonly #once = new Set<string>()

  note(what: string): void {
    this.events.push({ at: now(), what })
  }

  /** Notes `what` only the first time. */
  first(what: string): void {
    if (this.#once.has(what)) return
    this.#once.add(what)
    this.note(what)
  }

  /** Forgets what was seen, for the next run on this page. */
  clear(): void {
    this.events.length = 0
    this.repoEvents.length = 0
    Object.assign(this.repo, { in: 0, inBytes: 0, out: 0, outBytes: 0 })
    this.#once.clear()
  }

  /** The real Trystero page, traced. */
  page(): TrysteroPage {
    return {
      selfId: trysteroPage.selfId,
      join: (config, roomId, callbacks) => this.#join(config, roomId, callbacks),
    }
  }

  #join(config: Parameters<TrysteroPage['join']>[0], roomId: string, callbacks?: JoinRoomCallbacks): Room {
    const label = `${kindOf(config.appId)}#${String(++this.#rooms)}`
    this.note(`${label} join`)
    const handshake = callbacks?.onPeerHandshake
    const traced: JoinRoomCallbacks | undefined =
      callbacks === undefined || handshake === undefined
        ? callbacks
        : {
            ...callbacks,
            onPeerHandshake: async (peerId, send, receive, isInitiator) => {
              this.note(`${label} handshake start`)
              try {
                await handshake(peerId, send, receive, isInitiator)
                this.note(`${label} handshake passed`)
              } catch (error) {
                this.note(`${label} handshake refused`)
                throw error
              }
            },
          }
    const room = trysteroPage.join(config, roomId, traced)
    const note = (what: string): void => {
      this.note(what)
    }
    const first = (what: string): void => {
      this.first(what)
    }
    const count = (way: 'in' | 'out', data: unknown): void => {
      if (!(data instanceof Uint8Array)) return
      this.repo[way]++
      this.repo[way === 'in' ? 'inBytes' : 'outBytes'] += data.byteLength
      this.repoEvents.push({ at: now(), way, ...repoMessageOf(data), bytes: data.byteLength })
    }
    return new Proxy(room, {
      set(target, key, value: unknown) {
        if ((key === 'onPeerJoin' || key === 'onPeerLeave') && typeof value === 'function') {
          const handler = value as (peerId: string) => void
          const word = key === 'onPeerJoin' ? 'peer in' : 'peer out'
          return Reflect.set(target, key, (peerId: string) => {
            note(`${label} ${word}`)
            handler(peerId)
          })
        }
        return Reflect.set(target, key, value)
      },
      get(target, key) {
        if (key === 'leave') {
          return () => {
            note(`${label} leave`)
            return target.leave()
          }
        }
        if (key === 'makeAction') {
          return <T extends DataPayload>(name: string, options?: MessageActionConfig<T>) => {
            const onMessage = options?.onMessage
            const action = target.makeAction<T>(name, {
              ...options,
              onMessage: (data, meta) => {
                const frame = frameOf(data)
                if (name === REPO_CHANNEL) count('in', data)
                if (frame === undefined) first(`${label} ${name} first in`)
                else note(`${label} ${name} ${frame} in`)
                void onMessage?.(data, meta)
              },
            })
            return {
              ...action,
              send: (data: T, sendOptions?: Parameters<typeof action.send>[1]) => {
                const frame = frameOf(data)
                if (name === REPO_CHANNEL) count('out', data)
                if (frame === undefined) first(`${label} ${name} first out`)
                else note(`${label} ${name} ${frame} out`)
                return action.send(data, sendOptions)
              },
            }
          }
        }
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      },
    })
  }
}
