// Error classes the tests of other layers build (the client's toProblem); production code sees only their codes.
export { InvalidSpaceFile, NotAllowed, ObjectNotFound } from '../errors'
