/**
 * The layer rules of ARCHITECTURE.md section 3, checked by `npm run layers`:
 * arrows only point down, no cycles, another layer only through its index.ts,
 * each library in the one layer that owns it, and test fixtures (testing/) out of production code.
 */
const layers = ['base', 'halo', 'echo', 'mesh', 'client', 'ui']
const allowed = {
  base: [],
  halo: ['base'],
  echo: ['base', 'halo'],
  mesh: ['base', 'halo'],
  client: ['base', 'halo', 'echo', 'mesh'],
  ui: ['base', 'client'],
}
/** Libraries that belong to one layer (a path under src/ that may import them). */
const owners = {
  trystero: '^src/mesh/',
  '@trystero-p2p': '^src/mesh/',
  dexie: '^src/(halo|echo)/storage/',
  'solid-js': '^src/ui/',
  // QR codes of device links are drawn in one file of ui.
  uqr: '^src/ui/devices/qr\\.ts$',
  // main.tsx only names the URL of the Automerge wasm, which the client loads through echo.
  '@automerge': '^src/((echo|mesh)/|main\\.tsx$)',
  // CodeMirror is the editor (ui); echo binds Automerge text to it.
  '@codemirror': '^src/(ui|echo)/',
  '@noble': '^src/halo/',
  '@scure': '^src/halo/',
  'workbox-window': '^src/client/',
  // Schemas for input of unknown shape belong to the core layers that read it; client and ui get typed values.
  valibot: '^src/(halo|echo|mesh)/',
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Cycles hide the real direction of a dependency.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(allowed).map(([layer, ok]) => ({
      name: `${layer}-imports-only-${ok.length ? ok.join('-') : 'nothing'}`,
      comment: `src/${layer} may import only ${ok.join(', ') || 'no other layer'}.`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: '^src/', pathNot: [`^src/(${[layer, ...ok].join('|')})/`] },
    })),
    {
      name: 'enter-layers-through-index',
      comment: 'Another layer is entered only through its index.ts (tests also through its testing/ fixtures).',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: `^src/(${layers.join('|')})/.+`,
        pathNot: ['^src/$1/', `^src/(${layers.join('|')})/(index\\.ts|testing/.+)$`],
      },
    },
    {
      name: 'no-testing-in-production',
      comment: 'Fixtures under a testing/ folder are for tests only: production code never imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['\\.test\\.tsx?$', '/testing/'] },
      to: { path: '^src/.*/testing/' },
    },
    ...Object.entries(owners).map(([library, owner]) => ({
      name: `${library.replace('@', '')}-only-in-its-layer`,
      comment: `${library} is used only under ${owner}.`,
      severity: 'error',
      from: { path: '^src/', pathNot: [owner] },
      to: { path: `node_modules/${library}` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: `${__dirname}/tsconfig.json` },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'browser', 'default'] },
  },
}
