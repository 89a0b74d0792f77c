const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

/**
 * How long ago `at` was, in the words of a status line ("5 min ago"). A time in the future (another
 * clock, or this one set back) reads "just now" rather than a negative count.
 */
export const agoText = (at: number, now: number): string => {
  const past = now - at
  if (past < MINUTE) return 'just now'
  if (past < HOUR) return `${Math.floor(past / MINUTE)} min ago`
  if (past < DAY) {
    const hours = Math.floor(past / HOUR)
    return hours === 1 ? '1 hour ago' : `${hours} hours ago`
  }
  const days = Math.floor(past / DAY)
  if (days === 1) return 'yesterday'
  if (days < 7) return `${days} days ago`
  return `on ${dayFormat.format(at)}`
}

/**
 * How long a link still works ("Expires in 9 min"), rounded up so a link never reads "in 0 min" while
 * it still works.
 */
export const expiresText = (expiresAt: number, now: number): string => {
  const left = expiresAt - now
  if (left <= 0) return 'Expired'
  if (left < MINUTE) return 'Expires in less than a minute'
  return `Expires in ${Math.ceil(left / MINUTE)} min`
}
