/**
 * When each data-channel frame left this page and when each arrived (epoch ms), so the bench can split an edit's
 * time into the sender's part, the wire and the receiver's part. Installed on RTCDataChannel's prototype before
 * any connection is made; records only between `start` and `stop`.
 */
const sent: number[] = []
const received: number[] = []
let recording = false
const now = (): number => performance.timeOrigin + performance.now()

const proto = RTCDataChannel.prototype
const send = Object.getOwnPropertyDescriptor(proto, 'send')?.value as (this: RTCDataChannel, data: unknown) => void
proto.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
  if (recording) sent.push(now())
  send.call(this, data)
}
const onmessage = Object.getOwnPropertyDescriptor(proto, 'onmessage')
Object.defineProperty(proto, 'onmessage', {
  configurable: true,
  get(this: RTCDataChannel) {
    return onmessage?.get?.call(this) as unknown
  },
  set(this: RTCDataChannel, handler: ((event: MessageEvent) => void) | null) {
    const tapped =
      handler === null
        ? null
        : (event: MessageEvent): void => {
            if (recording) received.push(now())
            handler.call(this, event)
          }
    onmessage?.set?.call(this, tapped)
  },
})

export const channelTap = {
  start(): void {
    sent.length = 0
    received.length = 0
    recording = true
  },
  stop(): { sent: number[]; received: number[] } {
    recording = false
    return { sent: [...sent], received: [...received] }
  },
}
