declare const brand: unique symbol

/** A nominal type: a `Brand<string, 'SpaceId'>` is not assignable from a plain string. */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name }
