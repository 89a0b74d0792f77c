import { Cell, err, ok, type Observable, type Result } from '../base'
import { toProblem, type Problem } from './problem-words'
import {
  allowedRelayOrigins,
  defaultMeshSettings,
  parseMeshSettings,
  validateMeshSettings,
  type MeshSettings,
  type MeshSettingsInput,
} from '../mesh'

const STORAGE_KEY = 'commonplace.mesh-settings'

export interface MeshSettingsApi {
  /** The settings in force: the person's saved ones, or this build's defaults. */
  readonly current: Observable<MeshSettings>
  /** What this build was configured with (`VITE_SIGNAL_URLS` and friends). */
  readonly defaults: MeshSettings
  /** The relay origins this build's Content-Security-Policy lets the page reach; `save` refuses others. */
  readonly allowedOrigins: readonly string[]
  /** Whether `current` differs from the defaults because the person saved their own. */
  readonly customised: Observable<boolean>
  /** Refused with one problem per wrong entry (`field` and `index` name it), or the storage's refusal. */
  save(input: MeshSettingsInput): Promise<Result<MeshSettings, readonly SettingsProblem[]>>
  resetToDefaults(): Promise<Result<void, Problem>>
}

/** A refused setting: its field and, in a list, the entry (`index`, -1 for the list as a whole). */
export interface SettingsProblem extends Problem {
  readonly index?: number
}

/** Storage of the mesh settings; `localStorage` in the app, a map in tests. */
export interface SettingsStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const readSaved = (storage: SettingsStorage, allowedOrigins: readonly string[]): MeshSettings | undefined => {
  const text = storage.getItem(STORAGE_KEY)
  if (text === null) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  // Stored settings are checked again: a hand-edited or older value never reaches Trystero unchecked,
  // and a relay that a newer build no longer allows falls back to the defaults.
  const result = parseMeshSettings(value, allowedOrigins)
  return result.ok ? result.value : undefined
}

/** Settings for the mesh, kept on this device; a bad saved value falls back to the build's defaults. */
export const createMeshSettings = (
  storage: SettingsStorage,
  defaults: MeshSettings = defaultMeshSettings(),
  allowedOrigins: readonly string[] = allowedRelayOrigins(),
): MeshSettingsApi => {
  const saved = readSaved(storage, allowedOrigins)
  const current = new Cell<MeshSettings>(saved ?? defaults)
  const customised = new Cell(saved !== undefined)
  return {
    current,
    defaults,
    allowedOrigins,
    customised,
    save: (input) => {
      const result = validateMeshSettings(input, allowedOrigins)
      if (!result.ok) return Promise.resolve(err(result.error))
      try {
        // localStorage throws when the origin is out of space.
        storage.setItem(STORAGE_KEY, JSON.stringify(result.value))
      } catch (error) {
        return Promise.resolve(err([toProblem(error)]))
      }
      current.set(result.value)
      customised.set(true)
      return Promise.resolve(ok(result.value))
    },
    resetToDefaults: () => {
      try {
        storage.removeItem(STORAGE_KEY)
      } catch (error) {
        return Promise.resolve(err(toProblem(error)))
      }
      current.set(defaults)
      customised.set(false)
      return Promise.resolve(ok(undefined))
    },
  }
}
