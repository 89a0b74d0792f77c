import * as v from 'valibot'
import { utf8 } from '../base'

/**
 * One JSON frame of a room's channel: a string of at most `maxBytes` UTF-8 bytes holding `schema`, or undefined for
 * anything else (too big, not JSON, not a frame), which the caller ignores.
 */
export const readJsonFrame = <T>(
  data: unknown,
  schema: v.GenericSchema<unknown, T>,
  maxBytes: number,
): T | undefined => {
  // Characters never outnumber UTF-8 bytes, so the cheap check first keeps a huge frame from being encoded.
  if (typeof data !== 'string' || data.length > maxBytes || utf8(data).length > maxBytes) return undefined
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return undefined
  }
  const parsed = v.safeParse(schema, json)
  return parsed.success ? parsed.output : undefined
}
