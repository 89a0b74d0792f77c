import { clientInternals, type Client } from '../../client'

/** What a guest's device holds of `spaceId`: a registered space, a listing or a sealed secret in its personal space. */
export const storedOf = async (client: Client, spaceId: string) => {
  const echo = await clientInternals(client)?.echo()
  const ready = client.identity.state.get()
  if (echo === undefined || ready.kind !== 'ready') throw new Error('no client')
  const rows = await echo.listSpaces(ready.identity.identityKey as never)
  const personal = rows.find((row) => row.personal === 1)
  const opened = personal === undefined ? undefined : await echo.openSpace(personal.id as never)
  const space = opened?.ok === true ? opened.value : undefined
  return {
    registered: rows.some((row) => row.id === spaceId),
    listed: space?.listedSpaces.get().some((listed) => listed.spaceId === spaceId) ?? false,
    boxes: space?.swarmBoxes(spaceId as never).get().length ?? 0,
  }
}
