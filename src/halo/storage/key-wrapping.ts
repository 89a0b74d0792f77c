/**
 * Private keys at rest are sealed with AES-GCM under a WebCrypto key created
 * non-extractable, stored in IndexedDB by structured clone.
 *
 * What that buys is narrow: `exportKey` refuses, so the key's bits cannot be
 * copied out through the API. It does not stop `decrypt`: any script running in
 * this origin (an XSS, a compromised dependency) can open every sealed secret
 * with `crypto.subtle.decrypt`, and the browser may write the key's bits into its
 * IndexedDB files, so a copy of the profile on disk may open them too. Only keep
 * here what the app must use without asking the person (the device key); the
 * identity secret is kept only until its backup is saved (see CONTEXT.md,
 * "Threat model").
 */
import { utf8 } from '../../base'

export interface SealedSecret {
  readonly iv: Uint8Array
  readonly ciphertext: Uint8Array
}

export const createWrappingKey = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])

/** The additional data binds a sealed secret to its slot, so swapping two records fails to open. */
const label = (slot: string) => utf8(`commonplace/halo/secret/${slot}`) as BufferSource

export const sealSecret = async (key: CryptoKey, slot: string, secret: Uint8Array): Promise<SealedSecret> => {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const params = { name: 'AES-GCM', iv, additionalData: label(slot) }
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt(params, key, secret as BufferSource))
  return { iv, ciphertext }
}

/** Undefined when the secret does not open: a damaged record or another key. */
export const openSecret = async (
  key: CryptoKey,
  slot: string,
  sealed: SealedSecret,
): Promise<Uint8Array | undefined> => {
  try {
    const params = { name: 'AES-GCM', iv: sealed.iv as BufferSource, additionalData: label(slot) }
    return new Uint8Array(await crypto.subtle.decrypt(params, key, sealed.ciphertext as BufferSource))
  } catch {
    return undefined
  }
}
