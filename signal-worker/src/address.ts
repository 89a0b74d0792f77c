/**
 * Which address a client counts as, for the per-address connection cap and
 * budget. IPv4 addresses count one by one; IPv6 addresses by their /64, the
 * block one subscriber line usually gets (a client can pick any address inside
 * it). An IPv4-mapped IPv6 address is its IPv4 address.
 */

/** The key for a header that is not an address: all such clients share one budget. */
export const INVALID_ADDRESS = 'invalid'

const octets = (text: string): number[] | undefined => {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined
  const values = parts.map(Number)
  return values.every((value) => value <= 255) ? values : undefined
}

/** The groups of one side of `::`; a dotted IPv4 tail is allowed only at the very end. */
const groupsOf = (part: string, last: boolean): number[] | undefined => {
  if (part === '') return []
  const pieces = part.split(':')
  const groups: number[] = []
  for (const [index, piece] of pieces.entries()) {
    const dotted = last && index === pieces.length - 1 ? octets(piece) : undefined
    if (dotted !== undefined) {
      const [a = 0, b = 0, c = 0, d = 0] = dotted
      groups.push(a * 256 + b, c * 256 + d)
    } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16))
    } else {
      return undefined
    }
  }
  return groups
}

/** The eight 16-bit groups of an IPv6 address, or undefined if it is not one. */
const ipv6Groups = (text: string): number[] | undefined => {
  const halves = text.replace(/%.*$/, '').split('::')
  if (halves.length > 2) return undefined
  const [head = '', tail = ''] = halves
  if (halves.length === 1) {
    const groups = groupsOf(head, true)
    return groups?.length === 8 ? groups : undefined
  }
  const before = groupsOf(head, false)
  const after = groupsOf(tail, true)
  if (before === undefined || after === undefined) return undefined
  const missing = 8 - before.length - after.length
  return missing >= 1 ? [...before, ...new Array<number>(missing).fill(0), ...after] : undefined
}

/** `203.0.113.7` stays as it is; `2001:db8:1:2::5` becomes `2001:db8:1:2::/64`. */
export const addressKey = (raw: string): string => {
  const text = raw.trim().toLowerCase()
  const v4 = octets(text)
  if (v4 !== undefined) return v4.join('.')
  const groups = ipv6Groups(text)
  if (groups === undefined) return INVALID_ADDRESS
  const [a, b, c, d, e, f, g = 0, h = 0] = groups
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) {
    return [g >> 8, g & 255, h >> 8, h & 255].join('.')
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}
