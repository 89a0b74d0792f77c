import { createMemo, type Component } from 'solid-js'
import { qrModules, qrPath, qrSide } from './qr'

/**
 * `text` as a QR code, drawn as one SVG path: dark modules on a light square with its quiet zone,
 * the same in both themes (readers expect dark on light). `label` says what it is for people who
 * cannot see it; the same link is always shown as text beside it.
 */
export const QrCode: Component<{ text: string; label: string }> = (props) => {
  const modules = createMemo(() => qrModules(props.text))
  const side = () => qrSide(modules())
  return (
    <svg
      class="qr"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${side()} ${side()}`}
      shape-rendering="crispEdges"
      data-testid="link-qr"
    >
      <rect class="qr-light" width={side()} height={side()} />
      <path class="qr-dark" d={qrPath(modules())} />
    </svg>
  )
}
