const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' })

/**
 * A due day as the person's locale writes it. The schema lets only real days through, but a row
 * must never throw while it renders: a day a browser cannot read shows as it was written.
 */
export const dueText = (day: string): string => {
  const date = new Date(day)
  return Number.isNaN(date.getTime()) ? day : dueFormat.format(date)
}
