import { createSignal, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { ThemeSwitch } from './ThemeSwitch'

export const AppFooter: Component = () => {
  const client = useClient()
  const [checking, setChecking] = createSignal(false)
  const check = async () => {
    setChecking(true)
    try {
      await client.appUpdate.checkForUpdate()
    } finally {
      setChecking(false)
    }
  }
  return (
    <footer class="footer">
      <ThemeSwitch />
      <p>
        Version <span data-testid="app-version">{client.version}</span>
      </p>
      <button type="button" class="button" disabled={checking()} onClick={() => void check()}>
        {checking() ? 'Checking for updates…' : 'Check for updates'}
      </button>
    </footer>
  )
}
