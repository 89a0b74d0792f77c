/** The signal worker: the only server of the app. It relays signaling and never sees user data. */
const VERSION = '0.1.0'

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url)
    if (request.method === 'GET' && url.pathname === '/health') {
      return Response.json({ ok: true, version: VERSION }, { headers: { 'access-control-allow-origin': '*' } })
    }
    return new Response('Not found', { status: 404 })
  },
} satisfies ExportedHandler
