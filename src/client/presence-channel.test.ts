import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { openPresenceChannel } from './presence-channel'
import { fakeBrowser, until } from './testing/fake-edges'

const SPACE = 'ab'.repeat(32)
const KEY = 'cd'.repeat(32)
const NOTE = 'a'.repeat(32)
const OTHER = 'b'.repeat(32)

/** Tabs of one profile, each with its beat in the test's hands. */
const tabs = () => {
  const browser = fakeBrowser()
  const clock = new ManualClock()
  const open = () => {
    let beat = (): void => undefined
    const channel = openPresenceChannel(browser.openTab().edges.openChannel, {
      clock,
      every: (_ms, tick) => {
        beat = tick
        return () => undefined
      },
    })
    return Object.assign(channel, { beat: () => beat() })
  }
  return { clock, open }
}

const openIn = (opened: ReadonlyMap<string, readonly string[]>) => opened.get(SPACE) ?? []

describe('presence across tabs', () => {
  it('the leader hears the notes every tab has open, and every tab hears who is here', async () => {
    const { open } = tabs()
    const leaderTab = open()
    const follower = open()
    const closeNote = follower.open(SPACE, NOTE)
    const lead = leaderTab.lead()
    const mine = leaderTab.open(SPACE, OTHER)
    await until(lead.opened, (opened) => openIn(opened).length === 2)
    expect(openIn(lead.opened.get())).toEqual([NOTE, OTHER])
    lead.publish({ [SPACE]: [{ identity: KEY, device: KEY, open: [NOTE] }] })
    await until(follower.here, (here) => here[SPACE]?.length === 1)
    closeNote()
    mine()
    await until(lead.opened, (opened) => openIn(opened).length === 0)
    // A tab opened later asks, and hears at once.
    const late = open()
    await until(late.here, (here) => here[SPACE]?.length === 1)
    lead.stepDown()
    await until(follower.here, (here) => Object.keys(here).length === 0)
  })

  it('counts a note open in two views until both close, and forgets a tab that vanished without a word', async () => {
    const { open, clock } = tabs()
    const leaderTab = open()
    const lead = leaderTab.lead()
    const first = leaderTab.open(SPACE, NOTE)
    const second = leaderTab.open(SPACE, NOTE)
    first()
    first()
    expect(openIn(lead.opened.get())).toEqual([NOTE])
    second()
    expect(openIn(lead.opened.get())).toEqual([])
    const crashed = open()
    crashed.open(SPACE, OTHER)
    await until(lead.opened, (opened) => openIn(opened).length === 1)
    // It never says `closed` and its timer stopped with it: the leader's beats drop it after 15 s of silence.
    clock.advance(10_000)
    leaderTab.beat()
    expect(openIn(lead.opened.get())).toEqual([OTHER])
    clock.advance(6_000)
    leaderTab.beat()
    expect(openIn(lead.opened.get())).toEqual([])
  })
})
