/**
 * The scoring engine: HEALTH-MODEL.md "Scoring, exactly", set-based inside PostgreSQL.
 *
 * One call scores every account of the scope (or the given ids) at one `asOf`: `scoringSteps` runs the spec's
 * numbered steps in order, each one (or two) SQL statements building a temp table (dropped at commit), set-based
 * over every account of the scope:
 *   0  engine.config.ts      the model as rows: _outcomes, _stages, _components, _scoring_fns, _milestones
 *   1  engine.scope.ts       _accounts: the accounts scored (+ cluster peers a PERCENTILE scores with them), journey day d
 *   2  engine.scope.ts       _account_outcomes: account × active outcome of its cluster, the stage in force
 *   3  engine.metrics.ts     _metric_values (one pass over the signals, FILTER per window); JOURNEY_ADHERENCE from
 *                            _milestone_achievements and _journeys (which also carries step 10's journey status)
 *   4  engine.percentile.ts  _peer_distribution: the PERCENTILE peers' values (one interface, four strategies)
 *   4  engine.scores.ts      _component_scores (the scoring functions of engine.kinds.ts; 5: not applicable / missing)
 *   5-10, 12                 _outcome_health: sides, coin score, coverage, band, journey status, drivers
 *   11                       _account_health
 *   13 (change over N days) is read from the stored snapshots, not scored.
 * New metric kinds and scoring functions are rows of the tables in engine.kinds.ts.
 * Float sums whose order could depend on the plan are summed in a fixed order (aggregate ORDER BY)
 * or exactly (numeric), so a full rescore and scoreAccount give bit-identical results.
 */
import { clusterCaseSql } from '../clusters/cluster.assign';
import { publishHealthChanges } from '../health/health.events';
import { isUuid, TenantScope } from '../shared/tenant';
import { loadModelConfig, modelHash, type ModelConfig } from './model-config';
import { configRows, step0ModelAsRows, TEMP_TABLES, type StepContext } from './engine.config';
import { step1JourneyDay, step2Stage } from './engine.scope';
import { componentValues, step3JourneyAdherence, step3MetricValues, step3MilestoneAchievements } from './engine.metrics';
import { choosePeerDistribution, type PeerCache } from './engine.percentile';
import { step11AccountHealth, step4ComponentScores, step5To12OutcomeHealth } from './engine.scores';
import { persist } from './engine.persist';
import {
  ACCOUNT_RESULT_COLUMNS, CURRENT_ACCOUNT_COLUMNS, OUTCOME_RESULT_COLUMNS, selectList, type AccountHealthRow, type OutcomeHealthRow,
} from '../health/health.columns';

export type { AccountHealthRow, DriverJson, JourneyStatus, MilestoneJson, OutcomeHealthRow } from '../health/health.columns';

export interface ScoreOptions {
  asOf: Date;
  /** Only these accounts (null/undefined: every account of the workspace). */
  accountIds?: string[] | null;
  /** Write snapshots + current tables (in one transaction). */
  persist: boolean;
  runId?: string | null;
  /** Score under this configuration instead of the live one (a draft or a version: src/model/model.source.ts resolveModel). */
  config?: ModelConfig;
  /**
   * Assign clusters from the configuration's rules (inside SQL) instead of reading the accounts' stored cluster:
   * a draft may change cluster rules. Off, as for the live model, whose stored clusters are current.
   */
  assignClusters?: boolean;
  /**
   * Without persist: hand the result tables (_outcome_health, _account_health) to this writer inside the scoring
   * transaction instead of returning the rows (a backtest copies them with INSERT … SELECT rather than through JavaScript).
   */
  sink?: (tx: TenantScope) => Promise<void>;
}

export interface ScoringResult {
  asOf: Date;
  modelHash: string;
  /** Set when persisted (the recorded model version). */
  modelVersionId: string | null;
  accountCount: number;
  outcomeCount: number;
  /** Only without persist (a persisted full rescore would not fit in memory). */
  outcomes?: OutcomeHealthRow[];
  accounts?: AccountHealthRow[];
  /** Milliseconds per step (temp table, persist), for benchmarks and logs. */
  timings: Record<string, number>;
}

