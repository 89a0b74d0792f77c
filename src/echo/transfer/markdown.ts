/** A note as a Markdown file: its title as the heading, its text as the body. */
import type { NoteObject } from '../schema/echo-object'

export interface MarkdownFile {
  readonly fileName: string
  readonly markdown: string
}

const fileNameOf = (title: string): string => {
  const slug = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
  return `${slug === '' ? 'note' : slug}.md`
}

export const noteToMarkdown = (note: NoteObject, text: string): MarkdownFile => {
  // A heading is one line; a title with line breaks would end it early.
  const title = note.fields.title.replace(/\s+/g, ' ').trim()
  const heading = title === '' ? '' : `# ${title}\n\n`
  return { fileName: fileNameOf(title), markdown: `${heading}${text.endsWith('\n') ? text : `${text}\n`}` }
}
