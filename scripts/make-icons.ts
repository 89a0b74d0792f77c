/**
 * `npm run icons`: renders public/icons/icon.svg to the PNG icons of the web
 * manifest with the system Chromium. The PNGs are committed; run this only
 * after changing the SVG. The maskable icon keeps the mark inside the 80 %
 * safe zone on a full-bleed background.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'
import { themeColor } from './web-manifest.ts'
import { chromiumLaunchOptions } from './chromium.ts'

const icons = new URL('../public/icons/', import.meta.url)
const svg = readFileSync(new URL('icon.svg', icons), 'utf8')

const pageFor = (size: number, maskable: boolean): string => {
  const inset = maskable ? Math.round(size * 0.1) : 0
  const background = maskable ? themeColor : 'transparent'
  return `<!doctype html><html><body style="margin:0;background:${background}">
    <div style="width:${size}px;height:${size}px;box-sizing:border-box;padding:${inset}px;background:${background}">
      ${svg.replace('<svg ', `<svg width="${size - 2 * inset}" height="${size - 2 * inset}" `)}
    </div></body></html>`
}

const browser = await chromium.launch(chromiumLaunchOptions())
try {
  for (const [name, size, maskable] of [
    ['icon-192.png', 192, false],
    ['icon-512.png', 512, false],
    ['icon-maskable-512.png', 512, true],
    ['apple-touch-icon-180.png', 180, true],
  ] as const) {
    const page = await browser.newPage({ viewport: { width: size, height: size } })
    await page.setContent(pageFor(size, maskable))
    await page.screenshot({ path: fileURLToPath(new URL(name, icons)), omitBackground: !maskable })
    await page.close()
    console.log(`wrote public/icons/${name}`)
  }
} finally {
  await browser.close()
}
