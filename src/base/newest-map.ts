/**
 * Sets `key` as the newest entry of `map` (a Map keeps insertion order, so it is re-inserted) and lets go of the
 * oldest entries past `limit`: what a peer or a sender can make us remember stays bounded.
 */
export const keepNewest = <K, V>(map: Map<K, V>, key: K, value: V, limit: number): void => {
  map.delete(key)
  map.set(key, value)
  for (const oldest of map.keys()) {
    if (map.size <= limit) break
    map.delete(oldest)
  }
}
