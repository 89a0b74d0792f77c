export type { AppUpdate, AppUpdateState } from './app-update'
export { createClient } from './client'
export type { Client, ClientOptions } from './client'
