/**
 * The contrast of every colour pair the stylesheet draws, in light and dark, computed with the WCAG
 * 2 formula from the palette as written in styles.css. A palette change that breaks contrast, a
 * colour written outside the palette, or figures in CONTEXT.md that no longer match fail here.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AVATAR_COLOURS } from './identity/avatar-choices'

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8')
/** Table cells without the padding prettier adds to align a markdown table. */
const cells = (text: string): string => text.replace(/ *\| */g, '|')
const context = cells(readFileSync(new URL('./CONTEXT.md', import.meta.url), 'utf8'))

const TEXT = 4.5
const NON_TEXT = 3

/** Tokens that draw only decoration (dividers, region outlines), so no contrast is required of them. */
const DECORATIVE = new Set(['border'])
/** Variables a component sets inline from data: an avatar's colour, a colour swatch. */
const INLINE = new Set(['avatar', 'swatch'])

interface Pair {
  readonly fg: string
  readonly bg: string
  readonly needs: number
  readonly use: string
}

const PAIRS: readonly Pair[] = [
  { fg: 'text', bg: 'bg', needs: TEXT, use: 'page text, inputs, form errors, the button in a toast' },
  { fg: 'text', bg: 'surface', needs: TEXT, use: 'text in a region, buttons' },
  { fg: 'muted', bg: 'bg', needs: TEXT, use: 'footer, hints outside regions' },
  { fg: 'muted', bg: 'surface', needs: TEXT, use: "a region's prose, hints" },
  { fg: 'accent', bg: 'bg', needs: TEXT, use: 'links' },
  { fg: 'accent', bg: 'surface', needs: TEXT, use: 'links and link buttons in a region' },
  { fg: 'accent-text', bg: 'accent', needs: TEXT, use: 'primary button' },
  { fg: 'danger', bg: 'surface', needs: TEXT, use: 'danger button, invalid field edge' },
  { fg: 'danger', bg: 'bg', needs: TEXT, use: "a form error's mark, invalid field edge" },
  { fg: 'danger-text', bg: 'danger', needs: TEXT, use: 'danger button under the pointer' },
  { fg: 'bg', bg: 'text', needs: TEXT, use: 'toast text and its focus ring' },
  { fg: 'focus', bg: 'bg', needs: NON_TEXT, use: 'focus ring' },
  { fg: 'focus', bg: 'surface', needs: NON_TEXT, use: 'focus ring in a region' },
  { fg: 'control-border', bg: 'bg', needs: NON_TEXT, use: 'edge of a control' },
  { fg: 'control-border', bg: 'surface', needs: NON_TEXT, use: 'edge of a control in a region' },
  { fg: 'warn', bg: 'surface', needs: NON_TEXT, use: 'offline dot, warning edge' },
  { fg: 'ok', bg: 'surface', needs: NON_TEXT, use: 'online dot' },
  { fg: 'qr-dark', bg: 'qr-light', needs: NON_TEXT, use: 'QR code modules (both themes)' },
]

type Theme = 'light' | 'dark'
type Colours = Readonly<Record<Theme, string>>

/** The text of the `@layer name { … }` block. */
const layerBlock = (name: string): { start: number; end: number } => {
  const start = css.indexOf(`@layer ${name} {`)
  if (start < 0) throw new Error(`styles.css has no @layer ${name}`)
  let depth = 0
  for (let index = css.indexOf('{', start); index < css.length; index++) {
    if (css[index] === '{') depth++
    if (css[index] === '}' && --depth === 0) return { start, end: index + 1 }
  }
  throw new Error(`@layer ${name} is not closed`)
}

const tokens = layerBlock('tokens')
const tokensText = css.slice(tokens.start, tokens.end)

/** The palette: each colour variable of the tokens layer, in light and dark. */
const palette: ReadonlyMap<string, Colours> = new Map(
  [
    ...tokensText.matchAll(
      /--([\w-]+):\s*(?:light-dark\(\s*(#[0-9a-f]{6})\s*,\s*(#[0-9a-f]{6})\s*\)|(#[0-9a-f]{6}))\s*;/gi,
    ),
  ].map(([, name = '', light, dark, both]) => [name, { light: light ?? both ?? '', dark: dark ?? both ?? '' }]),
)

const colour = (name: string): Colours => {
  const found = palette.get(name)
  if (!found) throw new Error(`--${name} is not a colour of the palette`)
  return found
}

const channel = (value: number): number => {
  const c = value / 255
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}

/** WCAG 2 relative luminance of #rrggbb. */
const luminance = (hex: string): number => {
  const n = Number.parseInt(hex.slice(1), 16)
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 0xff) + 0.0722 * channel(n & 0xff)
}

const contrast = (a: string, b: string): number => {
  const [high = 0, low = 0] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (high + 0.05) / (low + 0.05)
}

/** Rounded down, so a figure shown as 4.50 is never really 4.497. */
const figure = (ratio: number): string => (Math.floor(ratio * 100) / 100).toFixed(2)

interface Measured {
  readonly row: string
  readonly needs: number
  readonly ratios: Readonly<Record<Theme, number>>
}

const measured: readonly Measured[] = [
  ...PAIRS.map(({ fg, bg, needs, use }) => {
    const ratios = {
      light: contrast(colour(fg).light, colour(bg).light),
      dark: contrast(colour(fg).dark, colour(bg).dark),
    }
    return {
      row: `| \`${fg}\` on \`${bg}\` | ${use} | ${needs} | ${figure(ratios.light)} | ${figure(ratios.dark)} |`,
      needs,
      ratios,
    }
  }),
  ...AVATAR_COLOURS.map((avatar) => {
    const ratio = contrast(colour('avatar-text').light, avatar)
    return {
      row: `| \`avatar-text\` on ${avatar} | initials on an avatar | ${TEXT} | ${figure(ratio)} | ${figure(ratio)} |`,
      needs: TEXT,
      ratios: { light: ratio, dark: ratio },
    }
  }),
]

describe('the contrast formula', () => {
  it('gives the WCAG figures for known pairs', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrast('#ffffff', '#ffffff')).toBe(1)
    // The grey WCAG's own examples cite as just failing 4.5:1 on white.
    expect(figure(contrast('#777777', '#ffffff'))).toBe('4.47')
  })
})

describe('the palette', () => {
  it.each(measured)('$row', ({ needs, ratios }) => {
    expect(ratios.light).toBeGreaterThanOrEqual(needs)
    expect(ratios.dark).toBeGreaterThanOrEqual(needs)
  })

  it('checks every colour of the palette in some pair, or names it as decoration', () => {
    const checked = new Set([...PAIRS.flatMap((pair) => [pair.fg, pair.bg]), 'avatar-text', ...DECORATIVE])
    expect([...palette.keys()].filter((name) => !checked.has(name))).toEqual([])
  })

  it('is the only place a colour is written, and every variable used is defined', () => {
    const outside = css.slice(0, tokens.start) + css.slice(tokens.end)
    expect(outside.match(/#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|oklch|light-dark)\(/gi)).toBeNull()
    const used = new Set([...outside.matchAll(/var\(--([\w-]+)\)/g)].map(([, name = '']) => name))
    const defined = new Set([...tokensText.matchAll(/--([\w-]+):/g)].map(([, name = '']) => name))
    expect([...used].filter((name) => !defined.has(name) && !INLINE.has(name))).toEqual([])
  })

  it('has its figures written in CONTEXT.md as measured', () => {
    const missing = measured.map(({ row }) => row).filter((row) => !context.includes(cells(row)))
    expect(missing, 'rows to write in src/ui/CONTEXT.md').toEqual([])
  })
})
