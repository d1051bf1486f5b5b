/** GraphQL types of the health read path (Account.health, Account.outcomes, healthHistory, scoreAccount). */
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging -- the column fields' properties, from their tables */
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Side } from '../coins/coin.entity';
import {
  CURRENT_ACCOUNT_HEALTH_COLUMNS, declareFields, fieldValues, HISTORY_POINT_COLUMNS, OUTCOME_JOURNEY_COLUMNS, OUTCOME_SCORE_COLUMNS, type AccountHealthRow,
  type DriverJson, type FieldValuesOf, type MilestoneJson,
} from './health.columns';
import { HealthBand, JourneyStatus } from './health.enums';
import type { StoredOutcomeRow } from './health.loaders';
import type { Milestone } from '../journeys/journey.entity';
import type { Outcome } from '../outcomes/outcome.entity';

// The fields that show a column of the health row (score, band, coverage, journey status …) are not written here:
// `declareFields` declares them from health.columns.ts, where each column carries its GraphQL type and description.
// Here: ids, keys, and what is not a column (asOf, relations, values computed from jsonb).

export { HealthBand, JourneyStatus };

/**
 * Ids of scored results (for normalized client caches): a result is immutable, so its id names the account (and
 * outcome) and the time it was scored; a rescore is a new object with a new id, never a changed old one.
 */
export function scoredId(accountId: string, outcomeId: string | null, asOf: Date | string | null): string {
  const at = asOf === null ? 'never' : isoOf(asOf);
  return outcomeId ? `${accountId}:${outcomeId}@${at}` : `${accountId}@${at}`;
}

// The rows of a page were mostly scored by one run, at one asOf: its ISO text is kept rather than made again for each
// of the page's ~350 ids (a Date and toISOString each, a visible share of a page's CPU).
let lastAsOf = Number.NaN;
let lastIso = '';
function isoOf(asOf: Date | string): string {
  const ms = typeof asOf === 'string' ? Date.parse(asOf) : asOf.getTime();
  if (ms !== lastAsOf) { lastIso = new Date(ms).toISOString(); lastAsOf = ms; }
  return lastIso;
}

@ObjectType({ simpleResolvers: true, description: 'The health of an account: the weighted mean of its outcome scores.' })
export class AccountHealth {
  @Field(() => ID, { description: 'accountId@asOf ("never" when never scored): one scoring result of one account.' }) id: string;
  @Field(() => Date, { nullable: true, description: 'When it was scored; null if never.' }) asOf: Date | null;

  static from(row: AccountHealthRow | null | undefined, accountId: string): AccountHealth {
    return Object.assign(new AccountHealth(), fieldValues(CURRENT_ACCOUNT_HEALTH_COLUMNS, row), {
      id: scoredId(accountId, null, row?.asOf ?? null), asOf: row?.asOf ?? null, band: row?.band ?? HealthBand.UNKNOWN,
    });
  }
}
export interface AccountHealth extends FieldValuesOf<typeof CURRENT_ACCOUNT_HEALTH_COLUMNS> {}
declareFields(AccountHealth, CURRENT_ACCOUNT_HEALTH_COLUMNS);

