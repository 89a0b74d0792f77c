/**
 * Privacy audit: a whole journey (an identity, a device linked to it, a space shared with a second person, notes and
 * tasks edited by all three devices, the person removed) with the signal worker and the static server each behind a
 * recording proxy. Afterwards every byte they received, raw and decoded (HTTP requests, WebSocket frames unmasked
 * and inflated), is searched in every encoding for what the test typed and for every secret the pages hold (read from
 * the pages themselves): none may be there. Positive controls show the recorder sees what the page sends: every
 * room's Trystero topic is found, and secrets planted in requests are found in each encoding. The relay's view
 * (topics, keys, peer ids, headers, timing) is printed; `signal-worker/README.md` ("What the relay sees") quotes it.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Page } from '@playwright/test'
import { invitationKey, invitationRoom, inviteRendezvous, linkRoom, swarmRoom } from '../src/halo/keys/derive.ts'
import { decodeJoinLinkOf } from '../src/halo/links/join-link.ts'
import { identityKeyPairOf, recoveryPhraseOf, recoverySecretFromBytes } from '../src/halo/recovery/recovery-phrase.ts'
import { expect, test as base, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, offerLink } from './linked-devices.ts'
import { search, textNeedle, type Haystack, type Needle } from './needle-search.ts'
import { haloSecrets, storedSpaces, swarmSecretsOf, watchRooms, type SeenRooms } from './page-secrets.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'
import { startRecordedServers, type RecordedServers } from './recorded-servers.ts'
import type { RecordingProxy } from './recording-proxy.ts'
import { relayReport, socketView, trysteroTopic } from './relay-view.ts'
import { createLink, joinWithName, openMembers } from './sharing.ts'
import { decodeConnection, decodedParts, headerOf, type DecodedConnection } from './traffic-decode.ts'

const test = base.extend<object, { recorded: RecordedServers }>({
  recorded: [
    async ({}, use) => {
      const servers = await startRecordedServers()
      await use(servers)
      await servers.close()
    },
    // A build of its own on a loaded two-core machine.
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ recorded }, use) => {
    await use(recorded.appUrl)
  },
})

test.describe.configure({ mode: 'default', timeout: 360_000 })

/**
 * Waits on what peers must deliver: three browsers and two servers on a loaded two-core machine (load 20-28 while
 * this was written) once took over 30 s to hand the personal space to a linked device.
 */
const SYNCED = { timeout: 90_000 }

/** Distinct enough that a match is never chance. */
const tagged = (text: string): string => `${text} ${randomBytes(6).toString('hex')}`

/** B asks to be linked to `identity` as `name`; returns once both screens show the same code. */
const requestLink = async (a: Device, b: Device, identity: string, name: string): Promise<void> => {
  const heading = new RegExp(`^Link this device to ${identity}.s identity\\?$`)
  await expect(b.page.getByRole('heading', { name: heading })).toBeVisible(SYNCED)
  await b.page.getByLabel('Name of this device').fill(name)
  await b.page.getByRole('button', { name: 'Link this device' }).click()
  const code = async (device: Device, id: string) =>
    ((await device.page.locator(`#${id} .link-code`).textContent(SYNCED)) ?? '').replace(/\s+/g, '')
  expect(await code(a, 'link-code-heading')).toBe(await code(b, 'join-code-heading'))
}

const decodeAll = (proxy: RecordingProxy): Promise<DecodedConnection[]> =>
  Promise.all(proxy.connections.map((connection) => decodeConnection(connection)))

const haystacks = (name: string, connections: readonly DecodedConnection[]): Haystack[] => [
  { name: `${name} raw`, parts: connections.map((connection) => connection.raw) },
  { name: `${name} decoded`, parts: connections.flatMap(decodedParts) },
]

