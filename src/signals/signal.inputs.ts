import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { RejectedItem } from '../shared/batch';

/**
 * One signal to ingest. No class-validator rules on purpose: a batch reports each bad item and
 * stores the rest, so the service checks items itself (signal.rules.ts) instead of failing the call.
 */
@InputType({ description: 'A fact about an account, e.g. {accountExternalId: "acme", type: "login", occurredAt: "…"}.' })
export class SignalInput {
  @Field({ description: 'Your id of the account (Account.externalId).' })
  accountExternalId: string;

  @Field({ description: 'Lowercase name, optionally `name:qualifier`: login, feature_used, nps, tag:champion_left …' })
  type: string;

  @Field({ description: 'When it happened (UTC). At most a few minutes in the future; not before 2000-01-01.' })
  occurredAt: Date;

  @Field(() => String, { nullable: true, description: 'What it is about: a feature key, a user id, a ticket priority (≤ 200 chars).' })
  subject?: string | null;

  @Field(() => Float, { nullable: true, description: 'A number where one applies: NPS 0-10, pulse 1-5, an amount.' })
  value?: number | null;

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
