import '@automerge/automerge'
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf, trustClaims } from './testing/paired-links'

// Three adapters, each pair joined by one in-memory link; the suite's Repos choose their own peer ids.
runNetworkAdapterTests(() => {
  const adapters = [0, 1, 2].map(() => new MeshNetworkAdapter({ allowed: () => true, identify: trustClaims }))
  const detach: (() => void)[] = []
  for (const [i, j] of [
    [0, 1],
    [0, 2],
    [1, 2],
  ] as const) {
    const [a, b] = pairedLinks(remoteOf(`r${String(i)}`), remoteOf(`r${String(j)}`))
    detach.push(adapters[i]?.attach(a) ?? (() => undefined), adapters[j]?.attach(b) ?? (() => undefined))
  }
  const [a, b, c] = adapters as [MeshNetworkAdapter, MeshNetworkAdapter, MeshNetworkAdapter]
  return Promise.resolve({
    adapters: [a, b, c],
    teardown: () => {
      for (const remove of detach) remove()
    },
  })
}, 'MeshNetworkAdapter')
