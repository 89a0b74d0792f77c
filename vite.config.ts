import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, loadEnv, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import solid from 'vite-plugin-solid'
import { metaContentSecurityPolicy, securityHeaders } from './scripts/csp.ts'
import { formatHeadersFile, HEADERS_FILE } from './scripts/headers-file.ts'
import { webManifest } from './scripts/web-manifest.ts'
// The one file of src/mesh with no imports, so the build reads what the app reads (see its comment).
import { buildRelayOrigins } from './src/mesh/build-env.ts'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

/** The build id distinguishes two builds of one version, so an update is visible to people and tests. */
const build = process.env.APP_BUILD ?? new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')

/**
 * The CSP goes into the built page and every security header into `_headers`
 * beside it, built only: the dev server injects inline styles and scripts for
 * hot reload. `connectOrigins` come from the same build vars the app reads.
 */
const securityHeadersPlugin = (connectOrigins: readonly string[]): Plugin => ({
  name: 'commonplace-security-headers',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy(connectOrigins) },
      injectTo: 'head-prepend',
    },
  ],
  generateBundle() {
    this.emitFile({
      type: 'asset',
      fileName: HEADERS_FILE,
      source: formatHeadersFile(securityHeaders(connectOrigins)),
    })
  },
})

export default defineConfig(({ mode }) => {
  // What Vite puts into `import.meta.env` for the app: `VITE_*` from the environment and `.env` files.
  const connectOrigins = buildRelayOrigins(loadEnv(mode, fileURLToPath(new URL('.', import.meta.url)), 'VITE_'))
  return {
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
    preview: { headers: { ...securityHeaders(connectOrigins) } },
    plugins: [
      solid(),
      securityHeadersPlugin(connectOrigins),
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
  }
})
