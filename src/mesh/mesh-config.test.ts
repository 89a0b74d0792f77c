import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  allowedRelayOrigins,
  buildRoomConfig,
  defaultMeshSettings,
  MAX_ICE_SERVERS,
  MAX_RELAYS,
  MESH_APP_ID,
  UNUSED_CONNECTION_MS,
  MeshSettingsCode,
  MeshSettingsError,
  parseMeshSettings,
  validateMeshSettings,
  type MeshSettingsInput,
} from './mesh-config'
import { DEFAULT_SIGNAL_URL } from './build-env'

const input = (overrides: Partial<MeshSettingsInput> = {}): MeshSettingsInput => ({
  signalUrls: ['wss://signal.example/r/main'],
  publicRelays: [],
  iceServers: [],
  ...overrides,
})

const codes = (settings: MeshSettingsInput): string[] => {
  const result = validateMeshSettings(settings)
  return result.ok ? [] : result.error.map((problem) => `${problem.field}[${problem.index}] ${problem.code}`)
}

describe('defaultMeshSettings', () => {
  it('uses the local dev worker and no third party when the build names nothing', () => {
    expect(defaultMeshSettings({})).toEqual({ signalUrls: [DEFAULT_SIGNAL_URL], publicRelays: [], iceServers: [] })
  })

  it('reads comma-separated build-time lists', () => {
    expect(
      defaultMeshSettings({
        VITE_SIGNAL_URLS: ' wss://a.example/r/main , wss://b.example/r/main,',
        VITE_PUBLIC_RELAYS: 'wss://relay.example',
        VITE_STUN_URLS: 'stun:stun.example:3478',
      }),
    ).toEqual({
      signalUrls: ['wss://a.example/r/main', 'wss://b.example/r/main'],
      publicRelays: ['wss://relay.example/'],
      iceServers: [{ urls: ['stun:stun.example:3478'] }],
    })
  })

  it('refuses to start from a broken build-time URL', () => {
    expect(() => defaultMeshSettings({ VITE_SIGNAL_URLS: 'http://signal.example' })).toThrow(MeshSettingsError)
  })
})

describe('allowedRelayOrigins', () => {
  it('is the local dev worker when the build names nothing', () => {
    expect(allowedRelayOrigins({})).toEqual(['ws://127.0.0.1:8787'])
  })

  it('lists the origins of the default relays and of VITE_ALLOWED_RELAYS, once each', () => {
    expect(
      allowedRelayOrigins({
        VITE_SIGNAL_URLS: 'wss://a.example/r/main,wss://a.example/r/other,wss://b.example:8443/r/main',
        VITE_PUBLIC_RELAYS: 'wss://relay.example',
        VITE_ALLOWED_RELAYS: 'wss://extra.example/, wss://a.example',
      }),
    ).toEqual(['wss://a.example', 'wss://b.example:8443', 'wss://relay.example', 'wss://extra.example'])
  })

  it('refuses a build-time allowed relay that is not a secure relay URL', () => {
    expect(() => allowedRelayOrigins({ VITE_ALLOWED_RELAYS: 'https://relay.example' })).toThrow(MeshSettingsError)
    expect(() => allowedRelayOrigins({ VITE_ALLOWED_RELAYS: 'ws://relay.example' })).toThrow(MeshSettingsError)
  })
})

describe('validateMeshSettings', () => {
  it('with allowed origins, refuses a relay on any other origin and accepts any path on an allowed one', () => {
    const allowed = ['wss://s.example', 'ws://127.0.0.1:8787']
    const result = validateMeshSettings(
      input({ signalUrls: ['wss://s.example/r/team', 'ws://127.0.0.1:8787/r/main'], publicRelays: [] }),
      allowed,
    )
    expect(result.ok).toBe(true)
    const refused = validateMeshSettings(
      input({ signalUrls: ['wss://s.example:444/r/main'], publicRelays: ['wss://relay.example'] }),
      allowed,
    )
    expect(
      refused.ok ? [] : refused.error.map((problem) => `${problem.field}[${problem.index}] ${problem.code}`),
    ).toEqual(['signalUrls[0] relay-not-allowed', 'publicRelays[0] relay-not-allowed'])
  })

  it('accepts wss anywhere and ws on this machine, removing duplicates', () => {
    const result = validateMeshSettings(
      input({
        signalUrls: [
          'ws://127.0.0.1:8787/r/main',
          'ws://localhost:1/r/x',
          'wss://s.example/r/main',
          'wss://s.example/r/main',
        ],
        publicRelays: ['wss://s.example/r/main', 'wss://relay.example'],
      }),
    )
    expect(result).toEqual({
      ok: true,
      value: {
        signalUrls: ['ws://127.0.0.1:8787/r/main', 'ws://localhost:1/r/x', 'wss://s.example/r/main'],
        publicRelays: ['wss://relay.example/'],
        iceServers: [],
      },
    })
  })

  it('names each bad relay URL with a code, its field and its position', () => {
    expect(
      codes(input({ signalUrls: ['nope', 'https://s.example', 'ws://s.example/r/main'], publicRelays: ['ftp://x'] })),
    ).toEqual([
      'signalUrls[0] not-a-url',
      'signalUrls[1] wrong-scheme',
      'signalUrls[2] insecure-relay',
      'publicRelays[0] wrong-scheme',
    ])
  })

  it('needs at least one relay, and not too many', () => {
    expect(codes(input({ signalUrls: [] }))).toEqual(['signalUrls[-1] no-relay'])
    const many = Array.from({ length: MAX_RELAYS + 1 }, (_, i) => `wss://r${i}.example`)
    expect(codes(input({ publicRelays: many }))).toEqual(['publicRelays[-1] too-many-relays'])
  })

  it('checks STUN and TURN servers', () => {
    const turn = { urls: ['turn:turn.example:3478?transport=udp'], username: 'u', credential: 'c' }
    expect(codes(input({ iceServers: [{ urls: ['stun:stun.example'] }, turn] }))).toEqual([])
    expect(
      codes(
        input({
          iceServers: [
            { urls: [] },
            { urls: ['http://stun.example'] },
            { urls: ['turns:turn.example'] },
            { urls: ['::'] },
          ],
        }),
      ),
    ).toEqual([
      'iceServers[0] no-ice-url',
      'iceServers[1] wrong-scheme',
      'iceServers[2] turn-needs-credentials',
      'iceServers[3] not-a-url',
    ])
  })

  it('knows a TURN server by its parsed scheme, whatever its case', () => {
    expect(codes(input({ iceServers: [{ urls: ['TURN:turn.example:3478'] }] }))).toEqual([
      'iceServers[0] turn-needs-credentials',
    ])
    expect(codes(input({ iceServers: [{ urls: ['Turns:turn.example'], username: 'u', credential: 'c' }] }))).toEqual([])
  })

  it('takes at most MAX_ICE_SERVERS servers', () => {
    const many = Array.from({ length: MAX_ICE_SERVERS + 1 }, (_, i) => ({ urls: [`stun:s${i}.example`] }))
    expect(codes(input({ iceServers: many }))).toEqual(['iceServers[-1] too-many-ice-servers'])
    expect(codes(input({ iceServers: many.slice(1) }))).toEqual([])
  })
})

