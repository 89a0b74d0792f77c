import { encode } from 'uqr'

/** Light modules around the code that readers need to find it (ISO/IEC 18004 asks for 4). */
export const QUIET_ZONE = 4

/**
 * The modules of `text` as a QR code, `true` for dark, without a border (the SVG draws the quiet
 * zone). Level M (15% recovery): a link of about 120 characters stays a version small enough for a
 * phone to read off a laptop screen.
 */
export const qrModules = (text: string): readonly (readonly boolean[])[] => encode(text, { ecc: 'M', border: 0 }).data

/**
 * One SVG path that draws every dark module, in module units with the quiet zone as offset: a run of
 * dark modules in a row is one rectangle, so a 49-module code is a few hundred commands, not thousands
 * of elements.
 */
export const qrPath = (modules: readonly (readonly boolean[])[], quiet = QUIET_ZONE): string => {
  const parts: string[] = []
  modules.forEach((row, y) => {
    let x = 0
    while (x < row.length) {
      if (row[x] !== true) {
        x += 1
        continue
      }
      const start = x
      while (row[x] === true) x += 1
      parts.push(`M${start + quiet} ${y + quiet}h${x - start}v1h${start - x}z`)
    }
  })
  return parts.join('')
}

/** The side of the whole drawing, in modules, quiet zone included. */
export const qrSide = (modules: readonly (readonly boolean[])[], quiet = QUIET_ZONE): number =>
  modules.length + 2 * quiet
