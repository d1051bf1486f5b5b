/**
 * The health part of a page plan (src/shared/plan.ts): which fields of an account's health and outcomes a page can
 * read in its own statement, and the SQL that reads them shaped as AccountHealth, OutcomeHealth, JourneyHealth,
 * Driver, Outcome and Milestone. The values equal what the loaders' path gives (health.service.ts): the same rows
 * (current_* tables, active outcomes, oldest outcome first, drivers worst first) and the same ids (`scoredId`).
 */
import type { FieldNode, GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import type { DataSource } from 'typeorm';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { entityObjectSql, isoSql, jsonObject, plannableEntityFields, type PlannedFields, type PlannedRelation } from '../shared/plan';
import { intArgument, selectedFields } from '../shared/selection';
import { CURRENT_ACCOUNT_HEALTH_COLUMNS, fieldColumnsSql, OUTCOME_JOURNEY_COLUMNS, OUTCOME_SCORE_COLUMNS } from './health.columns';
import { topDriversSql } from './health.loaders';

/** What a page reads of each account's outcomes (OutcomeHealth fields), with the relations it reads along. */
export interface OutcomesPlan {
  fields: PlannedFields;
  /** JourneyHealth's fields, and the next Milestone's when asked for. */
  journey?: { fields: PlannedFields; nextMilestone?: PlannedFields };
  /** The Outcome's fields, when asked for. */
  outcome?: PlannedFields;
  /** The first `top` drivers (null: all) with these fields. */
  drivers?: { top: number | null; fields: PlannedFields };
}

// Each type's plannable fields and their SQL: `h` a current_outcome_health row, `ah` a current_account_health row.
const scoredIdSql = (h: string) => `${h}.account_id || ':' || ${h}.outcome_id || '@' || ${isoSql(`${h}.as_of`)}`;
const OUTCOME_FIELDS = (h: string): Record<string, string> => ({
  id: scoredIdSql(h), outcomeId: `${h}.outcome_id`, asOf: isoSql(`${h}.as_of`), ...fieldColumnsSql(OUTCOME_SCORE_COLUMNS, h),
});
const JOURNEY_FIELDS = (h: string): Record<string, string> => ({ id: scoredIdSql(h), ...fieldColumnsSql(OUTCOME_JOURNEY_COLUMNS, h) });
const ACCOUNT_HEALTH_FIELDS = (ah: string, accountId: string): Record<string, string> => ({
  ...fieldColumnsSql(CURRENT_ACCOUNT_HEALTH_COLUMNS, ah),
  id: `${accountId} || '@' || coalesce(${isoSql(`${ah}.as_of`)}, 'never')`, asOf: isoSql(`${ah}.as_of`), band: `coalesce(${ah}.band, 'UNKNOWN')`,
});
const names = (fields: Record<string, string>) => new Set(Object.keys(fields));
const OUTCOME_FIELD_NAMES = names(OUTCOME_FIELDS('h'));
const JOURNEY_FIELD_NAMES = names(JOURNEY_FIELDS('h'));
const ACCOUNT_HEALTH_FIELD_NAMES = names(ACCOUNT_HEALTH_FIELDS('ah', 'a.id'));

/** The fields asked for when all are among `known`; null when one is not. */
function knownFields(asked: Iterable<string>, known: ReadonlySet<string>): PlannedFields | null {
  const fields: string[] = [];
  for (const name of asked) {
    if (name === '__typename') continue;
    if (!known.has(name)) return null;
    fields.push(name);
  }
  return fields;
}

/** Account.health from its field nodes; null when the plan cannot read every field asked. */
export function planAccountHealth(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): PlannedFields | null {
  return knownFields(selectedFields(info, nodes).keys(), ACCOUNT_HEALTH_FIELD_NAMES);
}

/** The relations of the health types a page plan reads along (see `answerPlannedRelations`); Account's are in accounts/account.plan.ts. */
export const PLANNED_HEALTH_RELATIONS: PlannedRelation[] = [['OutcomeHealth', 'outcome'], ['OutcomeHealth', 'drivers'], ['JourneyHealth', 'nextMilestone']];

/**
 * Account.outcomes from its field nodes; null when a field asked below needs more than the plan reads (stage,
 * modelVersion, change, a journey's milestones, a driver's component, an outcome's coin …): then the outcomes are
 * loaded, not planned.
 */
export function planOutcomes(info: GraphQLResolveInfo, db: DataSource, nodes: readonly FieldNode[]): OutcomesPlan | null {
  const fields: string[] = [];
  const plan: OutcomesPlan = { fields };
  for (const [name, sub] of selectedFields(info, nodes)) {
    if (name === '__typename') continue;
    if (OUTCOME_FIELD_NAMES.has(name)) { fields.push(name); continue; }
    if (name === 'outcome') {
      const outcome = plannableEntityFields(info, db, Outcome, 'Outcome', selectedFields(info, sub).keys());
      if (!outcome) return null;
      plan.outcome = outcome;
    } else if (name === 'journey') {
      const journey = planJourney(info, db, sub);
      if (!journey) return null;
      plan.journey = journey;
    } else if (name === 'drivers') {
      const drivers = planDrivers(info, sub);
      if (!drivers) return null;
      plan.drivers = drivers;
    } else {
      return null;
    }
  }
  return plan;
}

function planJourney(info: GraphQLResolveInfo, db: DataSource, nodes: readonly FieldNode[]): OutcomesPlan['journey'] | null {
  const selected = selectedFields(info, nodes);
  const next = selected.get('nextMilestone');
  selected.delete('nextMilestone');
  const fields = knownFields(selected.keys(), JOURNEY_FIELD_NAMES);
  if (!fields) return null;
  if (!next) return { fields };
  const nextMilestone = plannableEntityFields(info, db, Milestone, 'Milestone', selectedFields(info, next).keys());
  return nextMilestone && { fields, nextMilestone };
}

/**
 * Every `drivers` asked for with the same valid `top` (the usual `drivers(top: 3)`); otherwise null. Every field of
 * Driver without a resolver of its own is a key of the stored driver under the same name (DriverJson), but `id`.
 */
function planDrivers(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): OutcomesPlan['drivers'] | null {
  const tops = new Set(nodes.map((n) => intArgument(info, n, 'top')));
  const [top] = tops;
  if (tops.size !== 1 || top === undefined || (top !== null && !(Number.isInteger(top) && top >= 0))) return null;
  const type = info.schema.getType('Driver') as GraphQLObjectType;
  const fields: string[] = [];
  for (const name of selectedFields(info, nodes).keys()) {
    if (name === '__typename') continue;
    const field = type.getFields()[name];
    if (!field || field.resolve) return null;
    fields.push(name);
  }
  return { top, fields };
}

/** Account.health's planned object over the page's account id (SQL `accountId`); `ws`: the workspace parameter. */
export function accountHealthSql(fields: PlannedFields, accountId: string, ws: string): string {
  const sql = ACCOUNT_HEALTH_FIELDS('ah', accountId);
  // Never scored: the same object as AccountHealth.from(null): band UNKNOWN, id accountId@never, the rest null.
  return `(SELECT ${jsonObject(fields.map((f) => [f, sql[f]]))}
     FROM (SELECT) one LEFT JOIN current_account_health ah ON ah.workspace_id = ${ws} AND ah.account_id = ${accountId})`;
}

/** Account.outcomes' planned list over the page's account id; `param` binds a value (the drivers' top). */
export function outcomesSql(db: DataSource, plan: OutcomesPlan, accountId: string, ws: string, param: (value: unknown, cast: string) => string): string {
  const outcome = OUTCOME_FIELDS('h');
  const pairs: Array<readonly [string, string]> = plan.fields.map((f) => [f, outcome[f]] as const);
  const planned: Array<readonly [string, string]> = [];
  if (plan.outcome) planned.push(['outcome', entityObjectSql(db, Outcome, plan.outcome, 'o')]);
  if (plan.drivers) planned.push(['drivers', driversSql(plan.drivers, param)]);
  if (planned.length) pairs.push(['planned', jsonObject(planned)]);
  let milestoneJoin = '';
  if (plan.journey) {
    const journey = JOURNEY_FIELDS('h');
    const journeyPairs: Array<readonly [string, string]> = plan.journey.fields.map((f) => [f, journey[f]] as const);
    if (plan.journey.nextMilestone) {
      milestoneJoin = 'LEFT JOIN milestones m ON m.workspace_id = h.workspace_id AND m.id = h.next_milestone_id';
      journeyPairs.push(['planned', jsonObject([['nextMilestone', `CASE WHEN m.id IS NULL THEN NULL ELSE ${entityObjectSql(db, Milestone, plan.journey.nextMilestone, 'm')} END`]])]);
    }
    // As JourneyHealth.of: no journey without a status.
    pairs.push(['journey', `CASE WHEN h.journey_status IS NULL THEN NULL ELSE ${jsonObject(journeyPairs)} END`]);
  }
  return `(SELECT coalesce(json_agg(${jsonObject(pairs)} ORDER BY o.created_at, o.id), '[]'::json)
     FROM current_outcome_health h
     JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.active
     ${milestoneJoin}
     WHERE h.workspace_id = ${ws} AND h.account_id = ${accountId})`;
}

/** The first `top` drivers as the loader takes them (`topDriversSql`: stored worst first), as Driver objects. */
function driversSql(drivers: NonNullable<OutcomesPlan['drivers']>, param: (value: unknown, cast: string) => string): string {
  const fields = drivers.fields.map((f) => [f, f === 'id' ? `${scoredIdSql('h')} || '/' || (d->>'componentId')` : `d->'${f}'`] as const);
  return `(SELECT coalesce(json_agg(${jsonObject(fields)} ORDER BY x.i), '[]'::json)
     FROM jsonb_array_elements(${topDriversSql('h', param(drivers.top, 'int'))}) WITH ORDINALITY x(d, i))`;
}
