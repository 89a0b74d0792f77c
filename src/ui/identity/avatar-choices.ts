/** Avatar colours with enough contrast for white text in both themes. */
export const AVATAR_COLOURS = ['#2f5d50', '#1f5fa8', '#7a3fb0', '#b0306a', '#a8461f', '#5b6b1f'] as const

export const AVATAR_COLOUR_NAMES: Record<(typeof AVATAR_COLOURS)[number], string> = {
  '#2f5d50': 'Forest',
  '#1f5fa8': 'Ocean',
  '#7a3fb0': 'Violet',
  '#b0306a': 'Berry',
  '#a8461f': 'Rust',
  '#5b6b1f': 'Olive',
}

const BROWSERS: readonly (readonly [marker: string, name: string])[] = [
  ['Edg/', 'Edge'],
  ['Firefox/', 'Firefox'],
  ['Chrome/', 'Chrome'],
  ['Chromium/', 'Chrome'],
  ['Safari/', 'Safari'],
]
const SYSTEMS: readonly (readonly [marker: string, name: string])[] = [
  ['Android', 'Android'],
  ['iPhone', 'iOS'],
  ['iPad', 'iOS'],
  ['Mac OS X', 'macOS'],
  ['Windows', 'Windows'],
  ['Linux', 'Linux'],
]

const firstMatch = (userAgent: string, table: typeof BROWSERS, fallback: string): string =>
  table.find(([marker]) => userAgent.includes(marker))?.[1] ?? fallback

/** A name for this device that a person recognises in a list ("Chrome on Linux"). */
export const suggestDeviceName = (userAgent: string): string =>
  `${firstMatch(userAgent, BROWSERS, 'Browser')} on ${firstMatch(userAgent, SYSTEMS, 'this computer')}`
