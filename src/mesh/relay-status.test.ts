import { describe, expect, it } from 'vitest'
import { isMeshStatusMessage } from './mesh-status'
import {
  cleanReason,
  MAX_READ_FRAME,
  MAX_REASON,
  nextRelayStatus,
  readRelayFrame,
  type RelayStatus,
} from './relay-status'

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
    ['over the size it reads, and no CLOSED, OK or EVENT', `["NOPE","s","${'x'.repeat(MAX_READ_FRAME)}"]`],
    ['over the size it reads, an EVENT that is not JSON', `["EVENT","s","${'x'.repeat(MAX_READ_FRAME)}`],
    ['over the size it reads, a CLOSED that is not JSON', `["CLOSED","s","${'x'.repeat(MAX_READ_FRAME)}`],
    // Trystero's `startsWith` throws on these reasons before it drops or backs off the relay: nothing changes.
    ['OK false with a number as its reason', '["OK","id",false,5]'],
    ['OK false with a list as its reason', '["OK","id",false,["rate-limited:"]]'],
    ['OK false with an object as its reason', '["OK","id",false,{"a":1}]'],
  ])('counts a frame that is %s as junk, without throwing', (_name, data) => {
    expect(readRelayFrame(data)).toEqual({ kind: 'junk' })
  })

  it('reads an OK false without a reason, or a CLOSED without a text one, as Trystero does: dropped', () => {
    expect(readRelayFrame('["OK","id",false]')).toEqual({ kind: 'refused', reason: '' })
    expect(readRelayFrame('["OK","id",false,null]')).toEqual({ kind: 'refused', reason: '' })
    expect(readRelayFrame('["CLOSED"]')).toEqual({ kind: 'refused', reason: '' })
    expect(readRelayFrame('["CLOSED","s",{"no":"text"}]')).toEqual({ kind: 'refused', reason: '' })
    // Trystero's reason for a CLOSED whose third element is not text is its fourth.
    expect(readRelayFrame('["CLOSED","s",7,"blocked: go away"]')).toEqual({
      kind: 'refused',
      reason: 'blocked: go away',
    })
    // A prefix is judged on the relay's own text: a hidden character before it is no rate limit.
    expect(readRelayFrame('["OK","id",false,"\u200Brate-limited: x"]')).toEqual({
      kind: 'refused',
      reason: 'rate-limited: x',
    })
  })

  it('reads a CLOSED or OK over the size it reads, as Trystero parses it whole and drops the relay', () => {
    const long = 'x'.repeat(300_000)
    expect(readRelayFrame(JSON.stringify(['CLOSED', 's', `blocked ${long}`]))).toEqual({
      kind: 'refused',
      reason: `blocked ${long}`.slice(0, MAX_REASON),
    })
    expect(readRelayFrame(` \n[ "OK", "id", false, "no: ${long}"]`)).toEqual({
      kind: 'refused',
      reason: `no: ${long}`.slice(0, MAX_REASON),
    })
    // Escaped, behind a long run of whitespace: still a CLOSED to JSON.parse, so to Trystero.
    expect(readRelayFrame(`${' '.repeat(MAX_READ_FRAME)}["\\u0043LOSED","s","gone"]`)).toEqual({
      kind: 'refused',
      reason: 'gone',
    })
    expect(readRelayFrame(`["OK","id",false,"rate-limited: ${long}"]`).kind).toBe('slowed')
  })

  it('reads an EVENT over the size it reads as fine, as Trystero hands it to the room whatever its size (review 15)', () => {
    const event = JSON.stringify(['EVENT', 'sub', { content: 'x'.repeat(MAX_READ_FRAME), tags: [] }])
    expect(event.length).toBeGreaterThan(MAX_READ_FRAME)
    expect(readRelayFrame(event)).toEqual({ kind: 'fine' })
  })

  it('keeps a reason short, on one line, and free of anything that reorders or hides text', () => {
    const frame = readRelayFrame(JSON.stringify(['CLOSED', 's', `bad\n\u0007${'y'.repeat(500)}`]))
    expect(frame).toEqual({ kind: 'refused', reason: `bad ${'y'.repeat(MAX_REASON - 4)}` })
    const bidi = readRelayFrame(
      JSON.stringify(['CLOSED', 's', 'blocked \u202Emoc.live//:sptth ot og\u200B \u2066x\u2069\u2028\uFEFF\u061C end']),
    )
    expect(bidi).toEqual({ kind: 'refused', reason: 'blocked moc.live//:sptth ot og x end' })
  })
})

describe('cleanReason', () => {
  it('drops format, control, surrogate and private-use characters, cuts between characters, and is idempotent', () => {
    expect(cleanReason('  a\t\r\n  b\u00A0\u3000c  ')).toBe('a b c')
    expect(cleanReason('\uD800x\uDC00\uE000\u{E0041}y')).toBe('xy')
    // 199 units then an emoji (two units): the emoji is left out whole, not halved.
    const cut = cleanReason(`${'a'.repeat(MAX_REASON - 1)}\u{1F600}`)
    expect(cut).toBe('a'.repeat(MAX_REASON - 1))
    const kept = 'é 日本 \u{1F600} ok'
    expect(cleanReason(kept)).toBe(kept)
    for (const raw of ['x\u202E y', ' '.repeat(1_000) + 'z', `${'\u200B'.repeat(700)}hidden`, 'a\u0000\u0085b'])
      expect(cleanReason(cleanReason(raw))).toBe(cleanReason(raw))
  })

  it('keeps at most 2 combining marks in a row, so none stack out of the line (review 15)', () => {
    expect(cleanReason(`Z${'\u0301\u0316\u20DD'.repeat(70)}algo`)).toBe('Z\u0301\u0316algo')
    // Two marks on one letter, as Vietnamese written decomposed, stay.
    const vietnamese = 'Vie\u0323\u0302t'
    expect(cleanReason(vietnamese)).toBe(vietnamese)
    // A hidden character between two runs does not let them add up, and the result is stable.
    const split = `a${'\u0301'.repeat(2)}\u200B${'\u0301'.repeat(2)}`
    expect(cleanReason(split)).toBe('a\u0301\u0301')
    expect(cleanReason(cleanReason(split))).toBe(cleanReason(split))
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
      [{ url, state: 'refused', reason: 'go \u202Eereh' }],
      [{ url, state: 'connected', extra: 1 }],
      [{ url, state: 'connected', junk: -1 }],
    ])
      expect(isMeshStatusMessage({ type: 'status', leader: 't', status: { ...status, relays } })).toBe(false)
  })
})
