import { describe, expect, it } from 'vitest'
import type { MeshSettingsProblem } from '../../client'
import { draftFieldOf } from './problem-fields'

const problem = (field: MeshSettingsProblem['field'], index: number, code: MeshSettingsProblem['code'] = 'not-a-url') =>
  ({ code, field, index, message: 'wrong' }) satisfies MeshSettingsProblem

const withStun = { stunUrls: 'stun:stun.example.org', turnUsername: '' }
const noStun = { stunUrls: '  ', turnUsername: '' }

describe('draftFieldOf', () => {
  it('puts relay problems on their box, entry or whole list alike', () => {
    expect(draftFieldOf(problem('signalUrls', 1), noStun)).toBe('signalUrls')
    expect(draftFieldOf(problem('signalUrls', -1, 'no-relay'), noStun)).toBe('signalUrls')
    expect(draftFieldOf(problem('publicRelays', -1, 'too-many-relays'), noStun)).toBe('publicRelays')
  })

  it('tells the STUN box from the TURN server by where the form put them', () => {
    expect(draftFieldOf(problem('iceServers', 0), withStun)).toBe('stunUrls')
    expect(draftFieldOf(problem('iceServers', 1), withStun)).toBe('turnUrl')
    expect(draftFieldOf(problem('iceServers', 0), noStun)).toBe('turnUrl')
  })

  it('puts a TURN server without credentials on the credential that is missing', () => {
    expect(draftFieldOf(problem('iceServers', 0, 'turn-needs-credentials'), noStun)).toBe('turnUsername')
    expect(draftFieldOf(problem('iceServers', 1, 'turn-needs-credentials'), { ...withStun, turnUsername: 'ada' })).toBe(
      'turnCredential',
    )
  })

  it('leaves a problem with the ICE list as a whole to the form', () => {
    expect(draftFieldOf(problem('iceServers', -1, 'malformed'), withStun)).toBeUndefined()
  })
})
