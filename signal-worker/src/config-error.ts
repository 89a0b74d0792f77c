/** A `wrangler.toml` var that cannot be used: the worker refuses to run with a guess. */
export class ConfigError extends Error {
  readonly code = 'bad-config'

  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
