import { describe, expect, it } from 'vitest'
import { isMeshStatusMessage } from './mesh-status'
import { MAX_READ_FRAME, MAX_REASON, nextRelayStatus, readRelayFrame, type RelayStatus } from './relay-status'

const url = 'ws://127.0.0.1:1/r/main'
const fresh: RelayStatus = { url, state: 'connecting' }

describe('readRelayFrame', () => {
  it('reads CLOSED and OK false as Trystero does: dropped, backed off, or a harmless duplicate', () => {
    expect(readRelayFrame('["CLOSED","sub","blocked: go away"]')).toEqual({
      kind: 'refused',
      reason: 'blocked: go away',
    })
    expect(readRelayFrame('["OK","id",false,"blocked: no"]')).toEqual({ kind: 'refused', reason: 'blocked: no' })
    expect(readRelayFrame('["OK","id",false,"rate-limited: slow down"]')).toEqual({
      kind: 'slowed',
      reason: 'rate-limited: slow down',
    })
    expect(readRelayFrame('["OK","id",false,"duplicate: seen"]')).toEqual({ kind: 'fine' })
    expect(readRelayFrame('["OK","id",true,""]')).toEqual({ kind: 'fine' })
    expect(readRelayFrame('["EOSE","sub"]')).toEqual({ kind: 'fine' })
    expect(readRelayFrame('["NOTICE","limit: too many"]')).toEqual({ kind: 'fine' })
  })

  it.each([
    ['not JSON', '{{{'],
    ['not a list', '{"a":1}'],
    ['a list without a type', '[1,2]'],
    ['binary', new Uint8Array([1, 2])],
    ['over the size it reads, even when JSON', `["CLOSED","s","${'x'.repeat(MAX_READ_FRAME)}"]`],
  ])('counts a frame that is %s as junk, without throwing', (_name, data) => {
    expect(readRelayFrame(data)).toEqual({ kind: 'junk' })
  })

  it('keeps a reason short and free of control characters', () => {
    const frame = readRelayFrame(JSON.stringify(['CLOSED', 's', `bad\n\u0007${'y'.repeat(500)}`]))
    expect(frame.kind).toBe('refused')
    const reason = frame.kind === 'refused' ? frame.reason : ''
    expect(reason).toHaveLength(MAX_REASON)
    expect(reason.startsWith('bad  y')).toBe(true)
    expect(readRelayFrame('["CLOSED","s",{"no":"text"}]')).toEqual({ kind: 'refused', reason: '' })
  })
})

describe('nextRelayStatus', () => {
  it('goes from connecting to connected to unreachable, and back once a socket opens or the relay answers', () => {
    let status = nextRelayStatus(fresh, { kind: 'open' })
    expect(status).toEqual({ url, state: 'connected' })
    status = nextRelayStatus(status, { kind: 'close' })
    expect(status.state).toBe('unreachable')
    status = nextRelayStatus(status, { kind: 'fine' })
    expect(status).toEqual({ url, state: 'connected' })
    status = nextRelayStatus(nextRelayStatus(status, { kind: 'close' }), { kind: 'open' })
    expect(status).toEqual({ url, state: 'connected' })
  })

  it('keeps a refusal for good, with its reason, whatever comes after', () => {
    let status = nextRelayStatus(fresh, { kind: 'refused', reason: 'blocked: no' })
    for (const event of [{ kind: 'fine' }, { kind: 'open' }, { kind: 'close' }] as const)
      status = nextRelayStatus(status, event)
    expect(status).toEqual({ url, state: 'refused', reason: 'blocked: no' })
    expect(nextRelayStatus(status, { kind: 'junk' })).toEqual({ url, state: 'refused', reason: 'blocked: no', junk: 1 })
  })

  it('counts junk without changing the state, and a rate limit until the relay accepts again', () => {
    let status = nextRelayStatus(nextRelayStatus(fresh, { kind: 'open' }), { kind: 'junk' })
    status = nextRelayStatus(status, { kind: 'junk' })
    expect(status).toEqual({ url, state: 'connected', junk: 2 })
    status = nextRelayStatus(status, { kind: 'slowed', reason: 'rate-limited: wait' })
    expect(status).toEqual({ url, state: 'slowed', reason: 'rate-limited: wait', junk: 2 })
    expect(nextRelayStatus(status, { kind: 'fine' })).toEqual({ url, state: 'connected', junk: 2 })
  })

  it('crosses the tab channel inside the mesh status, and a malformed one is refused', () => {
    const status = { overall: 'alone', spaces: {}, relays: [{ url, state: 'refused', reason: 'no', junk: 3 }] }
    expect(isMeshStatusMessage({ type: 'status', leader: 't', status })).toBe(true)
    for (const relays of [
      [{ url, state: 'angry' }],
      [{ url, state: 'refused', reason: 'x'.repeat(MAX_REASON + 1) }],
      [{ url, state: 'connected', extra: 1 }],
      [{ url, state: 'connected', junk: -1 }],
    ])
      expect(isMeshStatusMessage({ type: 'status', leader: 't', status: { ...status, relays } })).toBe(false)
  })
})
