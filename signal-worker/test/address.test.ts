import { describe, expect, it } from 'vitest'
import { addressKey, INVALID_ADDRESS } from '../src/address'
import { clientAddress, LOCAL_ADDRESS, UNKNOWN_ADDRESS } from '../src/client-address'

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['64:ff9b::203.0.113.7', '64:ff9b:0:0::/64'],
  ])('counts %s as %s', (raw, key) => {
    expect(addressKey(raw)).toBe(key)
  })

  it.each(['', 'localhost', '256.1.1.1', '1.2.3', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '1.2.3.4::', 'g::1'])(
    'puts %j with the other unreadable addresses',
    (raw) => {
      expect(addressKey(raw)).toBe(INVALID_ADDRESS)
    },
  )
})

describe('clientAddress', () => {
  const headers = new Headers({ 'cf-connecting-ip': '2001:db8:1:2::5' })

  it('reads CF-Connecting-IP only behind Cloudflare’s edge', () => {
    expect(clientAddress(headers, true)).toBe('2001:db8:1:2::/64')
    expect(clientAddress(headers, false)).toBe(LOCAL_ADDRESS)
    expect(clientAddress(new Headers(), true)).toBe(UNKNOWN_ADDRESS)
  })
})
