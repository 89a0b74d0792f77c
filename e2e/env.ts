import { fileURLToPath } from 'node:url'

/** The build id of the app the suite runs against; update tests build a newer one beside it. */
export const E2E_BUILD = 'e2e-1'

/** Where the suite's build lives (apart from `dist/`, so `npm start` is not disturbed). */
export const e2eDist = fileURLToPath(new URL('.tmp/dist/', import.meta.url))
export const e2eTmp = fileURLToPath(new URL('.tmp/', import.meta.url))

export const envKeys = {
  appUrl: 'E2E_APP_URL',
  signalHttpUrl: 'E2E_SIGNAL_HTTP_URL',
  signalRelayUrl: 'E2E_SIGNAL_RELAY_URL',
} as const

/** A value the global setup put in the environment. */
export const fromSetup = (key: (typeof envKeys)[keyof typeof envKeys]): string => {
  const value = process.env[key]
  if (value === undefined) throw new Error(`${key} is not set: run the tests through playwright.config.ts`)
  return value
}
