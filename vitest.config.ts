import { defineConfig } from 'vitest/config'

/** Solid's reactive (browser) build for Node tests, in place of the server build Node's conditions pick. */
const SOLID_BROWSER = [
  { find: /^solid-js$/, replacement: 'solid-js/dist/solid.js' },
  { find: /^solid-js\/store$/, replacement: 'solid-js/store/dist/store.js' },
]

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'sw/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['src/base/testing/fixed-seed.ts'],
          // Vitest's 5 s is too tight for CPU-bound property tests on a loaded 2-core machine: root-junk takes
          // 1.0 s in CI and timed out at 5 s (with canonical-json) at load 15; a test that waits longer says so.
          testTimeout: 20_000,
          // Node would load Solid's server build, where effects never run; src/ui tests need the
          // browser build's reactivity. Inlined, so solid-js/store shares that one copy of Solid.
          server: { deps: { inline: [/\/node_modules\/solid-js\//] } },
        },
        resolve: { alias: SOLID_BROWSER },
      },
      {
        test: {
          name: 'worker',
          include: ['signal-worker/test/**/*.test.ts'],
          environment: 'node',
        },
      },
    ],
  },
})
