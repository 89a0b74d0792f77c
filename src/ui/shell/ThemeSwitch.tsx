import { createSignal, For, type Component } from 'solid-js'

const themes = ['system', 'light', 'dark'] as const
type Theme = (typeof themes)[number]
const STORAGE_KEY = 'commonplace.theme'

const isTheme = (value: string | null): value is Theme => themes.some((theme) => theme === value)

const applyTheme = (theme: Theme): void => {
  if (theme === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = theme
}

/** Light, dark, or whatever the system prefers; remembered on this device. */
export const ThemeSwitch: Component = () => {
  const stored = localStorage.getItem(STORAGE_KEY)
  const initial = isTheme(stored) ? stored : 'system'
  const [theme, setTheme] = createSignal<Theme>(initial)
  applyTheme(initial)
  const choose = (next: Theme) => {
    setTheme(next)
    applyTheme(next)
    localStorage.setItem(STORAGE_KEY, next)
  }
  return (
    <fieldset class="theme-switch">
      <legend>Theme</legend>
      <For each={themes}>
        {(option) => (
          <label>
            <input
              type="radio"
              name="theme"
              value={option}
              checked={theme() === option}
              onChange={() => {
                choose(option)
              }}
            />
            {option === 'system' ? 'System' : option === 'light' ? 'Light' : 'Dark'}
          </label>
        )}
      </For>
    </fieldset>
  )
}
