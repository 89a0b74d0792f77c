/** Reported by `GET /health`; bump it with every change to what the relay accepts or sends. */
export const VERSION = '1.0.0'
