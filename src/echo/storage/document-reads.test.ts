import { describe, expect, it } from 'vitest'
import { DocumentReads } from './document-reads'
import type { ChunkRow } from './echo-database'

const row = (doc: string, seq: number): ChunkRow => ({
  seq,
  key: [doc, 'snapshot', String(seq)],
  data: new Uint8Array([seq]),
})

const counted = () => {
  const asked: string[] = []
  let clock = 0
  let seq = 0
  let refuse = false
  const reads = new DocumentReads(
    (doc) => {
      asked.push(doc)
      return refuse ? Promise.reject(new Error('refused')) : Promise.resolve([row(doc, ++seq)])
    },
    () => clock,
  )
  return {
    reads,
    asked,
    later: (ms: number) => (clock += ms),
    refuseNext: (value: boolean) => (refuse = value),
  }
}

describe('DocumentReads', () => {
  it('shares one read of a document among the reads asked for within a second, one per document', async () => {
    const { reads, asked, later } = counted()
    const first = await reads.rows('a')
    later(999)
    expect(await reads.rows('a')).toBe(first)
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b'])
    later(1)
    expect(await reads.rows('a')).not.toBe(first)
    expect(asked).toEqual(['a', 'b', 'a'])
  })

  it('reads again after a write to the document, and only that document', async () => {
    const { reads, asked } = counted()
    await reads.rows('a')
    await reads.rows('b')
    reads.written('a')
    await reads.rows('a')
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b', 'a'])
    reads.writtenAll()
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b', 'a', 'b'])
  })

  it('tells a read kept for a document without starting one', () => {
    const { reads, asked, later } = counted()
    expect(reads.kept('a')).toBeUndefined()
    const first = reads.rows('a')
    expect(reads.kept('a')).toBe(first)
    later(1_000)
    expect(reads.kept('a')).toBeUndefined()
    expect(asked).toEqual(['a'])
  })

  it('does not share a refused read', async () => {
    const { reads, asked, refuseNext } = counted()
    refuseNext(true)
    await expect(reads.rows('a')).rejects.toThrow('refused')
    refuseNext(false)
    expect(await reads.rows('a')).toEqual([row('a', 1)])
    expect(asked).toEqual(['a', 'a'])
  })

  it('keeps at most 512 documents, the oldest going first', async () => {
    const { reads, asked } = counted()
    for (let index = 0; index <= 512; index += 1) await reads.rows(`doc-${index}`)
    await reads.rows('doc-512')
    await reads.rows('doc-1')
    expect(asked).toHaveLength(513)
    await reads.rows('doc-0')
    expect(asked).toHaveLength(514)
  })
})
