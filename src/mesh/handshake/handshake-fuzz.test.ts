/**
 * Fuzz property of the handshake (issue 13): a scripted peer sends its room key proof, Hello, Proof and done, each genuine,
 * mutated (as text or as JSON), replaced by anything else, or left out, with more frames after. The honest side,
 * running `runHandshake` with halo's real chain check, never throws and never hangs (its timers fire once it waits),
 * ends with a typed refusal, and when it accepts, it accepts exactly the scripted peer's device and identity.
 * `npm run fuzz` runs it with random seeds (scripts/fuzz/handshake.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, err, ok, toHex, utf8 } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { anyInput, mutatedJson, mutatedText } from '../../base/testing/mutations'
import { checkAsyncProperty, expectNoHang, inputDeadlineMs, propertyTimeout } from '../../base/testing/properties'
import { canonicalJson, issueCredential, verifyPeerDevice, type IdentityKey, type KeyPair } from '../../halo'
import { fixedKeyPair, signWith } from '../../halo/testing'
import { newRepoId } from './messages'
import { HandshakeRefusal } from './refusal'
import { contextString, roomKeyFrame, runHandshake, type HandshakeContext, type LocalParty } from './run-handshake'

const clock = new ManualClock(1_800_000_000_000)
const identity = fixedKeyPair(1)
const deviceA = fixedKeyPair(2)
const deviceB = fixedKeyPair(3)
const invite = fixedKeyPair(4)
const chainOf = (device: KeyPair) =>
  issueCredential({
    issuer: identity.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: identity },
    clock,
  })
const chainA = chainOf(deviceA)
const contexts: Record<'space' | 'link', HandshakeContext> = {
  space: { kind: 'space', spaceId: 'space-1', generation: 1 },
  link: { kind: 'link', inviteKey: invite.publicKey },
}
const PASSWORD = 'the room password'
const signer = (pair: KeyPair) => (bytes: Uint8Array) => Promise.resolve(toHex(signWith(pair, bytes)))
const honest: LocalParty = {
  peerId: 'peer-b',
  repo: newRepoId(deviceB.publicKey),
  storage: '0'.repeat(64),
  identity: identity.publicKey as IdentityKey,
  device: deviceB.publicKey,
  chain: chainOf(deviceB),
  sign: signer(deviceB),
}

/** One direction of a connection: frames wait in order until read. */
class Queue {
  readonly #items: unknown[] = []
  readonly #waiting: ((frame: { data: unknown }) => void)[] = []
  readonly sent: unknown[] = []

  push(data: unknown): void {
    this.sent.push(data)
    const waiter = this.#waiting.shift()
    if (waiter === undefined) this.#items.push(data)
    else waiter({ data })
  }

  get holds(): boolean {
    return this.#items.length > 0
  }

  /** The reader waits and nothing is left to read. */
  get starved(): boolean {
    return this.#waiting.length > 0 && this.#items.length === 0
  }

