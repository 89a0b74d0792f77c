/** Presence's words, tested beside them. */
import type { PersonHere } from '../../client'
import { memberName } from '../members/member-words'

/** A person as presence names them: their profile's name, or "Unknown person" with their fingerprint's start. */
export const personName = (person: PersonHere): string => (person.me ? 'You' : memberName(person))

/** "Ada is here", "Ada and Ben are here", "Ada, Ben and Cy are here"; nothing when nobody else is. */
export const noteHereWords = (people: readonly PersonHere[]): string | undefined => {
  const names = people.map(personName)
  const last = names.pop()
  if (last === undefined) return undefined
  return names.length === 0 ? `${last} is here` : `${names.join(', ')} and ${last} are here`
}
