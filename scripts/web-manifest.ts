import type { ManifestOptions } from 'vite-plugin-pwa'

export const themeColor = '#2f5d50'
export const backgroundColor = '#f7f5f0'

export const webManifest: Partial<ManifestOptions> = {
  id: '/',
  name: 'Commonplace',
  short_name: 'Commonplace',
  description:
    'Notes and tasks that live on your own devices and sync directly between the people you share them with. No account, no server holding your data.',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  orientation: 'any',
  lang: 'en',
  dir: 'ltr',
  categories: ['productivity'],
  theme_color: themeColor,
  background_color: backgroundColor,
  icons: [
    { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
}
