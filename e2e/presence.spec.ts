/**
 * Presence between two people over real WebRTC through the local signal worker: Bea, invited to Ada's space, sees
 * Ada in the header's "Here now", then "Ada is here" in the note Ada has open; when Ada's page closes, Bea's header
 * says "Only you" again. The header with presence passes axe in light and dark.
 */
import { expectAccessible } from './a11y.ts'
import { expect, test } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test('who is here: the header, a note, and gone once the page closes', async ({ openPersistentDevice, errors }) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  await ada.page.goto('/')
  await new IdentityPage(ada.page).createAndContinue('Ada')
  const onAda = new SpacePage(ada.page)
  await onAda.createSpace('Garden plans')
  const adaHere = ada.page.getByTestId('here-now')
  await expect(adaHere).toHaveText('Only you')
  await ada.page.getByRole('button', { name: 'Share' }).click()
  await ada.page.getByRole('button', { name: 'Create invite link' }).click()
  const url = (await ada.page.getByTestId('invite-url').textContent()) ?? ''

  await bea.page.goto(url)
  await bea.page.getByLabel('Your name').fill('Bea', LINKED)
  await bea.page.getByRole('button', { name: 'Join' }).click()
  const onBea = new SpacePage(bea.page)
  await expect(onBea.name).toHaveText('Garden plans', LINKED)

  // Each sees the other in the header, named for screen readers in a list labelled "Here now".
  const beaHere = bea.page.getByRole('list', { name: 'Here now' })
  await expect(beaHere.getByRole('listitem').locator('.visually-hidden')).toHaveText(['You', 'Ada'], LINKED)
  await expect(ada.page.getByRole('list', { name: 'Here now' }).locator('.visually-hidden')).toHaveText(['You', 'Bea'])
  await expectAccessible(bea.page, 'the space header with presence')

  // Ada opens a note; Bea opens the same one and reads who else is in it.
  await onAda.createNote('Beds', 'Tomatoes by the wall')
  await onBea.notes.getByRole('link', { name: 'Beds' }).click(LINKED)
  await expect(bea.page.locator('.note-here')).toHaveText(/^A?Ada is here$/, LINKED)
  await expect(ada.page.locator('.note-here')).toHaveText(/^B?Bea is here$/, LINKED)

  // Ada's page closes: her presence ends, in the note and in the header.
  const closed = Date.now()
  await ada.page.close()
  await expect(bea.page.getByTestId('here-now')).toHaveText('Only you', LINKED)
  await expect(bea.page.locator('.note-here')).toHaveText('')
  console.info(`page closed -> gone from the other's header: ${String(Date.now() - closed)} ms`)
})