/** Sends one planted secret per encoding: to the static server over HTTP, and to the relay in a WebSocket frame. */
const plant = async (page: Page, relayUrl: string) => {
  const secrets = {
    raw: randomBytes(32),
    hex: randomBytes(32),
    base64: randomBytes(32),
    base64NoPadding: randomBytes(32),
    base64url: randomBytes(32),
    frame: randomBytes(32),
    // Inside a longer value, one and two bytes in: its base64 is shifted.
    shifted1: randomBytes(32),
    shifted2: randomBytes(32),
  }
  await page.evaluate(
    async (planted) => {
      const bytes = Uint8Array.from(planted.raw)
      await fetch('/privacy-control/raw', { method: 'POST', body: bytes })
      await fetch(`/privacy-control/hex?value=${planted.hex}`)
      await fetch('/privacy-control/base64', { headers: { 'x-control': planted.base64 } })
      await fetch(`/privacy-control/base64?value=${encodeURIComponent(planted.base64NoPadding)}`)
      await fetch(`/privacy-control/${planted.base64url}`)
      await fetch('/privacy-control/shifted', { headers: { 'x-one': planted.shifted1, 'x-two': planted.shifted2 } })
      // The relay answers anything it cannot relay with a NOTICE: its answer shows the frame arrived.
      await new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(planted.relayUrl)
        socket.onopen = () => socket.send(JSON.stringify(['CONTROL', planted.frame]))
        socket.onmessage = () => {
          socket.close()
          resolve()
        }
        socket.onerror = () => reject(new Error('the control socket failed'))
      })
    },
    {
      relayUrl,
      raw: [...secrets.raw],
      hex: secrets.hex.toString('hex'),
      base64: secrets.base64.toString('base64'),
      base64NoPadding: secrets.base64NoPadding.toString('base64').replace(/=+$/, ''),
      base64url: secrets.base64url.toString('base64url'),
      frame: secrets.frame.toString('base64url'),
      shifted1: Buffer.concat([randomBytes(1), secrets.shifted1, randomBytes(7)]).toString('base64'),
      shifted2: Buffer.concat([randomBytes(2), secrets.shifted2, randomBytes(7)]).toString('base64'),
    },
  )
  return secrets
}

