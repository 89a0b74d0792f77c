/** Build-time settings of the mesh, read by `mesh-config.ts` (see its docs). */
interface ImportMetaEnv {
  /** Comma-separated signal worker URLs, e.g. `wss://signal.example/r/main`. */
  readonly VITE_SIGNAL_URLS?: string
  /** Comma-separated public Nostr relays used beside ours; none when unset. */
  readonly VITE_PUBLIC_RELAYS?: string
  /** Comma-separated STUN URLs, e.g. `stun:stun.cloudflare.com:3478`; none when unset. */
  readonly VITE_STUN_URLS?: string
}
