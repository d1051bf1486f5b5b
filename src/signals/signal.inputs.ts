import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { RejectedItem } from '../shared/batch';

/**
 * A signal's number, checked per item by the service rather than by GraphQL: Float would refuse the whole batch for
 * one value JSON can carry but Float cannot (1e400 parses to Infinity).
 */
export const SignalValue = new GraphQLScalarType({
  name: 'SignalValue',
  description: 'A finite number. Anything else rejects this signal, not the batch.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

/**
 * One signal to ingest. No class-validator rules on purpose: a batch reports each bad item and
 * stores the rest, so the service checks items itself (signal.rules.ts) instead of failing the call.
 * For the same reason occurredAt is a String and value a SignalValue: GraphQL's coercion fails the whole call.
 */
@InputType({ description: 'A fact about an account, e.g. {accountExternalId: "acme", type: "login", occurredAt: "…"}.' })
export class SignalInput {
  @Field({ description: 'Your id of the account (Account.externalId).' })
  accountExternalId: string;

  @Field({ description: 'Lowercase name, optionally `name:qualifier`: login, feature_used, nps, tag:champion_left …' })
  type: string;

  @Field(() => String, { description: 'When it happened: an ISO-8601 date-time with offset (2026-01-15T09:00:00Z). At most a few minutes in the future; not before 2000-01-01. A malformed one rejects this signal, not the batch.' })
  occurredAt: string;

  @Field(() => String, { nullable: true, description: 'What it is about: a feature key, a user id, a ticket priority (≤ 200 chars).' })
  subject?: string | null;

  @Field(() => SignalValue, { nullable: true, description: 'A number where one applies: NPS 0-10, pulse 1-5, an amount.' })
  value?: unknown;

  @Field(() => String, { nullable: true, description: 'Stored once per workspace: resending the same key is reported as a duplicate (≤ 200 chars).' })
  idempotencyKey?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'What happened to a batch of signals: stored, already known, rejected.' })
export class IngestSignalsResult {
  @Field(() => Int, { description: 'Signals stored by this call.' })
  accepted: number;

  @Field(() => Int, { description: 'Signals not stored because their idempotencyKey was already known (or repeated in the batch).' })
  duplicates: number;

  @Field(() => [RejectedItem], { description: 'Invalid signals, by position; the valid ones were stored.' })
  rejected: RejectedItem[];
}
