/** One entry per line, blank lines ignored: how the settings form edits lists. */
export const toLines = (entries: readonly string[]): string => entries.join('\n')

export const fromLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