test('a whole journey leaves no secret and no content with the signal worker or the static server', async ({
  openPersistentDevice,
  recorded,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  // The same abort with no reason attached, seen once in nine runs of this journey (pages here leave rooms by
  // navigating, rotating and removing); only this exact text is allowed.
  errors.allow(/^console error on [^ ]+: Trystero peer error: OperationError$/)
  const words = {
    ada: tagged('Ada'),
    phone: tagged('Phone'),
    bea: tagged('Bea'),
    personalTask: tagged('Personal task'),
    space: tagged('Space'),
    adaTask: tagged('Task by Ada'),
    noteTitle: tagged('Note title'),
    noteText: tagged('Note text'),
    beaTask: tagged('Task by Bea'),
    beaEdit: tagged(' and Bea'),
    phoneTask: tagged('Task on the phone'),
    afterRemoval: tagged('After the removal'),
    phoneAfterRemoval: tagged('Phone after the removal'),
  }
  const laptop = await openPersistentDevice()
  const phone = await openPersistentDevice()
  const bea = await openPersistentDevice()
  const seen: Record<'laptop' | 'phone' | 'bea', SeenRooms> = {
    laptop: await watchRooms(laptop.context),
    phone: await watchRooms(phone.context),
    bea: await watchRooms(bea.context),
  }

  // Ada's identity and a task in her personal space.
  await laptop.page.goto('/')
  await new IdentityPage(laptop.page).createAndContinue(words.ada)
  await laptop.page.getByRole('link', { name: /Personal/ }).click()
  await new SpacePage(laptop.page).addTask(words.personalTask)

  // Her phone is linked to it.
  const deviceLink = await offerLink(laptop)
  await phone.page.goto(deviceLink)
  await requestLink(laptop, phone, words.ada, words.phone)
  await laptop.page.getByRole('button', { name: 'Allow' }).click()
  await phone.page.getByRole('link', { name: /Personal/ }).click(SYNCED)
  await new SpacePage(phone.page).tasks.getByText(words.personalTask, { exact: true }).waitFor(SYNCED)
  await expect(laptop.page.getByTestId('link-state')).toHaveText(`${words.phone} is linked`, SYNCED)

  // A space with a task and a note, shared with Bea by an invite link.
  await laptop.page.goto('/')
  const onLaptop = new SpacePage(laptop.page)
  await onLaptop.createSpace(words.space)
  await onLaptop.addTask(words.adaTask)
  await onLaptop.createNote(words.noteTitle, words.noteText)
  await expect(onLaptop.noteText).toHaveText(words.noteText)
  await onLaptop.backToNotes()
  const inviteLink = await createLink(laptop.page)
  const onBea = await joinWithName(bea, inviteLink, words.bea, words.adaTask)

  // Bea adds a task and edits the note; the laptop sees both.
  await onBea.addTask(words.beaTask)
  await onLaptop.tasks.getByText(words.beaTask, { exact: true }).waitFor(SYNCED)
  await onBea.notes.getByRole('link', { name: words.noteTitle }).click(SYNCED)
  await expect(onBea.noteText).toHaveText(words.noteText, SYNCED)
  await onBea.noteText.click()
  await bea.page.keyboard.press('End')
  await bea.page.keyboard.type(words.beaEdit)
  await onLaptop.notes.getByRole('link', { name: words.noteTitle }).click()
  await expect(onLaptop.noteText).toHaveText(words.noteText + words.beaEdit, SYNCED)
  await onLaptop.backToNotes()

  // The phone finds the space through Ada's personal space, and its task reaches Bea.
  await phone.page.goto('/')
  await phone.page.getByRole('link', { name: words.space }).click(SYNCED)
  const onPhone = new SpacePage(phone.page)
  await onPhone.tasks.getByText(words.beaTask, { exact: true }).waitFor(SYNCED)
  await onPhone.addTask(words.phoneTask)
  await onBea.backToNotes()
  await onBea.tasks.getByText(words.phoneTask, { exact: true }).waitFor(SYNCED)

  // Ada removes Bea: the space's secret rotates and the laptop moves to a new room Bea never joins; the phone waits
  // for the laptop's box (it drew one of its own before, and in 4 of 6 runs then stayed at "Syncing…" for 30 s or
  // more), and both keep syncing both ways.
  const members = await openMembers(laptop.page)
  await members.getByRole('listitem').filter({ hasText: words.bea }).getByRole('button', { name: 'Remove' }).click()
  const removedAt = Date.now()
  await members.getByRole('button', { name: `Remove ${words.bea}` }).click()
  const newRooms = (device: SeenRooms): string[] => {
    const before = new Set(device.rooms.filter((room) => room.at < removedAt).map((room) => room.roomId))
    return device.rooms
      .filter((room) => room.at >= removedAt && !before.has(room.roomId))
      .map((room) => room.roomId)
      .filter((roomId) => !seen.bea.rooms.some((room) => room.roomId === roomId))
  }
  await expect.poll(() => newRooms(seen.laptop).length, SYNCED).toBeGreaterThan(0)
  console.info(`remove -> the laptop in a new room: ${String(Date.now() - removedAt)} ms`)
  await onLaptop.addTask(words.afterRemoval)
  // Both of Ada's devices keep syncing both ways after the rotation (each may have drawn a secret of its own).
  const writtenAt = Date.now()
  await onPhone.tasks.getByText(words.afterRemoval, { exact: true }).waitFor(SYNCED)
  console.info(
    `a task written on the laptop after the removal reached the phone in ${String(Date.now() - writtenAt)} ms`,
  )
  await onPhone.addTask(words.phoneAfterRemoval)
  await onLaptop.tasks.getByText(words.phoneAfterRemoval, { exact: true }).waitFor(SYNCED)

  // The secrets, from the pages themselves.
  const devices = { laptop, phone, bea }
  const needles: Needle[] = Object.entries(words).map(([name, text]) => textNeedle(`typed ${name}`, text.trim()))
  const identifiers: Needle[] = []
  const knownRooms = new Map<string, { label: string; appId: string; password: string }>()
  const spaceNames = new Map<string, string>()
  for (const [name, device] of Object.entries(devices)) {
    const halo = await haloSecrets(device.page)
    const stored = await storedSpaces(device.page)
    const person = name === 'bea' ? 'Bea' : 'Ada'
    for (const space of stored.spaces) {
      spaceNames.set(space.id, space.personal ? `${person}'s personal space` : space.name)
    }
    identifiers.push(
      { label: `${name}'s identity key`, bytes: Buffer.from(halo.identityKey, 'hex') },
      { label: `${name}'s device key`, bytes: Buffer.from(halo.deviceKey, 'hex') },
      ...stored.spaces.map((space) => ({ label: `space id of ${space.name}`, bytes: Buffer.from(space.id, 'hex') })),
    )
    for (const { slot, bytes } of halo.secrets) {
      needles.push({ label: `${name}'s ${slot} secret`, bytes })
      // The Ed25519 scalar and prefix a seed expands to, in case something exported the expanded key.
      const expanded = createHash('sha512').update(bytes).digest()
      needles.push({ label: `${name}'s ${slot} secret, expanded`, bytes: expanded.subarray(0, 32) })
      needles.push({ label: `${name}'s ${slot} secret, prefix`, bytes: expanded.subarray(32) })
      const recovery = slot === 'identity' ? recoverySecretFromBytes(bytes) : undefined
      if (recovery !== undefined) {
        needles.push({ label: `${name}'s identity seed`, bytes: identityKeyPairOf(recovery).secretKey })
        needles.push(textNeedle(`${name}'s recovery phrase`, recoveryPhraseOf(recovery)))
      }
    }
    const deviceSeed = halo.secrets.find((secret) => secret.slot === 'device')?.bytes
    if (deviceSeed === undefined) throw new Error(`${name} holds no device seed`)
    for (const swarm of swarmSecretsOf(stored, halo.deviceKey, deviceSeed)) {
      const room = swarmRoom(swarm.secret, swarm.spaceId, swarm.generation)
      // Two devices may each draw a secret for one generation (they then agree on the smaller): rooms by id.
      const label = `${spaceNames.get(swarm.spaceId) ?? swarm.spaceId} g${String(swarm.generation)} (${room.roomId.slice(0, 4)})`
      needles.push({ label: `swarm secret of ${label} (${name})`, bytes: swarm.secret })
      knownRooms.set(room.roomId, { label, appId: 'commonplace/1', password: room.password })
    }
  }
  const device = decodeJoinLinkOf('device', deviceLink)
  const invite = decodeJoinLinkOf('space', inviteLink)
  if (!device.ok || !invite.ok) throw new Error('a link of the journey does not decode')
  const linkRendezvous = linkRoom(device.value.secret)
  knownRooms.set(linkRendezvous.roomId, {
    label: 'device link',
    appId: 'commonplace/1/join',
    password: linkRendezvous.password,
  })
  const inviteKey = invitationKey(invite.value.secret)
  const inviteRoom = invitationRoom(invite.value.spaceId, inviteRendezvous(invite.value.secret))
  knownRooms.set(inviteRoom.roomId, {
    label: 'invitation',
    appId: 'commonplace/1/join',
    password: inviteRoom.password,
  })
  needles.push(
    textNeedle('device link payload', deviceLink.split('#/join/')[1] ?? ''),
    { label: 'device link secret', bytes: device.value.secret },
    { label: 'device link invite key', bytes: invitationKey(device.value.secret).secretKey },
    textNeedle('invite link payload', inviteLink.split('#/join/')[1] ?? ''),
    { label: 'invite link secret', bytes: invite.value.secret },
    { label: 'invite link invite key', bytes: inviteKey.secretKey },
  )
  for (const [roomId, room] of knownRooms) {
    needles.push(textNeedle(`room id of ${room.label}`, roomId), textNeedle(`password of ${room.label}`, room.password))
  }

  // Every room any page joined, with the password it used, comes from a secret read above: none is left out.
  const joined = Object.values(seen).flatMap((each) => each.rooms)
  expect(joined.filter((room) => !knownRooms.has(room.roomId)).map((room) => room.roomId)).toEqual([])
  const passwords = Object.values(seen).flatMap((each) => each.passwords)
  expect(passwords.length).toBeGreaterThan(0)
  for (const each of passwords) expect(each.password).toBe(knownRooms.get(each.roomId)?.password)

  // What the servers received, decoded, and the search.
  const signal = await decodeAll(recorded.signal)
  const statics = await decodeAll(recorded.statics)
  const stacks = [...haystacks('signal worker', signal), ...haystacks('static server', statics)]
  const secretHits = search(needles, stacks)
  const identifierHits = search(identifiers, stacks)

  // Positive control 1: the topic of each room a page joined, as the page sent it, is found in the decoded frames.
  const topics = [...knownRooms].map(([roomId, room]) => ({
    label: room.label,
    topic: trysteroTopic(room.appId, roomId),
    joined: joined.some((each) => each.roomId === roomId),
  }))
  const topicHits = search(
    topics.map(({ label, topic }) => textNeedle(label, topic)),
    stacks,
  )
  const decodedTopicHits = topicHits.filter((hit) => hit.haystack === 'signal worker decoded' && hit.encoding === 'raw')
  const joinedTopics = topics.filter((each) => each.joined).map((each) => each.label)
  expect(joinedTopics.length).toBeGreaterThan(0)
  expect(joinedTopics.filter((label) => !decodedTopicHits.some((hit) => hit.needle === label))).toEqual([])
  console.info(`rooms: ${topics.map((each) => `${each.label}${each.joined ? '' : ' (never joined)'}`).join('; ')}`)

  // Positive control 2: secrets planted in requests are found, each in the encoding it was sent in.
  // The journey's own figures, before the controls add to the recordings.
  const sentBefore = { signal: recorded.signal.connections.length, statics: recorded.statics.connections.length }
  const bytesBefore = { signal: recorded.signal.bytesToServer(), statics: recorded.statics.bytesToServer() }
  const planted = await plant(laptop.page, recorded.relayUrl)
  const plantedSignal = await decodeAll(recorded.signal)
  const plantedStatics = await decodeAll(recorded.statics)
  const plantedStacks = [...haystacks('signal worker', plantedSignal), ...haystacks('static server', plantedStatics)]
  const found = (secret: Buffer) =>
    search([{ label: 'planted', bytes: secret }], plantedStacks).map((hit) => `${hit.haystack}: ${hit.encoding}`)
  expect(found(planted.raw)).toContain('static server raw: raw')
  expect(found(planted.hex)).toContain('static server raw: hex')
  expect(found(planted.base64)).toContain('static server decoded: base64@0')
  expect(found(planted.base64NoPadding)).toContain('static server decoded: base64@0')
  expect(found(planted.base64url)).toContain('static server decoded: base64url@0')
  expect(found(planted.shifted1)).toContain('static server decoded: base64@1')
  expect(found(planted.shifted2)).toContain('static server decoded: base64@2')
  // A WebSocket frame is masked: found once decoded, not in the raw bytes.
  expect(found(planted.frame)).toContain('signal worker decoded: base64url@0')
  expect(found(planted.frame).filter((hit) => hit.startsWith('signal worker raw'))).toEqual([])

  // The relay's view, per socket and per room.
  const relay = relayReport(
    signal.filter((connection) => connection.frames > 0).map(socketView),
    [...knownRooms].map(([roomId, room]) => ({ label: room.label, appId: room.appId, roomId })),
    seen,
  )
  console.info(`what the relay saw:\n  ${relay.lines.join('\n  ')}\nrelay figures: ${JSON.stringify(relay.figures)}`)
  const methods = statics.flatMap((each) => each.requests.map((request) => request.head.split(' ')[0] ?? ''))
  const referers = statics.flatMap((each) =>
    each.requests.flatMap((request) => headerOf(request.head, 'referer') ?? []),
  )
  console.info(
    `static server: ${String(methods.length)} requests (${[...new Set(methods)].map((m) => `${m} ${String(methods.filter((x) => x === m).length)}`).join(', ')}), Referer on ${String(referers.length)}: ${[...new Set(referers)].join(' ')}`,
  )

  const frames = signal.reduce((sum, each) => sum + each.frames, 0)
  const subscribed = new Set(signal.flatMap((each) => [...socketView(each).subscribed.keys()]))
  const figures = {
    signalBytes: bytesBefore.signal,
    signalConnections: sentBefore.signal,
    frames,
    unmaskedFrames: signal.reduce((sum, each) => sum + each.unmaskedFrames, 0),
    compressedMessages: signal.reduce((sum, each) => sum + each.messages.filter((m) => m.compressed).length, 0),
    extensions: [...new Set(signal.map((each) => each.extensions ?? 'none'))].join(' | '),
    distinctTopics: subscribed.size,
    rooms: knownRooms.size,
    staticBytes: bytesBefore.statics,
    staticConnections: sentBefore.statics,
    staticRequests: statics.reduce((sum, each) => sum + each.requests.length, 0),
    needles: needles.length,
    identifiers: identifiers.length,
    hits: secretHits.length,
    identifierHits: identifierHits.length,
    undecodedBytes: [...signal, ...statics].reduce((sum, each) => sum + each.trailingBytes, 0),
    topicsFoundRaw: topicHits.filter((hit) => hit.haystack === 'signal worker raw').length,
  }
  const phoneMoved = newRooms(seen.phone)
  console.info(
    `after the removal the phone joined ${String(phoneMoved.length)} new rooms, ${String(phoneMoved.filter((id) => newRooms(seen.laptop).includes(id)).length)} of them also the laptop's`,
  )
  console.info(`privacy audit figures: ${JSON.stringify(figures)}`)
  test.info().annotations.push({ type: 'privacy audit figures', description: JSON.stringify(figures) })
  // Bytes that made no whole request or frame were searched raw only; none are expected.
  expect(figures.undecodedBytes).toBe(0)
  expect(secretHits, 'secrets or content the servers received').toEqual([])
  expect(identifierHits, 'public keys and space ids the servers received').toEqual([])
})
