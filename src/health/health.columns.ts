/**
 * The health row, defined once: the columns a scoring result has (per account × outcome, and per account), their
 * SQL types, TypeScript types and, for the columns clients see, their GraphQL field (type and description). The
 * entities (health.entity.ts), the row types, the engine's persist and result SELECTs (scoring/engine*.ts), the read
 * path's SELECT lists (health.loaders.ts), the page plan's objects (health.plan.ts) and the fields of the GraphQL
 * types (health.types.ts: AccountHealth, OutcomeHealth, JourneyHealth, HealthPoint) are all derived from these
 * tables, so a new column is added here and nowhere else (plus its migration). docs/health-read-model.md has the recipe.
 */
import { Column, type ColumnOptions, type ColumnType } from 'typeorm';
import type { GraphQLScalarType } from 'graphql';
import { Field, Float, ID, Int } from 'type-graphql';
import { HealthBand, JourneyStatus as JourneyStatusEnum } from './health.enums';

export type Band = 'RED' | 'YELLOW' | 'GREEN' | 'UNKNOWN';
export type JourneyStatus = 'ON_TRACK' | 'AHEAD' | 'BEHIND' | 'STUCK';

export interface DriverJson {
  componentId: string;
  key: string;
  name: string;
  side: 'PROACTIVE' | 'REACTIVE';
  /** Metric value the scoring function saw (after normalizeBy); null when missing. */
  rawValue: number | null;
  score: number | null;
  /** Configured weight inside its side. */
  weight: number;
  /** Share of the outcome score (after renormalisation and side weight); 0 when left out. */
  effectiveWeight: number;
  contribution: number;
  pointsLost: number;
  applicable: boolean;
  missing: boolean;
}

export interface MilestoneJson {
  milestoneId: string;
  key: string;
  expectedByDay: number;
  weight: number;
  achievedAt: string | null;
}

/** How a column shows on a GraphQL object type: its GraphQL type and description, and its field name if not the property's. */
/** A GraphQL scalar (Float, Int, ID …) or an enum registered with type-graphql (HealthBand …). */
type GraphQLColumnType = GraphQLScalarType | Record<string, string>;
export interface GraphQLColumn<N extends string = string> {
  type: GraphQLColumnType;
  description: string;
  name?: N;
  /** Only where it differs from the column's (a JourneyHealth exists only when the outcome has a journey status). */
  nullable?: boolean;
}
/** One column: its TypeORM type and options; `T` is its TypeScript type (phantom); `field` when clients see it. */
export interface HealthColumn<T> { type: ColumnType; options: ColumnOptions; field?: GraphQLColumn; t?: T }
/** A column clients see: `N` is its GraphQL field name when it differs from the property name (phantom). */
export interface FieldColumn<T, N extends string> extends HealthColumn<T> { field: GraphQLColumn<N> }

interface ColumnBuilder<T> extends HealthColumn<T> {
  /** Show this column as a field of the GraphQL type(s) that expose its table (see `declareFields`). */
  asField<N extends string = never>(type: GraphQLColumnType, description: string, o?: { name?: N; nullable?: boolean }): FieldColumn<T, N>;
}
const col = <T>(type: ColumnType, options: ColumnOptions = {}): ColumnBuilder<T> => ({
  type,
  options,
  asField: (gqlType, description, o = {}) => ({ type, options, field: { type: gqlType, description, ...o } }),
});
type Columns = Record<string, HealthColumn<unknown>>;
/** The TypeScript row of a column table. */
export type ValuesOf<C extends Columns> = { [K in keyof C]: C[K] extends HealthColumn<infer T> ? T : never };
/** The GraphQL field name of a column: its `name`, else its property; never for a column clients do not see. */
type FieldNameOf<K, C> = C extends { field: GraphQLColumn<infer N> } ? ([N] extends [never] ? K : N) : never;
/** The GraphQL fields of a column table, by field name (what `fieldValues` returns). */
export type FieldValuesOf<C extends Columns> = { [K in keyof C as FieldNameOf<K, C[K]>]: C[K] extends HealthColumn<infer T> ? T : never };