/** Score accounts at `asOf`. Deterministic: same signals + configuration + asOf ⇒ same result. */
export async function scoreAccounts(scope: TenantScope, opts: ScoreOptions): Promise<ScoringResult> {
  const asOf = new Date(opts.asOf);
  if (Number.isNaN(asOf.getTime())) throw new Error('scoreAccounts: invalid asOf');
  const ids = opts.accountIds ? [...new Set(opts.accountIds)].filter(isUuid) : null;
  if (ids && ids.length === 0) {
    const config = opts.config ?? await loadModelConfig(scope);
    return { asOf, modelHash: modelHash(config), modelVersionId: null, accountCount: 0, outcomeCount: 0, outcomes: opts.persist ? undefined : [], accounts: opts.persist ? undefined : [], timings: {} };
  }
  return await inTransaction(scope, !opts.persist, async (tx) => {
    const config = opts.config ?? await loadModelConfig(tx);
    const hash = modelHash(config);
    // Big sorts/hashes in memory; JIT compilation costs more than it saves on these one-off statements.
    await tx.manager.query(`SET LOCAL work_mem = '512MB'`);
    await tx.manager.query(`SET LOCAL jit = off`);
    // drivers/milestones jsonb are ~2 KB a row: lz4 compresses them several times faster than the default pglz.
    await tx.manager.query(`SELECT set_config('default_toast_compression', 'lz4', true)
      FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`);
    const timings: Record<string, number> = {};
    await scoringSteps(tx, config, asOf, ids, timings, opts.persist && opts.runId ? { runId: opts.runId, modelHash: hash } : null,
      opts.assignClusters ?? false);
    const [{ n_acc, n_out }] = await tx.query<{ n_acc: number; n_out: number }>(
      `SELECT (SELECT count(*)::int FROM _account_health) AS n_acc, (SELECT count(*)::int FROM _outcome_health) AS n_out`);
    if (opts.persist) {
      const versionId = await recordModelVersion(tx, hash, config);
      const t0 = performance.now();
      await persist(tx, asOf, versionId, opts.runId ?? null, timings);
      timings.persist = Math.round(performance.now() - t0);
      // Live updates: band changes and milestones achieved / newly overdue, announced on commit (NOTIFY).
      const t1 = performance.now();
      await publishHealthChanges(tx, { asOf, accountIds: ids ?? null });
      timings.publish = Math.round(performance.now() - t1);
      return { asOf, modelHash: hash, modelVersionId: versionId, accountCount: n_acc, outcomeCount: n_out, timings };
    }
    if (opts.sink) {
      await opts.sink(tx);
      return { asOf, modelHash: hash, modelVersionId: null, accountCount: n_acc, outcomeCount: n_out, timings };
    }
    const outcomes = await tx.query<OutcomeHealthRow>(
      `SELECT ${OUTCOME_SELECT}, NULL::uuid AS "modelVersionId" FROM _outcome_health ORDER BY account_id, outcome_id`);
    const accounts = await tx.query<AccountHealthRow>(
      `SELECT ${ACCOUNT_SELECT} FROM _account_health ORDER BY account_id`);
    for (const r of outcomes) r.asOf = asOf;
    for (const r of accounts) r.asOf = asOf;
    return { asOf, modelHash: hash, modelVersionId: null, accountCount: n_acc, outcomeCount: n_out, outcomes, accounts, timings };
  });
}

/**
 * Join the caller's transaction, or open one. A read-only scoring gets REPEATABLE READ so that all its
 * statements see the same signals (a batch ingested meanwhile cannot land between two steps); a persisting
 * one stays READ COMMITTED so that concurrent rescores wait on row locks instead of failing to serialise.
 */
async function inTransaction<T>(scope: TenantScope, snapshot: boolean, fn: (tx: TenantScope) => Promise<T>): Promise<T> {
  if (scope.inTransaction || !snapshot) return await scope.transaction(fn);
  return await scope.transaction(fn, 'REPEATABLE READ');
}

/** Score one account at any time without saving (backtests, "what would it be"). */
export async function scoreAccount(scope: TenantScope, accountId: string, asOf: Date): Promise<{ account: AccountHealthRow | null; outcomes: OutcomeHealthRow[]; modelHash: string }> {
  const r = await scoreAccounts(scope, { asOf, accountIds: [accountId], persist: false });
  return { account: r.accounts?.[0] ?? null, outcomes: r.outcomes ?? [], modelHash: r.modelHash };
}