  receive = (): Promise<{ data: unknown }> =>
    this.#items.length > 0
      ? Promise.resolve({ data: this.#items.shift() })
      : new Promise((resolve) => this.#waiting.push(resolve))
}

/** What the scripted peer does with one of its frames. */
type Plan =
  | { kind: 'genuine' }
  | { kind: 'text'; edit: (text: string) => string }
  | { kind: 'json'; value: (json: unknown) => unknown }
  | { kind: 'other'; value: unknown }
  | { kind: 'none' }

/** Half the frames genuine, so most inputs carry one or two bad frames and reach the checks behind the first. */
const plan: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Plan>({ kind: 'genuine' }) },
  {
    weight: 2,
    arbitrary: fc.nat().map((seed): Plan => ({
      kind: 'text',
      edit: (text) => fc.sample(mutatedText(text), { seed, numRuns: 1 })[0] ?? text,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .nat()
      .map((seed): Plan => ({ kind: 'json', value: (json) => fc.sample(mutatedJson(json), { seed, numRuns: 1 })[0] })),
  },
  { weight: 1, arbitrary: anyInput.map((value): Plan => ({ kind: 'other', value })) },
  { weight: 1, arbitrary: fc.constant<Plan>({ kind: 'none' }) },
)

/** Room key proofs of the right shape that prove nothing here: another room's, and one sent back to its sender. */
const wrongKeys = [
  roomKeyFrame('another room’s password', contextString(contexts.space), 'peer-a', 'peer-b'),
  roomKeyFrame(PASSWORD, contextString(contexts.space), 'peer-b', 'peer-a'),
]
const keyPlan: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 4, arbitrary: plan },
  { weight: 1, arbitrary: fc.constantFrom(...wrongKeys).map((value): Plan => ({ kind: 'other', value })) },
)

/** The frame to send for `message` under `step`, or nothing. */
const framed = (message: unknown, step: Plan): unknown[] => {
  const text = JSON.stringify(message)
  switch (step.kind) {
    case 'genuine':
      return [text]
    case 'text':
      return [step.edit(text)]
    case 'json':
      return [JSON.stringify(step.value(JSON.parse(text)))]
    case 'other':
      return [step.value]
    case 'none':
      return []
  }
}

const CODES = [
  'bad-room-key',
  'bad-hello',
  'bad-proof',
  'wrong-peer',
  'wrong-context',
  'bad-signature',
  'bad-chain',
  'not-member',
  'not-invited',
  'wrong-role',
  'timeout',
  'refused-by-peer',
]

describe('the handshake under a scripted peer', () => {
  it(
    'refuses with a code or accepts exactly the scripted peer, never throwing or hanging',
    async () => {
      const inputs = fc.record({
        room: fc.constantFrom<'space' | 'link'>('space', 'link'),
        key: keyPlan,
        hello: plan,
        proof: plan,
        done: plan,
        extra: fc.array(anyInput, { maxLength: 2 }),
      })
      await checkAsyncProperty(
        fc.asyncProperty(inputs, async ({ room, key, hello, proof, done, extra }) => {
          const ctx = contexts[room]
          const guest = room === 'link'
          const [toA, toB] = [new Queue(), new Queue()]
          const timers: (() => void)[] = []
          const started = performance.now()
          const progress = { settled: false }
          const result = runHandshake({
            ctx,
            local: honest,
            remotePeerId: 'peer-a',
            roomPassword: PASSWORD,
            send: (data) => {
              toA.push(data)
              return Promise.resolve()
            },
            receive: toB.receive,
            isInitiator: false,
            verifyChain: async (chain, device) => {
              const verdict = await verifyPeerDevice(chain, device, { clock, isRevoked: () => false })
              return verdict.ok ? ok({ identity: verdict.value.identity }) : err({ code: 'bad-chain' as const })
            },
            authorize: (_ctx, peer) =>
              Promise.resolve(
                peer.identity === null || peer.identity === identity.publicKey
                  ? ok(undefined)
                  : err({ code: 'not-member' as const }),
              ),
            after: (_ms, fire) => {
              timers.push(fire)
              return () => undefined
            },
          }).finally(() => {
            progress.settled = true
          })
          // The scripted peer: its room key proof answers the honest side's; its genuine Hello and Proof answer the
          // honest side's Hello, if one comes (the honest side says nothing of itself before a valid proof).
          await toA.receive()
          const genuineKey = JSON.parse(roomKeyFrame(PASSWORD, contextString(ctx), 'peer-a', 'peer-b')) as unknown
          for (const frame of framed(genuineKey, key)) toB.push(frame)
          while (!progress.settled && !toA.holds && !toB.starved && performance.now() - started < inputDeadlineMs()) {
            await new Promise((resolve) => setImmediate(resolve))
          }
          const theirs = toA.holds ? (JSON.parse((await toA.receive()).data as string) as unknown) : null
          const ours = {
            v: 1,
            ctx: contextString(ctx),
            peer: 'peer-a',
            nonce: 'A'.repeat(43),
            repo: newRepoId(deviceA.publicKey),
            storage: null,
            identity: guest ? null : identity.publicKey,
            device: deviceA.publicKey,
          }
          const transcript = utf8(
            canonicalJson({
              format: 'commonplace/mesh-handshake/v1',
              ctx: contextString(ctx),
              initiator: ours,
              responder: theirs,
            }),
          )
          const sig = toHex(signWith(deviceA, concatBytes(transcript, utf8('initiator'))))
          const genuineProof = guest
            ? { v: 1, chain: null, sig, inviteSig: toHex(signWith(invite, concatBytes(transcript, utf8('guest')))) }
            : { v: 1, chain: chainA, sig }
          for (const frame of [
            ...framed(ours, hello),
            ...framed(genuineProof, proof),
            ...framed({ v: 1, done: true }, done),
            ...extra,
          ])
            toB.push(frame)
          // Once the honest side waits with nothing left to read, its deadlines pass.
          while (!progress.settled && !toB.starved && performance.now() - started < inputDeadlineMs()) {
            await new Promise((resolve) => setImmediate(resolve))
          }
          for (const fire of timers) fire()
          const outcome = await result
          expectNoHang(started, 'runHandshake')
          // Nothing of the honest side goes before a room key proof that is the genuine one, spelled as it is.
          const [first] = toB.sent
          if (first !== JSON.stringify(genuineKey)) {
            expect(toA.sent.slice(1).every((frame) => typeof frame === 'string' && frame.includes('"reject"'))).toBe(
              true,
            )
          }
          // The genuine script is accepted: the harness speaks the protocol, so refusals come from the mutations.
          if ([key, hello, proof, done].every((step) => step.kind === 'genuine')) expect(outcome.ok).toBe(true)
          if (!outcome.ok) {
            expect(outcome.error).toBeInstanceOf(HandshakeRefusal)
            expect(CODES).toContain(outcome.error.code)
            return
          }
          expect(outcome.value).toMatchObject({
            peerId: 'peer-a',
            device: deviceA.publicKey,
            identity: guest ? null : identity.publicKey,
            invited: guest,
          })
        }),
        { seed: 1_304_101, numRuns: 200 },
      )
    },
    propertyTimeout(),
  )
})
