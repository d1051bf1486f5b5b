import { HealthBand, JourneyStatus } from '../health/health.types';
import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { LifecycleOutcomeKind } from './account.entity';

/**
 * Batch items carry no class-validator rules on purpose: one bad item must not fail the whole batch.
 * They are checked one by one in account.validate.ts and reported in `rejected`. For the same reason dates are
 * Strings and attributes any JSON here: a malformed value would otherwise fail the call at GraphQL's coercion.
 */
@InputType({ description: 'A recorded renewal, expansion, contraction or churn.' })
export class LifecycleOutcomeInput {
  @Field(() => LifecycleOutcomeKind, { description: 'RENEWED, EXPANDED, CONTRACTED or CHURNED.' })
  kind: LifecycleOutcomeKind;

  @Field(() => String, { description: 'When it happened, a day YYYY-MM-DD (not in the future). A malformed day rejects this account, not the batch.' })
  date: string;
}

@InputType({ description: 'An account to create or update, matched by externalId. Omitted fields keep their stored value; null clears a nullable one.' })
export class AccountInput {
  @Field({ description: 'Your id for the account: 1-200 characters, unique per workspace.' })
  externalId: string;

  @Field(() => String, { nullable: true, description: 'Required when the account is new; 1-500 characters.' })
  name?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Free attributes, a JSON object (at most 100 keys); replaces the stored ones when given. Cluster rules read these. Anything but an object rejects this account, not the batch.' })
  attributes?: unknown;

  @Field(() => String, { nullable: true, description: 'The CSM who owns the account (free text, e.g. an email); null clears it.' })
  csmOwner?: string | null;

  @Field(() => String, { nullable: true, description: 'Day 0 of the success journey: an ISO-8601 date-time with offset (2026-01-15T09:00:00Z) or a day (2026-01-15, midnight UTC); defaults to now for a new account, kept on update. A malformed one rejects this account, not the batch.' })
  journeyStartedAt?: string | null;

  @Field(() => String, { nullable: true, description: 'A day YYYY-MM-DD. A malformed one (2027-02-30) rejects this account, not the batch.' })
  renewalDate?: string | null;

  @Field(() => [LifecycleOutcomeInput], { nullable: true, description: 'When given, replaces the account\'s recorded lifecycle outcomes (an empty list clears them).' })
  lifecycleOutcomes?: LifecycleOutcomeInput[] | null;
}

export enum AccountOrderField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  RENEWAL_DATE = 'RENEWAL_DATE',
  SCORE = 'SCORE',
  SCORE_CHANGE = 'SCORE_CHANGE',
}
registerEnumType(AccountOrderField, {
  name: 'AccountOrderField',
  description: 'What the accounts list is sorted by.',
  valuesConfig: {
    NAME: { description: 'Case-insensitive name.' },
    CREATED_AT: { description: 'When the account was first upserted.' },
    RENEWAL_DATE: { description: 'Renewal date; accounts without one come last in both directions.' },
    SCORE: { description: 'Current score: the account health, or with filter.outcomeId that outcome\'s score; never-scored accounts last.' },
    SCORE_CHANGE: { description: 'Score change over `changeDays` (as Account.outcomes.change computes it); accounts without history last.' },
  },
});

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, {
  name: 'SortDirection',
  description: 'Order of a list; accounts without a value for the field come last either way.',
  valuesConfig: { ASC: { description: 'Smallest (or A) first.' }, DESC: { description: 'Largest (or Z) first.' } },
});

@InputType({ description: 'How to sort the accounts list (default: by name, ascending).' })
export class AccountOrder {
  @Field(() => AccountOrderField, { defaultValue: AccountOrderField.NAME, description: 'What to sort by (default NAME).' })
  field: AccountOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC, description: 'ASC or DESC (default ASC); accounts without a value come last either way.' })
  direction: SortDirection;

  @Field(() => Int, { defaultValue: 30, description: 'For SCORE_CHANGE: the change over this many days (1-365).' })
  changeDays: number;
}

@InputType({ description: 'All given conditions must hold.' })
export class AccountFilter {
  @Field(() => ID, { nullable: true, description: 'Only accounts of this persona cluster.' })
  clusterId?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact CSM owner.' })
  csmOwner?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name or the externalId.' })
  search?: string | null;

  @Field(() => [String], { nullable: true, description: 'Only these external ids (at most 1000).' })
  externalIds?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Accounts of this outcome\'s cluster; band, status, stage, score filters and sorts then read this outcome\'s health.' })
  outcomeId?: string | null;

  @Field(() => [HealthBand], { nullable: true, description: 'Only accounts in one of these bands (of the outcome with outcomeId, else the account health); UNKNOWN includes never-scored accounts.' })
  bands?: HealthBand[] | null;

  @Field(() => [JourneyStatus], { nullable: true, description: 'Journey status (of the outcome, or the account\'s worst).' })
  journeyStatuses?: JourneyStatus[] | null;

  @Field(() => ID, { nullable: true, description: 'Accounts currently in this journey stage.' })
  stageId?: string | null;

  @Field(() => Float, { nullable: true, description: 'Only scores at or above this, 0-100 (the outcome\'s score with outcomeId, else the account health); never-scored accounts are left out.' })
  scoreMin?: number | null;

  @Field(() => Float, { nullable: true, description: 'Only scores at or below this, 0-100, not below scoreMin; never-scored accounts are left out.' })
  scoreMax?: number | null;
}
