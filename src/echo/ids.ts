import type { Brand } from '../base'

/** A space is named by its space key (64 hex characters). */
export type SpaceId = Brand<string, 'SpaceId'>
/** An object id: 32 random hex characters, unique across spaces. */
export type ObjectId = Brand<string, 'ObjectId'>

const OBJECT_ID = /^[0-9a-f]{32}$/

export const parseObjectId = (text: string): ObjectId | undefined =>
  OBJECT_ID.test(text) ? (text as ObjectId) : undefined
