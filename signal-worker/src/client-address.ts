import { addressKey } from './address'

/** Every client of a worker that is not behind Cloudflare's edge: it cannot tell them apart. */
export const LOCAL_ADDRESS = 'local'

/** Behind Cloudflare's edge, but the edge sent no address (it always does): such requests share one budget. */
export const UNKNOWN_ADDRESS = 'unknown'

/**
 * The address a request counts as. Only Cloudflare's edge sets
 * `CF-Connecting-IP` itself, replacing whatever the client sent; anywhere else
 * (`wrangler dev`, workerd on its own, another proxy in front) the header is
 * the client's word, and under `wrangler dev` Miniflare fills it with the
 * socket's peer only when the client left it out. So the header is read only
 * when `BEHIND_CLOUDFLARE_EDGE` says so; otherwise every client counts as one
 * address, which is the truth for a worker listening on 127.0.0.1.
 */
export const clientAddress = (headers: Headers, behindCloudflareEdge: boolean): string => {
  if (!behindCloudflareEdge) return LOCAL_ADDRESS
  const header = headers.get('cf-connecting-ip')
  return header === null ? UNKNOWN_ADDRESS : addressKey(header)
}