@ObjectType({ simpleResolvers: true, description: 'One component\'s part in an outcome score.' })
export class Driver {
  data: DriverJson;
  @Field(() => ID, { description: 'The outcome health\'s id and the component: accountId:outcomeId@asOf/componentId.' }) id: string;
  @Field(() => ID, { description: 'The coin component this driver explains.' }) componentId: string;
  @Field({ description: 'The component\'s key (stable across coin redefinitions).' }) key: string;
  @Field({ description: 'The component\'s name, for display.' }) name: string;
  @Field(() => Side, { description: 'The side of the coin it belongs to.' }) side: Side;
  @Field(() => Float, { nullable: true, description: 'Metric value the scoring function saw (after normalizeBy); null when missing.' }) rawValue: number | null;
  @Field(() => Float, { nullable: true, description: '0-100, unrounded (show one decimal); null when not applicable or missing.' }) score: number | null;
  @Field(() => Float, { description: 'Configured weight inside its side.' }) weight: number;
  @Field(() => Float, { description: 'Share of the outcome score after renormalisation and side weight (0 when left out).' }) effectiveWeight: number;
  @Field(() => Float, { description: 'effectiveWeight × score: points this component adds to the outcome score.' }) contribution: number;
  @Field(() => Float, { description: 'effectiveWeight × (100 − score): points this component costs.' }) pointsLost: number;
  @Field({ description: 'False when its applicability rule excludes this account (e.g. managed-only components); then left out.' }) applicable: boolean;
  @Field({ description: 'True when there was no value to score (e.g. LATEST without signals); then left out and coverage drops.' }) missing: boolean;

  static from(d: DriverJson, outcomeHealthId: string): Driver {
    return Object.assign(new Driver(), d, { data: d, id: driverId(outcomeHealthId, d.componentId) });
  }
}

export const driverId = (outcomeHealthId: string, componentId: string) => `${outcomeHealthId}/${componentId}`;

@ObjectType({ simpleResolvers: true, description: 'One milestone of the journey as the account stood when scored.' })
export class MilestoneProgress {
  @Field(() => ID, { description: 'The outcome health\'s id and the milestone: accountId:outcomeId@asOf/milestoneId.' }) id: string;
  @Field(() => ID, { description: 'The milestone (also reachable as `milestone`).' }) milestoneId: string;
  @Field(() => Date, { nullable: true, description: 'When it was achieved (automatic: the signal with which its condition first held).' }) achievedAt: Date | null;
  @Field(() => Int, { description: 'Journey day by which it is due.' }) expectedByDay: number;
}

@ObjectType({ simpleResolvers: true, description: 'A milestone due and not achieved when the account was scored.' })
export class OverdueMilestone {
  @Field(() => ID, { description: 'The outcome health\'s id and the milestone: accountId:outcomeId@asOf/milestoneId.' }) id: string;
  @Field(() => ID, { description: 'The milestone (also reachable as `milestone`).' }) milestoneId: string;
  @Field(() => Int, { description: 'Journey day − expectedByDay (0 on the day it is due).' }) daysOverdue: number;
}

@ObjectType({ simpleResolvers: true, description: 'Where the account stands on the success journey of an outcome.' })
export class JourneyHealth {
  @Field(() => ID, { description: 'The id of its OutcomeHealth (accountId:outcomeId@asOf).' }) id: string;
  // overdueMilestones, milestones and nextMilestone: field resolvers (JourneyHealthResolver), read only when asked for.
  /** The next milestone when a page plan read it along (src/health/health.plan.ts); else loaded by nextMilestoneId. */
  planned?: { nextMilestone?: Milestone | null };

  /** Null when the outcome has no journey; `id` is its OutcomeHealth's (computed once per row). */
  static of(row: StoredOutcomeRow, id = scoredId(row.accountId, row.outcomeId, row.asOf)): JourneyHealth | null {
    return row.journeyStatus ? new JourneyHealth(row, id) : null;
  }

  constructor(readonly row: StoredOutcomeRow, id = scoredId(row.accountId, row.outcomeId, row.asOf)) {
    Object.assign(this, fieldValues(OUTCOME_JOURNEY_COLUMNS, row));
    this.id = id;
  }
}
export interface JourneyHealth extends FieldValuesOf<typeof OUTCOME_JOURNEY_COLUMNS> {}
declareFields(JourneyHealth, OUTCOME_JOURNEY_COLUMNS);

@ObjectType({ simpleResolvers: true, description: 'A component whose contribution to the outcome score changed.' })
export class ComponentMove {
  @Field(() => ID, { description: 'The coin component.' }) componentId: string;
  @Field({ description: 'The component\'s key.' }) key: string;
  @Field(() => Float, { description: 'Change of its contribution (points of the outcome score).' }) delta: number;
}

