/**
 * Values a list read along with its items for their field resolvers (see `listAccounts`): they ride on the item
 * object itself, so they reach only the resolvers of the selection they were read for, and a resolver returns
 * them as they are, without a loader or a promise (hundreds of fields on a page). Other paths to the same
 * record get other objects and go through the loaders. A symbol property rather than a WeakMap: hundreds of
 * short-lived WeakMap keys per page were a visible cost in the garbage collector.
 */
const READ_ALONG = Symbol('readAlong');
type Holder = { [READ_ALONG]?: ReadAlong };

/** By field name; each domain reads its own with a typed accessor (e.g. `prefetchedHealth`). Absent: not read along. */
export type ReadAlong = Record<string, unknown>;

export function attachReadAlong(item: object, values: ReadAlong): void {
  (item as Holder)[READ_ALONG] = values;
}

export function readAlong(item: object): ReadAlong | undefined {
  return (item as Holder)[READ_ALONG];
}
