import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './shared/auth';
import { registerSchemaForErrors } from './shared/errors';
import { unusedPubSub } from './live/live.context';
import { RESOLVERS } from './resolvers';

let cached: Promise<GraphQLSchema> | undefined;

/**
 * The GraphQL schema, built from the resolver classes. `validate: true`: class-validator runs on every input.
 * Every @ObjectType sets `simpleResolvers: true`: a plain property is read by graphql-js's default resolver
 * instead of type-graphql's middleware wrapper (we use no field middlewares and no field-level @Authorized;
 * a page of the dashboard resolves thousands of such fields). Field resolvers are unaffected.
 */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS as unknown as NonEmptyArray<Function>,
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    authChecker,
    authMode: 'error',
    pubSub: unusedPubSub, // subscriptions read from src/live's hub (PostgreSQL LISTEN), not from a PubSub
  }).then((schema) => {
    registerSchemaForErrors(schema);
    return schema;
  });
  return cached;
}