const OUTCOME_SELECT = `account_id AS "accountId", outcome_id AS "outcomeId", ${selectList(OUTCOME_RESULT_COLUMNS)}`;
const ACCOUNT_SELECT = `account_id AS "accountId", ${selectList({ ...ACCOUNT_RESULT_COLUMNS, ...CURRENT_ACCOUNT_COLUMNS })}`;

/**
 * The version snapshots point at: the newest recorded version of this configuration (every change of the live model
 * records one, src/model/); one is recorded here only for a configuration written some other way (SQL, old seeds).
 */
export async function recordModelVersion(tx: TenantScope, hash: string, config: ModelConfig): Promise<string> {
  const newest = `SELECT id FROM model_versions WHERE workspace_id = $1 AND hash = $2 ORDER BY number DESC LIMIT 1`;
  const [found] = await tx.query<{ id: string }>(newest, [hash]);
  if (found) return found.id;
  // Under the lock the numbering trigger takes, so that concurrent chunks of one run record it once.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('model_versions:' || $1::uuid::text, 0))`);
  const [again] = await tx.query<{ id: string }>(newest, [hash]);
  if (again) return again.id;
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO model_versions (workspace_id, hash, config, message) VALUES ($1::uuid, $2, $3::jsonb, 'recorded by scoring') RETURNING id`,
    [hash, JSON.stringify(config)]);
  return row.id;
}

/** Temp tables later joins read: analysed right after they are built (without statistics the planner picks nested loops). */
const ANALYZED = new Set(['_accounts', '_account_outcomes', '_metric_values', '_milestone_achievements', '_journeys',
  '_peer_distribution', '_component_scores', '_outcome_health', '_account_health']);

/** The steps of "Scoring, exactly", in order; they leave _outcome_health and _account_health for the caller. */
async function scoringSteps(tx: TenantScope, config: ModelConfig, asOf: Date, ids: string[] | null, timings: Record<string, number>,
  run: PeerCache | null, assignClusters: boolean): Promise<void> {
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    if (process.env.SCORING_EXPLAIN?.split(',').includes(name)) {
      const plan = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params);
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n')); // eslint-disable-line no-console
    } else await tx.query(sql, params);
    if (ANALYZED.has(name)) await tx.manager.query(`ANALYZE ${name}`);
    timings[name] = Math.round(performance.now() - t0);
  };
  await tx.manager.query(`DROP TABLE IF EXISTS ${TEMP_TABLES.join(', ')}`);
  // The accounts with the cluster they are in: stored, or (a draft's rules) assigned by the configuration's rules.
  const accounts = assignClusters ? await assignedClusters(tx, config) : 'accounts';
  const ctx: StepContext = { tx, config, rows: configRows(config), asOf, ids, accounts, step };
  const peers = await choosePeerDistribution(ctx, run);
  await step0ModelAsRows(ctx);
  await step1JourneyDay(ctx, peers);
  await step2Stage(ctx);
  await step3MetricValues(ctx, peers);
  await step3MilestoneAchievements(ctx, peers);
  await step3JourneyAdherence(ctx, peers);
  const values = componentValues(ctx);
  await peers.build(ctx, values);
  await step4ComponentScores(ctx, values, peers);
  await step5To12OutcomeHealth(ctx);
  await step11AccountHealth(ctx);
}

/**
 * `_assigned_clusters`: every account's cluster by the configuration's rules (clusterCaseSql, as assignClusters
 * stores them: priority order, first match wins, the default last), and the SQL of a relation that reads like
 * `accounts` with that cluster.
 */
async function assignedClusters(tx: TenantScope, config: ModelConfig): Promise<string> {
  const ordered = [...config.clusters.filter((c) => !c.isDefault).sort((a, b) => a.priority - b.priority), ...config.clusters.filter((c) => c.isDefault)];
  const params: unknown[] = [];
  const caseSql = clusterCaseSql(ordered, 'a', params, 1);
  await tx.query(`CREATE TEMP TABLE _assigned_clusters ON COMMIT DROP AS SELECT a.id AS account_id, ${caseSql} AS cluster_id
    FROM accounts a WHERE a.workspace_id = $1`, params);
  await tx.manager.query(`ANALYZE _assigned_clusters`);
  return `(SELECT x.id, x.workspace_id, x.attributes, x.journey_started_at, l.cluster_id
           FROM accounts x JOIN _assigned_clusters l ON l.account_id = x.id WHERE x.workspace_id = $1)`;
}