/** The scores of one account × outcome (health_snapshots and current_outcome_health): OutcomeHealth's fields. */
export const OUTCOME_SCORE_COLUMNS = {
  score: col<number | null>('double precision', { nullable: true }).asField(Float, 'The coin score: sides weighted by their side weights. '
    + 'Unrounded, 0-100: show one decimal. Null when neither side has anything to score.'),
  band: col<Band>('text').asField(HealthBand, 'Band of the score by the workspace thresholds.'),
  proactive: col<number | null>('double precision', { nullable: true }).asField(Float, 'Proactive side score (what the CS team did). '
    + 'Unrounded, 0-100: show one decimal. Null when the side has nothing applicable with a value.'),
  reactive: col<number | null>('double precision', { nullable: true }).asField(Float, 'Reactive side score (what the customer does and says). '
    + 'Unrounded, 0-100: show one decimal. Null when the side has nothing applicable with a value.'),
  coverage: col<number | null>('double precision', { nullable: true }).asField(Float, 'Share of the score resting on evidence, 0-1 '
    + '(show as a percentage); null when no component applies.'),
  /** Read through OutcomeHealth.stage (a field resolver). */
  stageId: col<string | null>('uuid', { nullable: true }),
  /** Whole days since journey start at asOf. */
  journeyDay: col<number>('int').asField(Int, 'Whole days since journey start (day 0 is the start day).', { name: 'day' }),
};
/** Where one account × outcome stands on its journey: JourneyHealth's fields. */
export const OUTCOME_JOURNEY_COLUMNS = {
  /** Null when the outcome has no journey (and then there is no JourneyHealth). */
  journeyStatus: col<JourneyStatus | null>('text', { nullable: true })
    .asField(JourneyStatusEnum, 'ON_TRACK, AHEAD, BEHIND or STUCK (see JourneyStatus).', { name: 'status', nullable: false }),
  overdueCount: col<number>('int', { default: 0 }),
  nextMilestoneId: col<string | null>('uuid', { nullable: true })
    .asField(ID, 'The earliest milestone neither achieved nor yet due (also reachable as `nextMilestone`); null when none is left.'),
  daysUntilDue: col<number | null>('int', { nullable: true })
    .asField(Int, 'Days until the next milestone is due (0: due today); null when none is left.'),
};

/** What scoring one account × outcome produces (health_snapshots and current_outcome_health). */
export const OUTCOME_RESULT_COLUMNS = {
  ...OUTCOME_SCORE_COLUMNS,
  ...OUTCOME_JOURNEY_COLUMNS,
  /** Worst first (most points lost; ties in the coin's component order). Read through OutcomeHealth.drivers. */
  drivers: col<DriverJson[]>('jsonb', { default: () => "'[]'" }),
  /** In the order they are expected. Read through JourneyHealth.milestones. */
  milestones: col<MilestoneJson[]>('jsonb', { default: () => "'[]'" }),
};
export type OutcomeResult = ValuesOf<typeof OUTCOME_RESULT_COLUMNS>;

/** What scoring one account produces (account_health_snapshots and current_account_health). */
export const ACCOUNT_RESULT_COLUMNS = {
  score: col<number | null>('double precision', { nullable: true }).asField(Float, 'Weighted mean of the outcome scores. '
    + 'Unrounded, 0-100: show one decimal. Null when no outcome could be scored (or never scored).'),
  band: col<Band>('text').asField(HealthBand, 'Band of the score by the workspace thresholds; UNKNOWN when never scored.'),
  coverage: col<number | null>('double precision', { nullable: true })
    .asField(Float, 'Outcome-weighted mean coverage of the scored outcomes: the share of the score resting on evidence, 0-1 '
      + '(show as a percentage); null when nothing could be scored (or never scored).'),
};
/** Only on the current account row (for filters): the worst journey status over its outcomes. */
export const CURRENT_ACCOUNT_COLUMNS = {
  worstJourneyStatus: col<JourneyStatus | null>('text', { nullable: true })
    .asField(JourneyStatusEnum, 'Worst journey status over its outcomes (STUCK, BEHIND, ON_TRACK, AHEAD in that order); null when none has a journey.'),
};
/** The current account row as the read path reads it: AccountHealth's fields. */
export const CURRENT_ACCOUNT_HEALTH_COLUMNS = { ...ACCOUNT_RESULT_COLUMNS, ...CURRENT_ACCOUNT_COLUMNS };

/** A point of health history (healthHistory): what outcome and account snapshots share. HealthPoint's fields. */
export const HISTORY_POINT_COLUMNS = {
  score: ACCOUNT_RESULT_COLUMNS.score,
  band: ACCOUNT_RESULT_COLUMNS.band,
  coverage: ACCOUNT_RESULT_COLUMNS.coverage,
};

