/** The app's version and build id, set by vite.config.ts at build time. */
declare const __APP_VERSION__: string
