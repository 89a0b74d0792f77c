// Tests only: the Automerge documents and storage ECHO keeps private (index.ts exports none of these).
import type { DocHandle, Repo } from '@automerge/automerge-repo/slim'
import type { DocumentStore } from '../document-store'
import type { Echo } from '../echo'
import { echoInternals } from '../echo'
import type { ObjectsDoc, SpaceDoc } from '../space/documents'
import type { Space } from '../space/space'
import { spaceInternals } from '../space/space'
import type { EchoDatabase } from '../storage/echo-database'

export const rootOf = (space: Space): DocHandle<SpaceDoc> => spaceInternals(space).root

export const objectDocumentsOf = (space: Space): readonly DocHandle<ObjectsDoc>[] =>
  spaceInternals(space).objectDocuments()

export const dbOf = (echo: Echo): EchoDatabase => echoInternals(echo).db

export const documentsOf = (echo: Echo): DocumentStore => echoInternals(echo).documents

export const repoOf = (echo: Echo): Repo => echoInternals(echo).repo
