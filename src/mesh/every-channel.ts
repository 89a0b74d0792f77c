/**
 * Hands `watch` every data channel of `connection`, the ones it makes and the remote's, before Trystero sees them
 * (its `ondatachannel` is set after construction, and it calls `createDataChannel` itself). Each connection wrapper
 * (`pending-cap.ts`, `refused-close.ts`, `heard-rooms.ts`, `dropped-close.ts`) calls it from its constructor.
 */
export const onEveryChannel = (connection: RTCPeerConnection, watch: (channel: RTCDataChannel) => void): void => {
  connection.addEventListener('datachannel', (event) => {
    watch(event.channel)
  })
  const create = connection.createDataChannel.bind(connection)
  connection.createDataChannel = (label: string, init?: RTCDataChannelInit): RTCDataChannel => {
    const channel = create(label, init)
    watch(channel)
    return channel
  }
}
