import jsQR from 'jsqr'
import { describe, expect, it } from 'vitest'
import { QUIET_ZONE, qrModules, qrPath, qrSide } from './qr'

const LINK = `http://127.0.0.1:4173/#/join/${'AQI'.padEnd(94, 'x')}`

/** Draws the path's rectangles as a reader would see them: dark on white, `scale` pixels a module. */
const rasterize = (path: string, side: number, scale: number): Uint8ClampedArray => {
  const width = side * scale
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255)
  for (const [, x, y, w] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let row = Number(y) * scale; row < (Number(y) + 1) * scale; row += 1) {
      for (let column = Number(x) * scale; column < (Number(x) + Number(w)) * scale; column += 1) {
        const at = (row * width + column) * 4
        pixels[at] = pixels[at + 1] = pixels[at + 2] = 0
      }
    }
  }
  return pixels
}

describe('QR code', () => {
  it('draws a path a QR reader decodes back to the link', () => {
    const modules = qrModules(LINK)
    const side = qrSide(modules)
    const decoded = jsQR(rasterize(qrPath(modules), side, 4), side * 4, side * 4, { inversionAttempts: 'dontInvert' })
    expect(decoded?.data).toBe(LINK)
  })

  it('draws each run of dark modules once, inside the quiet zone', () => {
    const modules = [
      [true, true, false, true],
      [false, false, false, false],
      [false, true, true, true],
    ]
    expect(qrPath(modules, 2)).toBe('M2 2h2v1h-2zM5 2h1v1h-1zM3 4h3v1h-3z')
    expect(qrSide(modules, 2)).toBe(7)
  })

  it('leaves the quiet zone light: no module is drawn within four modules of the edge', () => {
    const modules = qrModules(LINK)
    const side = qrSide(modules)
    for (const [, x, y, w] of qrPath(modules).matchAll(/M(\d+) (\d+)h(\d+)/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(QUIET_ZONE)
      expect(Number(y)).toBeGreaterThanOrEqual(QUIET_ZONE)
      expect(Number(x) + Number(w)).toBeLessThanOrEqual(side - QUIET_ZONE)
      expect(Number(y)).toBeLessThan(side - QUIET_ZONE)
    }
  })
})
