import { existsSync } from 'node:fs'

/** Debian's Chromium when the machine has it (Playwright cannot download its own here), else Playwright's. */
export const systemChromium = '/usr/bin/chromium'

export const chromiumExecutable = (): { executablePath?: string } =>
  existsSync(systemChromium) ? { executablePath: systemChromium } : {}

/**
 * A `--disable-features` flag replaces Playwright's own list, so its entries
 * (Playwright 1.65) are repeated here, plus `WebRtcHideLocalIpsWithMdns`:
 * with mDNS host candidates, two pages on one machine never connect.
 */
const disabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'WebRtcHideLocalIpsWithMdns',
]

/** Flags for a closed network: Chromium tries to reach nothing but 127.0.0.1. */
export const chromiumArgs = [
  '--no-sandbox',
  `--disable-features=${disabledFeatures.join(',')}`,
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--no-pings',
  '--dns-prefetch-disable',
  '--disable-quic',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
]

export const chromiumLaunchOptions = (): { executablePath?: string; args: string[] } => ({
  ...chromiumExecutable(),
  args: chromiumArgs,
})