@ObjectType({ simpleResolvers: true, description: 'Difference from the newest snapshot at or before asOf − days.' })
export class HealthChange {
  @Field(() => Float, { nullable: true, description: 'score − fromScore; null when either is null.' }) delta: number | null;
  @Field(() => Float, { nullable: true, description: 'The score then. Unrounded, 0-100: show one decimal.' }) fromScore: number | null;
  @Field(() => Date, { description: 'When the snapshot compared with was scored.' }) fromAsOf: Date;
  @Field(() => [ComponentMove], { description: 'Components whose contribution changed, biggest move first.' }) movers: ComponentMove[];
}

@ObjectType({ simpleResolvers: true, description: 'The health of an account for one desired outcome.' })
export class OutcomeHealth {
  row: StoredOutcomeRow;
  @Field(() => ID, { description: 'accountId:outcomeId@asOf: one scoring result; a rescore gives a new object with a new id.' }) id: string;
  @Field(() => ID, { description: 'The desired outcome (also reachable as `outcome`).' }) outcomeId: string;
  @Field(() => Date, { description: 'When it was scored.' }) asOf: Date;
  // A plain value of the row, not a field resolver: a resolved field costs graphql-jit and type-graphql a call each (100 per dashboard page).
  @Field(() => JourneyHealth, { nullable: true, description: 'Null when the outcome has no journey.' }) journey: JourneyHealth | null;
  /** The model hash when known (scored on the fly); a stored row has `row.modelVersionId` (field resolver). */
  modelHash?: string;
  /** Relations a page plan read along (src/health/health.plan.ts); their field resolvers load what is not here. */
  planned?: { outcome?: Outcome | null; drivers?: Driver[] };

  static from(row: StoredOutcomeRow, modelHash?: string): OutcomeHealth {
    const id = scoredId(row.accountId, row.outcomeId, row.asOf);
    return Object.assign(new OutcomeHealth(), fieldValues(OUTCOME_SCORE_COLUMNS, row), {
      row, id, outcomeId: row.outcomeId, asOf: row.asOf, journey: JourneyHealth.of(row, id), modelHash,
    });
  }
}
export interface OutcomeHealth extends FieldValuesOf<typeof OUTCOME_SCORE_COLUMNS> {}
declareFields(OutcomeHealth, OUTCOME_SCORE_COLUMNS);

@ObjectType({ simpleResolvers: true, description: 'A point of health history: an outcome snapshot, or the account health when outcome is null.' })
export class HealthPoint {
  @Field(() => ID, { description: 'accountId:outcomeId@asOf, or accountId@asOf for the account health.' }) id: string;
  @Field(() => Date, { description: 'When it was scored.' }) asOf: Date;
  @Field(() => ID, { nullable: true, description: 'The outcome; null for the account health.' }) outcomeId: string | null;
}
export interface HealthPoint extends FieldValuesOf<typeof HISTORY_POINT_COLUMNS> {}
// A point is an outcome's or the account's snapshot: its own wording of the shared columns.
declareFields(HealthPoint, HISTORY_POINT_COLUMNS, {
  score: 'The outcome score, or the account health. Unrounded, 0-100: show one decimal. Null when nothing could be scored.',
  band: 'Band of the score at the time.',
  coverage: 'Share of the score resting on evidence, 0-1 (show as a percentage); null when nothing could be scored.',
});

export function toMilestoneProgress(m: MilestoneJson, outcomeHealthId: string): MilestoneProgress {
  return Object.assign(new MilestoneProgress(), { id: `${outcomeHealthId}/${m.milestoneId}`, milestoneId: m.milestoneId, achievedAt: m.achievedAt ? new Date(m.achievedAt) : null, expectedByDay: m.expectedByDay });
}
