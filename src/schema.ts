import 'reflect-metadata';
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './shared/auth';
import { registerSchemaForErrors } from './shared/errors';
import { unusedPubSub } from './live/live.context';
import { RESOLVERS } from './resolvers';
import { answerPlannedRelations } from './shared/plan';
import { PLANNED_ACCOUNT_RELATIONS } from './accounts/account.plan';
import { PLANNED_HEALTH_RELATIONS } from './health/health.plan';

let cached: Promise<GraphQLSchema> | undefined;

/**
 * One instance per resolver class, found by a map lookup: type-graphql's default container looks the instance up with
 * a linear search over every resolver class, on every call of every field resolver (hundreds per dashboard page).
 */
const resolverInstances = new Map<Function, unknown>();
const container = {
  get(resolverClass: new () => unknown): unknown {
    let instance = resolverInstances.get(resolverClass);
    if (instance === undefined) resolverInstances.set(resolverClass, (instance = new resolverClass()));
    return instance;
  },
};

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
    container,
  }).then((schema) => {
    describeRootTypes(schema);
    answerPlannedRelations(schema, [...PLANNED_ACCOUNT_RELATIONS, ...PLANNED_HEALTH_RELATIONS]);
    registerSchemaForErrors(schema);
    return schema;
  });
  return cached;
}

/** type-graphql builds the root types itself; their descriptions (shown first in an IDE's docs pane) are set here. */
function describeRootTypes(schema: GraphQLSchema): void {
  const roots: Array<[GraphQLObjectType | null | undefined, string]> = [
    [schema.getQueryType(), 'Reads, scoped to the workspace of the API key (see `viewer`). Ids of other workspaces are NOT_FOUND.'],
    [schema.getMutationType(), 'Writes, scoped to the workspace of the API key; the role of the key decides which it may call (FORBIDDEN otherwise). '
      + 'Batches (upsertAccounts, ingestSignals) answer per item.'],
    [schema.getSubscriptionType(), 'Live updates over WebSocket (graphql-ws) at /graphql, scoped to the workspace of the API key.'],
  ];
  for (const [type, description] of roots) if (type && !type.description) type.description = description;
}
