/**
 * The `_headers` file the build writes next to `index.html`: one block for
 * every path, in the format Netlify and Cloudflare Pages read. `npm start` and
 * the e2e server read the same file and send exactly what it says, so what is
 * tested is what a host is told to send.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export const HEADERS_FILE = '_headers'

const HEADER_LINE = /^ {2}([A-Za-z0-9-]+): ([^\r\n]+)$/

export const formatHeadersFile = (headers: Readonly<Record<string, string>>): string =>
  [
    '# Written by the build from scripts/csp.ts; `npm start` sends the same. See "Headers" in README.md.',
    '/*',
    ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`),
    '',
  ].join('\n')

/** Reads the one `/*` block `formatHeadersFile` writes; anything else is an error, not a guess. */
export const parseHeadersFile = (text: string): Record<string, string> => {
  const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
  const [path, ...rest] = lines
  if (path !== '/*') throw new Error(`${HEADERS_FILE}: expected one "/*" block, found "${path ?? ''}"`)
  const headers: Record<string, string> = {}
  for (const line of rest) {
    const match = HEADER_LINE.exec(line)
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new Error(`${HEADERS_FILE}: "${line}" is not an indented "Name: value" line`)
    }
    headers[match[1]] = match[2]
  }
  return headers
}

/** The headers of the build in `root`; rejects if the build wrote none. */
export const readHeadersFile = async (root: string): Promise<Record<string, string>> =>
  parseHeadersFile(await readFile(join(root, HEADERS_FILE), 'utf8'))