/** Provenance, on every stored result. */
export const PROVENANCE_COLUMNS = {
  modelVersionId: col<string>('uuid'),
  runId: col<string | null>('uuid', { nullable: true }),
};

/** One account × outcome result, as the engine returns it and the read path reads it. */
export interface OutcomeHealthRow extends OutcomeResult {
  accountId: string;
  outcomeId: string;
  asOf: Date;
  modelVersionId: string | null;
}

export interface AccountHealthRow extends ValuesOf<typeof ACCOUNT_RESULT_COLUMNS>, ValuesOf<typeof CURRENT_ACCOUNT_COLUMNS> {
  accountId: string;
  asOf: Date;
}

/** The SQL name of a property (journeyDay → journey_day). */
export const sqlName = (property: string) => property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `score, band, …` (SQL names), optionally qualified by `alias`. */
export function columnList(columns: Columns, alias?: string): string {
  return Object.keys(columns).map((p) => (alias ? `${alias}.${sqlName(p)}` : sqlName(p))).join(', ');
}

/** `h.score, h.stage_id AS "stageId", …`: rows that read back as the row types. */
export function selectList(columns: Columns, alias?: string): string {
  return Object.keys(columns).map((p) => {
    const c = alias ? `${alias}.${sqlName(p)}` : sqlName(p);
    return sqlName(p) === p ? c : `${c} AS "${p}"`;
  }).join(', ');
}

/** The columns clients see, by GraphQL field name → their SQL over row alias `alias` (a page plan's reads: src/health/health.plan.ts). */
export function fieldColumnsSql(columns: Columns, alias: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [property, c] of Object.entries(columns)) if (c.field) out[c.field.name ?? property] = `${alias}.${sqlName(property)}`;
  return out;
}

/** Declare the columns on an entity class (TypeORM's @Column, applied from the table). */
export function applyColumns(entity: abstract new () => object, columns: Columns): void {
  for (const [property, c] of Object.entries(columns)) Column({ ...c.options, type: c.type })(entity.prototype, property);
}

/**
 * Declare the columns clients see as fields of a GraphQL object type (type-graphql's @Field, applied from the table):
 * every column of `columns` with a field, under its field name, nullable as the column is. `descriptions`: this
 * type's own wording of a column, where it means something more specific here (by property name).
 */
export function declareFields(type: abstract new (...args: never[]) => object, columns: Columns, descriptions: Record<string, string> = {}): void {
  for (const [property, c] of Object.entries(columns)) {
    if (!c.field) continue;
    const { type: gqlType, description, name, nullable } = c.field;
    Field(() => gqlType, { nullable: nullable ?? !!c.options.nullable, description: descriptions[property] ?? description })(type.prototype, name ?? property);
  }
}

/** A row's values of the columns clients see, under their field names (null without a row): what `declareFields` declared. */
export function fieldValues<C extends Columns>(columns: C, row: Partial<ValuesOf<C>> | null | undefined): FieldValuesOf<C> {
  const values: Record<string, unknown> = {};
  for (const [property, c] of Object.entries(columns)) {
    if (c.field) values[c.field.name ?? property] = (row as Record<string, unknown> | null | undefined)?.[property] ?? null;
  }
  return values as FieldValuesOf<C>;
}

/** The outcome row as lists read it: without the milestones and drivers jsonb (read on demand, see health.loaders.ts). */
const { drivers: _drivers, milestones: _milestones, ...summary } = OUTCOME_RESULT_COLUMNS;
export const OUTCOME_SUMMARY_COLUMNS = summary;

/** The read path's SELECT list of a current outcome row `h` (a `StoredOutcomeRow`). */
export const OUTCOME_SUMMARY_SELECT = (h: string) => `${h}.account_id AS "accountId", ${h}.outcome_id AS "outcomeId", ${h}.as_of AS "asOf",
  ${selectList(OUTCOME_SUMMARY_COLUMNS, h)}, ${h}.model_version_id AS "modelVersionId"`;

/** The read path's SELECT list of a current account row. */
export const ACCOUNT_SELECT = (h: string) => `${h}.account_id AS "accountId", ${h}.as_of AS "asOf", ${selectList(CURRENT_ACCOUNT_HEALTH_COLUMNS, h)}`;

