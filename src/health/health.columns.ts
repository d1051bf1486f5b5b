/**
 * The health row, defined once: the columns a scoring result has (per account × outcome, and per account), their
 * SQL types and TypeScript types. The entities (health.entity.ts), the row types, the engine's persist and
 * result SELECTs (scoring/engine*.ts), the read path's SELECT lists and the page prefetch's JSON objects and
 * decoder (health.loaders.ts) are all derived from these tables, so a new column is added here and nowhere else
 * (plus its migration, and its GraphQL field if clients should see it).
 */
import { Column, type ColumnOptions, type ColumnType } from 'typeorm';

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

/** One column: its TypeORM type and options; `T` is its TypeScript type (phantom). */
export interface HealthColumn<T> { type: ColumnType; options: ColumnOptions; t?: T }
const col = <T>(type: HealthColumn<T>['type'], options: ColumnOptions = {}): HealthColumn<T> => ({ type, options });
type Columns = Record<string, HealthColumn<unknown>>;
/** The TypeScript row of a column table. */
export type ValuesOf<C extends Columns> = { [K in keyof C]: C[K] extends HealthColumn<infer T> ? T : never };

/** What scoring one account × outcome produces (health_snapshots and current_outcome_health). */
export const OUTCOME_RESULT_COLUMNS = {
  /** Null when every component is missing or not applicable. */
  score: col<number | null>('double precision', { nullable: true }),
  band: col<Band>('text'),
  proactive: col<number | null>('double precision', { nullable: true }),
  reactive: col<number | null>('double precision', { nullable: true }),
  coverage: col<number | null>('double precision', { nullable: true }),
  stageId: col<string | null>('uuid', { nullable: true }),
  /** Whole days since journey start at asOf. */
  journeyDay: col<number>('int'),
  /** Null when the outcome has no journey. */
  journeyStatus: col<JourneyStatus | null>('text', { nullable: true }),
  overdueCount: col<number>('int', { default: 0 }),
  nextMilestoneId: col<string | null>('uuid', { nullable: true }),
  daysUntilDue: col<number | null>('int', { nullable: true }),
  /** Worst first (most points lost; ties in the coin's component order). */
  drivers: col<DriverJson[]>('jsonb', { default: () => "'[]'" }),
  /** In the order they are expected. */
  milestones: col<MilestoneJson[]>('jsonb', { default: () => "'[]'" }),
};
export type OutcomeResult = ValuesOf<typeof OUTCOME_RESULT_COLUMNS>;

/** What scoring one account produces (account_health_snapshots and current_account_health). */
export const ACCOUNT_RESULT_COLUMNS = {
  /** Weighted mean of the non-null scores of the cluster's active outcomes; null when none. */
  score: col<number | null>('double precision', { nullable: true }),
  band: col<Band>('text'),
  /** Outcome-weighted mean coverage of the scored outcomes. */
  coverage: col<number | null>('double precision', { nullable: true }),
};
/** Only on the current account row (for filters): the worst journey status over its outcomes. */
export const CURRENT_ACCOUNT_COLUMNS = {
  worstJourneyStatus: col<JourneyStatus | null>('text', { nullable: true }),
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

/** `'score', h.score, 'stageId', h.stage_id, …`: the arguments of a json_build_object that reads back as the row type. */
export function jsonPairs(columns: Columns, alias: string): string {
  return Object.keys(columns).map((p) => `'${p}', ${alias}.${sqlName(p)}`).join(', ');
}

/** Declare the columns on an entity class (TypeORM's @Column, applied from the table). */
export function applyColumns(entity: abstract new () => object, columns: Columns): void {
  for (const [property, c] of Object.entries(columns)) Column({ ...c.options, type: c.type })(entity.prototype, property);
}

/** The outcome row as lists read it: without the milestones and drivers jsonb (read on demand, see health.loaders.ts). */
const { drivers: _drivers, milestones: _milestones, ...summary } = OUTCOME_RESULT_COLUMNS;
export const OUTCOME_SUMMARY_COLUMNS = summary;

/** The read path's SELECT list of a current outcome row `h` (a `StoredOutcomeRow`). */
export const OUTCOME_SUMMARY_SELECT = (h: string) => `${h}.account_id AS "accountId", ${h}.outcome_id AS "outcomeId", ${h}.as_of AS "asOf",
  ${selectList(OUTCOME_SUMMARY_COLUMNS, h)}, ${h}.model_version_id AS "modelVersionId"`;
/** The same as a json object (for a statement that reads it along with other rows); `decodeJsonRow` reads it back. */
export const OUTCOME_SUMMARY_JSON = (h: string, extra = '') =>
  `json_build_object('outcomeId', ${h}.outcome_id, 'asOf', ${h}.as_of, ${jsonPairs(OUTCOME_SUMMARY_COLUMNS, h)}, 'modelVersionId', ${h}.model_version_id${extra})`;

/** The read path's SELECT list of a current account row. */
export const ACCOUNT_SELECT = (h: string) => `${h}.account_id AS "accountId", ${h}.as_of AS "asOf", ${selectList({ ...ACCOUNT_RESULT_COLUMNS, ...CURRENT_ACCOUNT_COLUMNS }, h)}`;
export const ACCOUNT_JSON = (h: string) => `json_build_object('asOf', ${h}.as_of, ${jsonPairs({ ...ACCOUNT_RESULT_COLUMNS, ...CURRENT_ACCOUNT_COLUMNS }, h)})`;

/** A row read as json (timestamps as ISO text) back into its row type, for `accountId`. */
export function decodeJsonRow<T extends { asOf: Date; accountId: string }>(json: Record<string, unknown>, accountId: string): T {
  return Object.assign(json, { accountId, asOf: new Date(json.asOf as string) }) as unknown as T;
}
