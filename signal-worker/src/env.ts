import type { LimitVars } from './limits'

/** The bindings and vars of `wrangler.toml`. */
export type Env = LimitVars & {
  readonly SHARDS: DurableObjectNamespace
}