describe('parseMeshSettings', () => {
  it('validates well-shaped settings of unknown origin', () => {
    expect(parseMeshSettings(JSON.parse(JSON.stringify(input())))).toEqual(validateMeshSettings(input()))
  })

  it('names each field of the wrong shape instead of throwing', () => {
    const fields = (value: unknown): string[] => {
      const result = parseMeshSettings(value)
      return result.ok ? [] : result.error.map((problem) => `${problem.field} ${problem.code}`)
    }
    expect(fields(null)).toEqual(['signalUrls malformed', 'publicRelays malformed', 'iceServers malformed'])
    expect(fields({ ...input(), signalUrls: 'wss://a.example' })).toEqual(['signalUrls malformed'])
    expect(fields({ ...input(), iceServers: [{ urls: ['stun:s.example'], username: 1 }] })).toEqual([
      'iceServers malformed',
    ])
  })

  it('keeps only the fields it knows, whatever else a stored value carries', () => {
    const stored = JSON.parse(
      '{"signalUrls":["wss://signal.example/r/main"],"publicRelays":[],"extra":1,' +
        '"iceServers":[{"urls":["stun:s.example"],"__proto__":{"polluted":true},"note":"x"}]}',
    ) as unknown
    const result = parseMeshSettings(stored)
    expect(result.ok && result.value).toEqual({
      signalUrls: ['wss://signal.example/r/main'],
      publicRelays: [],
      iceServers: [{ urls: ['stun:s.example'] }],
    })
  })

  it('answers any JSON value with settings or typed problems, never an exception', () => {
    const codes: readonly string[] = Object.values(MeshSettingsCode)
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ signalUrls: fc.jsonValue(), iceServers: fc.jsonValue() })),
        (value) => {
          const result = parseMeshSettings(value)
          if (!result.ok) expect(result.error.every((problem) => codes.includes(problem.code))).toBe(true)
        },
      ),
      { seed: 7, numRuns: 500 },
    )
  })
})

describe('buildRoomConfig', () => {
  it('lists our workers before public relays and always overrides the ICE servers', () => {
    const settings = defaultMeshSettings({ VITE_PUBLIC_RELAYS: 'wss://relay.example' })
    expect(buildRoomConfig(settings, { password: 'derived-secret' })).toEqual({
      appId: MESH_APP_ID,
      password: 'derived-secret',
      relayConfig: { urls: [DEFAULT_SIGNAL_URL, 'wss://relay.example/'] },
      rtcConfig: { iceServers: [] },
      _test_only_sharedPeerIdleMs: UNUSED_CONNECTION_MS,
    })
  })

  it('closes a connection no room uses any more (a refused peer’s) after 5 s, not Trystero’s 123 s', () => {
    const config = buildRoomConfig(defaultMeshSettings({}), { password: 'p' })
    expect(config._test_only_sharedPeerIdleMs).toBe(5_000)
  })

  it('passes TURN credentials through', () => {
    const result = validateMeshSettings(
      input({ iceServers: [{ urls: ['turns:t.example'], username: 'u', credential: 'c' }] }),
    )
    if (!result.ok) throw new Error('expected valid settings')
    expect(buildRoomConfig(result.value, { password: 'p' }).rtcConfig).toEqual({
      iceServers: [{ urls: ['turns:t.example'], username: 'u', credential: 'c' }],
    })
  })

  it('refuses a room without a password', () => {
    expect(() => buildRoomConfig(defaultMeshSettings({}), { password: '' })).toThrow(/password/)
  })
})
