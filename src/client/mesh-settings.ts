import { Cell, err, ok, type Observable, type Result } from '../base'
import {
  defaultMeshSettings,
  parseMeshSettings,
  validateMeshSettings,
  type MeshSettings,
  type MeshSettingsInput,
  type MeshSettingsProblem,
} from '../mesh'

const STORAGE_KEY = 'commonplace.mesh-settings'

export interface MeshSettingsApi {
  /** The settings in force: the person's saved ones, or this build's defaults. */
  readonly current: Observable<MeshSettings>
  /** What this build was configured with (`VITE_SIGNAL_URLS` and friends). */
  readonly defaults: MeshSettings
  /** Whether `current` differs from the defaults because the person saved their own. */
  readonly customised: Observable<boolean>
  save(input: MeshSettingsInput): Result<MeshSettings, readonly MeshSettingsProblem[]>
  resetToDefaults(): void
}

/** Storage of the mesh settings; `localStorage` in the app, a map in tests. */
export interface SettingsStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const readSaved = (storage: SettingsStorage): MeshSettings | undefined => {
  const text = storage.getItem(STORAGE_KEY)
  if (text === null) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  // Stored settings are checked again: a hand-edited or older value never reaches Trystero unchecked.
  const result = parseMeshSettings(value)
  return result.ok ? result.value : undefined
}

/** Settings for the mesh, kept on this device; a bad saved value falls back to the build's defaults. */
export const createMeshSettings = (
  storage: SettingsStorage,
  defaults: MeshSettings = defaultMeshSettings(),
): MeshSettingsApi => {
  const saved = readSaved(storage)
  const current = new Cell<MeshSettings>(saved ?? defaults)
  const customised = new Cell(saved !== undefined)
  return {
    current,
    defaults,
    customised,
    save: (input) => {
      const result = validateMeshSettings(input)
      if (!result.ok) return err(result.error)
      storage.setItem(STORAGE_KEY, JSON.stringify(result.value))
      current.set(result.value)
      customised.set(true)
      return ok(result.value)
    },
    resetToDefaults: () => {
      storage.removeItem(STORAGE_KEY)
      current.set(defaults)
      customised.set(false)
    },
  }
}
