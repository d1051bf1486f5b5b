/**
 * Values a list read along with its items for their field resolvers (see `listAccounts`). They ride on the item
 * object itself, so they reach only the fields of the selection they were read for (other paths to the same
 * record get other objects and go through the loaders), and `installReadAlong` answers such a field with the
 * value as it is: no type-graphql wrapper, no loader, no promise, where a page of the dashboard has hundreds.
 * A symbol property rather than a WeakMap: hundreds of short-lived WeakMap keys per page were a visible cost in
 * the garbage collector.
 */
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

const READ_ALONG = Symbol('readAlong');
type Holder = { [READ_ALONG]?: ReadAlong };

/** By `readAlongKey` (the field name, with its arguments when it has any); undefined: not read along. */
export type ReadAlong = Record<string, unknown>;

export function attachReadAlong<T extends object>(item: T, values: ReadAlong): T {
  (item as Holder)[READ_ALONG] = values;
  return item;
}

/**
 * The key of a field's value for these arguments: `name` without arguments, else `name(arg:value,…)` in
 * argument order of the query's coerced values (JSON), e.g. `drivers(top:3)`.
 */
export function readAlongKey(name: string, args: Record<string, unknown>): string {
  let key = name;
  let sep = '(';
  for (const arg in args) {
    key += `${sep}${arg}:${JSON.stringify(args[arg])}`;
    sep = ',';
  }
  return sep === ',' ? `${key})` : key;
}

/**
 * Every field with a resolver of its own first looks for a value read along on its parent object. Bypassing
 * type-graphql's wrapper is safe here because our schema has no field-level @Authorized and no middlewares
 * (authorisation is on the root fields, which a list has passed), and a value is read along only for the exact
 * arguments it answers.
 */
export function installReadAlong(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getQueryType() || type === schema.getMutationType()
      || type === schema.getSubscriptionType()) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const name = field.name;
      const withArgs = field.args.length > 0;
      const fast: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) => {
        const along = (root as Holder | null)?.[READ_ALONG];
        if (along !== undefined) {
          const value = along[withArgs ? readAlongKey(name, args) : name];
          if (value !== undefined) return value;
        }
        return resolve(root, args, context, info);
      };
      field.resolve = fast;
    }
  }
}
