import { readFileSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import solid from 'vite-plugin-solid'
import { contentSecurityPolicy } from './scripts/csp.ts'
import { webManifest } from './scripts/web-manifest.ts'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

/** The build id distinguishes two builds of one version, so an update is visible to people and tests. */
const build = process.env.APP_BUILD ?? new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')

/** The CSP goes into the built page only: the dev server injects inline styles and scripts for hot reload. */
const cspMeta = (): Plugin => ({
  name: 'commonplace-csp',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy },
      injectTo: 'head-prepend',
    },
  ],
})

export default defineConfig({
  define: {
    __APP_VERSION__: JSON.stringify(`${pkg.version}+${build}`),
  },
  resolve: {
    // Libraries that import Automerge's full entry (automerge-codemirror) get the slim one the app
    // initializes with its separately served wasm, instead of a second, inlined copy.
    alias: [{ find: /^@automerge\/automerge$/, replacement: '@automerge/automerge/slim' }],
  },
  build: {
    target: 'es2023',
    sourcemap: true,
  },
  plugins: [
    solid(),
    cspMeta(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: webManifest,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,png,svg,ico,webmanifest,txt}'],
        // automerge.wasm is about 3.6 MB, over Workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
})
