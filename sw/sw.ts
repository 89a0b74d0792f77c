/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { isSkipWaitingMessage } from './messages.ts'

declare const self: ServiceWorkerGlobalScope

// The built shell, with revisioned URLs, injected by vite-plugin-pwa at build time.
precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Every in-app navigation is answered with the cached shell, so the app opens offline.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')))

// A new version waits until the person agrees to reload; the page then sends this message.
self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting()
})

// The first install takes control at once so the first visit already works offline.
clientsClaim()
