import { describe, expect, it } from 'vitest'
import type { JoinState, OfferState, SyncStatus } from '../../client'
import { codeText, joinEnded, joinText, offerText, syncAgo, syncText } from './link-words'

const problem = { code: 'storage-failed', message: "The browser's storage failed." }
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0)

describe('codeText', () => {
  it('groups a code by three for reading aloud and comparing', () => {
    expect(codeText('482913')).toBe('482 913')
    expect(codeText('482 913')).toBe('482 913')
    expect(codeText('12345678')).toBe('123 456 78')
  })
})

describe('offerText', () => {
  it('says each step on the device that offers the link', () => {
    const words: [OfferState, string][] = [
      [{ kind: 'waiting' }, 'Open this link on your other device'],
      [{ kind: 'confirm', code: '482913', deviceName: 'Phone' }, 'Check that your other device shows 482 913'],
      [{ kind: 'linking', deviceName: 'Phone' }, 'Linking Phone…'],
      [{ kind: 'linked', deviceName: 'Phone' }, 'Phone is linked'],
      [{ kind: 'expired' }, 'This link has expired: make a new one'],
      [{ kind: 'failed', problem }, problem.message],
    ]
    for (const [state, text] of words) expect(offerText(state)).toBe(text)
    expect(offerText({ kind: 'denied' })).toMatch(/^You denied this device/)
  })
})

describe('joinText', () => {
  it('says each step on the device that joins, in the words of the issue', () => {
    const words: [JoinState, string][] = [
      [{ kind: 'looking' }, 'Looking for your other device…'],
      [{ kind: 'unreachable' }, 'Your other device is not online: keep it open with the app'],
      [{ kind: 'found', name: 'Ada', avatar: { colour: '#2f5d50' }, fingerprint: 'AB12' }, 'Connected'],
      [{ kind: 'confirm', code: '482913' }, 'Check that your other device shows 482 913'],
      [{ kind: 'receiving', done: 3, total: 7 }, 'Receiving your spaces: 3 of 7'],
      [{ kind: 'expired' }, 'This link has expired: make a new one on your other device'],
      [{ kind: 'used' }, 'This link was already used: make a new one'],
      [{ kind: 'failed', problem }, problem.message],
    ]
    for (const [state, text] of words) expect(joinText(state)).toBe(text)
    expect(joinText({ kind: 'denied' })).toMatch(/denied/)
  })

  it('ends on a refusal, and goes on while looking, connected or receiving', () => {
    expect(joinEnded({ kind: 'used' })).toBe(true)
    expect(joinEnded({ kind: 'failed', problem })).toBe(true)
    expect(joinEnded({ kind: 'unreachable' })).toBe(false)
    expect(joinEnded({ kind: 'receiving', done: 0, total: 1 })).toBe(false)
  })
})

describe('syncText', () => {
  it('says sync status in words', () => {
    const words: [SyncStatus, string][] = [
      [{ kind: 'up-to-date', devices: 2 }, 'Up to date with 2 devices'],
      [{ kind: 'up-to-date', devices: 1 }, 'Up to date with 1 device'],
      [{ kind: 'syncing' }, 'Syncing…'],
      [
        { kind: 'syncing', tooLarge: 1 },
        'Syncing… 1 note or list is too large to send (over 16 MB) and stays on this device only',
      ],
      [
        { kind: 'syncing', tooLarge: 3 },
        'Syncing… 3 notes or lists are too large to send (over 16 MB) and stay on this device only',
      ],
      [{ kind: 'offline' }, 'Offline: changes are kept on this device'],
      [{ kind: 'looking' }, 'Looking for your other devices…'],
      [{ kind: 'solo' }, 'Only on this device'],
    ]
    for (const [status, text] of words) {
      expect(syncText(status)).toBe(text)
      expect(syncAgo(status, NOW)).toBeUndefined()
    }
  })

  it('says when it last synced, the time apart from the words announced', () => {
    const idle: SyncStatus = { kind: 'idle', deviceName: 'Phone', at: NOW - 5 * 60_000 }
    expect(`${syncText(idle)} ${syncAgo(idle, NOW) ?? ''}`).toBe('Last synced with Phone 5 min ago')
  })
})
