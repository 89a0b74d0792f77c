import { describe, expect, it } from 'vitest'
import { allowedRelayOrigins, defaultMeshSettings } from '../mesh'
import { createMeshSettings, type SettingsStorage } from './mesh-settings'

const memoryStorage = (): SettingsStorage & { items: Map<string, string> } => {
  const items = new Map<string, string>()
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => items.set(key, value),
    removeItem: (key) => items.delete(key),
  }
}

const build = {
  VITE_SIGNAL_URLS: 'wss://signal.example.org/r/main',
  VITE_ALLOWED_RELAYS: 'wss://mine.example.net,wss://other.example.net',
}
const defaults = defaultMeshSettings(build)
const allowed = allowedRelayOrigins(build)

describe('mesh settings', () => {
  it('refuses to save when the storage is full, and keeps what was in force', async () => {
    const storage = memoryStorage()
    storage.setItem = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    const settings = createMeshSettings(storage, defaults, allowed)
    const saved = await settings.save({
      signalUrls: ['wss://mine.example.net/r/team'],
      publicRelays: [],
      iceServers: [],
    })
    expect(!saved.ok && saved.error.map((problem) => problem.code)).toEqual(['storage-quota-exceeded'])
    expect(settings.current.get()).toEqual(defaults)
    expect(settings.customised.get()).toBe(false)
  })

  it("starts from the build's defaults", () => {
    const settings = createMeshSettings(memoryStorage(), defaults, allowed)
    expect(settings.current.get()).toEqual(defaults)
    expect(settings.customised.get()).toBe(false)
  })

  it('saves valid settings, which a later start reads back', async () => {
    const storage = memoryStorage()
    const settings = createMeshSettings(storage, defaults, allowed)
    const saved = await settings.save({
      signalUrls: ['wss://mine.example.net/r/team'],
      publicRelays: [],
      iceServers: [{ urls: ['stun:stun.example.net:3478'] }],
    })
    expect(saved.ok).toBe(true)
    expect(settings.customised.get()).toBe(true)
    const again = createMeshSettings(storage, defaults, allowed)
    expect(again.current.get().signalUrls).toEqual(['wss://mine.example.net/r/team'])
    expect(again.current.get().iceServers).toEqual([{ urls: ['stun:stun.example.net:3478'] }])
  })

  it('refuses invalid settings with the problems and keeps what was in force', async () => {
    const storage = memoryStorage()
    const settings = createMeshSettings(storage, defaults, allowed)
    const result = await settings.save({ signalUrls: ['http://nope'], publicRelays: [], iceServers: [] })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.map((problem) => problem.code)).toEqual(['wrong-scheme'])
    expect(settings.current.get()).toEqual(defaults)
    expect(storage.items.size).toBe(0)
  })

  it('refuses a relay the build does not allow (the page could not reach it), and forgets a saved one', async () => {
    const storage = memoryStorage()
    const settings = createMeshSettings(storage, defaults, allowed)
    expect(settings.allowedOrigins).toEqual([
      'wss://signal.example.org',
      'wss://mine.example.net',
      'wss://other.example.net',
    ])
    const result = await settings.save({
      signalUrls: ['wss://elsewhere.example.com/r/main'],
      publicRelays: [],
      iceServers: [],
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.map((problem) => problem.code)).toEqual(['relay-not-allowed'])
    expect(storage.items.size).toBe(0)
    // Saved by a build that allowed it: this build starts from its defaults instead.
    storage.setItem(
      'commonplace.mesh-settings',
      JSON.stringify({ signalUrls: ['wss://elsewhere.example.com/r/main'], publicRelays: [], iceServers: [] }),
    )
    const later = createMeshSettings(storage, defaults, allowed)
    expect(later.current.get()).toEqual(defaults)
    expect(later.customised.get()).toBe(false)
  })

  it('ignores a damaged saved value and can reset to the defaults', async () => {
    const storage = memoryStorage()
    storage.setItem('commonplace.mesh-settings', '{not json')
    expect(createMeshSettings(storage, defaults, allowed).current.get()).toEqual(defaults)
    storage.setItem(
      'commonplace.mesh-settings',
      JSON.stringify({ signalUrls: ['ftp://x'], publicRelays: [], iceServers: [] }),
    )
    expect(createMeshSettings(storage, defaults, allowed).current.get()).toEqual(defaults)

    const settings = createMeshSettings(storage, defaults, allowed)
    await settings.save({ signalUrls: ['wss://other.example.net/r/x'], publicRelays: [], iceServers: [] })
    expect((await settings.resetToDefaults()).ok).toBe(true)
    expect(settings.current.get()).toEqual(defaults)
    expect(settings.customised.get()).toBe(false)
    expect(storage.items.has('commonplace.mesh-settings')).toBe(false)
  })
})
