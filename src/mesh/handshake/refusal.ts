import { AppError } from '../../base'

/**
 * Why a handshake was refused. Stable strings: they travel to the remote in a reject and drive the status words.
 * See src/mesh/CONTEXT.md for what each one means.
 */
export type RefusalCode =
  /** The remote's first frame did not prove it holds the room's password (it may hold another room's). */
  | 'bad-room-key'
  | 'bad-hello'
  | 'bad-proof'
  | 'wrong-peer'
  | 'wrong-context'
  | 'bad-signature'
  | 'bad-chain'
  | 'revoked'
  | 'not-member'
  | 'not-invited'
  | 'link-used'
  | 'link-expired'
  | 'wrong-role'
  | 'timeout'
  /** The connection closed (or Trystero replaced it) before the handshake ended. */
  | 'disconnected'
  | 'leaving'
  /** The handshake's binding to the WebRTC connection failed (a party in between): see connection-binding.ts. */
  | 'wrong-connection'
  /** A peer that passed sent channel frames past the rate limit and kept on (peer-rate.ts); or was cut for it lately. */
  | 'flooding'
  | 'refused-by-peer'

export class HandshakeRefusal extends AppError<RefusalCode> {
  /** For 'refused-by-peer': the code the remote sent (any short string; it is the remote's word, unchecked). */
  readonly remoteCode: string | undefined
  /**
   * For 'refused-by-peer': whether the remote had proved itself (its Proof verified and authorized) when it
   * refused. Only then is its evidence kept.
   */
  readonly remoteProven: boolean
  /**
   * Our own refusal: the evidence our checks gave. 'refused-by-peer': what a proven remote sent, still UNVERIFIED:
   * the caller (halo) must verify it before acting on it. Undefined when the remote had not proved itself.
   */
  readonly evidence: unknown

  constructor(code: RefusalCode, options: { remoteCode?: string; remoteProven?: boolean; evidence?: unknown } = {}) {
    super(
      code,
      options.remoteCode === undefined ? `handshake refused: ${code}` : `refused by peer: ${options.remoteCode}`,
    )
    this.remoteCode = options.remoteCode
    this.remoteProven = options.remoteProven ?? false
    this.evidence = options.evidence
  }
}
