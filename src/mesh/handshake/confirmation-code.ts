import { concatBytes, utf8 } from '../../base'

const DOMAIN = utf8('commonplace/confirm/v1\0')

/**
 * Six digits both screens of a link show, from SHA-256 of the handshake transcript (WebCrypto: mesh does not
 * import @noble). A man in the middle runs two handshakes with two transcripts, so the codes differ.
 */
export const confirmationCode = async (transcript: Uint8Array): Promise<string> => {
  const digest = new DataView(await crypto.subtle.digest('SHA-256', new Uint8Array(concatBytes(DOMAIN, transcript))))
  // 2^32 over 10^6 leaves a bias below 0.03 %, far less than a person comparing digits notices.
  return String(digest.getUint32(0) % 1_000_000).padStart(6, '0')
}
