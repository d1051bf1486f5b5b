/**
 * The scoring engine: HEALTH-MODEL.md "Scoring, exactly", set-based inside PostgreSQL.
 *
 * One call scores every account of the scope (or the given ids) at one `asOf`, one SQL statement
 * per step, each step a temp table (dropped at commit):
 *   _o/_st/_c/_fn/_ms  the configuration (small, from JSON): outcomes, stages, components, scoring
 *          functions, milestones (metric specs and milestone rules are passed inline to the signal scans)
 *   _acc   accounts in scope (+ their cluster peers when a PERCENTILE over JOURNEY_ADHERENCE needs them), journey day d
 *   _ao    account × active outcome of its cluster, with the stage in force
 *   _mv    metric values per account × metric spec: ONE pass over the signals, FILTER per window
 *   _ach   automatic milestone achievements: a running sum (window function) over the rule's signals
 *   _jr    journey per account × outcome: adherence, status, overdue, next milestone
 *   _pv    PERCENTILE: the distribution of each component's values among the cluster peers (targeted scoring and a
 *          run's first chunk read the peers' values in one lean statement; a run's later chunks read it stored)
 *   _cs    component scores (LINEAR / BANDS / PERCENTILE via window functions over cluster peers)
 *   _oh    sides, coin score, coverage, band, drivers (jsonb)
 *   _ah    account health
 * Float sums whose order could depend on the plan are summed in a fixed order (aggregate ORDER BY)
 * or exactly (numeric), so a full rescore and scoreAccount give bit-identical results.
 */
import { publishHealthChanges } from '../live/publish';
import { isUuid, TenantScope } from '../shared/tenant';
import { loadModelConfig, modelHash, type ModelConfig } from './model-config';
import { buildTempTables } from './engine.sql';
import type { Band } from './formulas';

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

export type JourneyStatus = 'ON_TRACK' | 'AHEAD' | 'BEHIND' | 'STUCK';

/** One account × outcome result: the columns of health_snapshots / current_outcome_health. */
export interface OutcomeHealthRow {
  accountId: string;
  outcomeId: string;
  asOf: Date;
  score: number | null;
  band: Band;
  proactive: number | null;
  reactive: number | null;
  coverage: number | null;
  stageId: string | null;
  journeyDay: number;
  journeyStatus: JourneyStatus | null;
  overdueCount: number;
  nextMilestoneId: string | null;
  daysUntilDue: number | null;
  drivers: DriverJson[];
  milestones: MilestoneJson[];
  modelVersionId: string | null;
}

export interface AccountHealthRow {
  accountId: string;
  asOf: Date;
  score: number | null;
  band: Band;
  coverage: number | null;
  worstJourneyStatus: JourneyStatus | null;
}

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
   * Instead of persisting or returning rows: called in the scoring transaction with the step tables (_acc, _oh, _ah)
   * built, to copy what it needs set-based (previews). No rows reach JavaScript.
   */
  onScored?: (tx: TenantScope) => Promise<void>;
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
    await buildTempTables(tx, config, asOf, ids, timings, opts.persist && opts.runId ? { runId: opts.runId, modelHash: hash } : null,
      { assignClusters: opts.assignClusters ?? false });
    const [{ n_acc, n_out }] = await tx.query<{ n_acc: number; n_out: number }>(
      `SELECT (SELECT count(*)::int FROM _ah) AS n_acc, (SELECT count(*)::int FROM _oh) AS n_out WHERE $1::uuid IS NOT NULL`);
    if (opts.onScored) {
      await opts.onScored(tx);
      return { asOf, modelHash: hash, modelVersionId: null, accountCount: n_acc, outcomeCount: n_out, timings };
    }
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
    const outcomes = await tx.query<OutcomeHealthRow>(
      `SELECT ${OUTCOME_SELECT}, NULL::uuid AS "modelVersionId" FROM _oh WHERE $1::uuid IS NOT NULL ORDER BY account_id, outcome_id`);
    const accounts = await tx.query<AccountHealthRow>(
      `SELECT ${ACCOUNT_SELECT} FROM _ah WHERE $1::uuid IS NOT NULL ORDER BY account_id`);
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
  return await scope.manager.transaction('REPEATABLE READ', async (em) => await fn(new TenantScope(scope.workspaceId, em, scope.role, scope.actor)));
}

/** Score one account at any time without saving (backtests, "what would it be"). */
export async function scoreAccount(scope: TenantScope, accountId: string, asOf: Date): Promise<{ account: AccountHealthRow | null; outcomes: OutcomeHealthRow[]; modelHash: string }> {
  const r = await scoreAccounts(scope, { asOf, accountIds: [accountId], persist: false });
  return { account: r.accounts?.[0] ?? null, outcomes: r.outcomes ?? [], modelHash: r.modelHash };
}

const OUTCOME_SELECT = `account_id AS "accountId", outcome_id AS "outcomeId", score, band, proactive, reactive, coverage,
  stage_id AS "stageId", journey_day AS "journeyDay", journey_status AS "journeyStatus", overdue_count AS "overdueCount",
  next_milestone_id AS "nextMilestoneId", days_until_due AS "daysUntilDue", drivers, milestones`;
const ACCOUNT_SELECT = `account_id AS "accountId", score, band, coverage, worst_journey_status AS "worstJourneyStatus"`;

/**
 * The version snapshots point at: the newest recorded version of this configuration (every change of the live model
 * records one, src/model/); one is recorded here only for a configuration written some other way (SQL, old seeds).
 */
async function recordModelVersion(tx: TenantScope, hash: string, config: ModelConfig): Promise<string> {
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

const SNAPSHOT_COLS = `score, band, proactive, reactive, coverage, stage_id, journey_day, journey_status, overdue_count,
  next_milestone_id, days_until_due, drivers, milestones`;
const SNAPSHOT_UPDATE = SNAPSHOT_COLS.split(',').map((c) => c.trim()).concat(['model_version_id', 'run_id'])
  .map((c) => `${c} = EXCLUDED.${c}`).join(', ');

/** Snapshots (history) and the current tables, in the caller's transaction. Current only moves forward in time. */
async function persist(tx: TenantScope, asOf: Date, versionId: string, runId: string | null, timings: Record<string, number>): Promise<void> {
  const p = [asOf, versionId, runId];
  let t = performance.now();
  const lap = (name: string) => { const now = performance.now(); timings[`persist.${name}`] = Math.round(now - t); t = now; };
  await tx.query(
    `INSERT INTO health_snapshots (workspace_id, account_id, outcome_id, as_of, ${SNAPSHOT_COLS}, model_version_id, run_id)
     SELECT $1::uuid, account_id, outcome_id, $2, ${SNAPSHOT_COLS}, $3, $4 FROM _oh WHERE $1::uuid IS NOT NULL
     ORDER BY account_id, outcome_id -- primary key order (see current_milestone_progress below)
     ON CONFLICT (workspace_id, account_id, outcome_id, as_of) DO UPDATE SET ${SNAPSHOT_UPDATE}`, p);
  lap('snapshots');
  // The current rows this run wrote (not those a newer result kept), for the milestone rows below: collected from
  // RETURNING rather than joined back from current_outcome_health, whose statistics after a bulk write can be so
  // far off that the join became a nested loop (20k accounts: 46 s instead of 0.5 s).
  await tx.manager.query(`DROP TABLE IF EXISTS _cw; CREATE TEMP TABLE _cw (account_id uuid, outcome_id uuid) ON COMMIT DROP`);
  await tx.query(
    `WITH w AS (
       INSERT INTO current_outcome_health AS cur (workspace_id, account_id, outcome_id, as_of, ${SNAPSHOT_COLS}, model_version_id, run_id, achievement_stage_id)
       SELECT $1::uuid, account_id, outcome_id, $2, ${SNAPSHOT_COLS}, $3, $4, achievement_stage_id FROM _oh WHERE $1::uuid IS NOT NULL
       ORDER BY account_id, outcome_id
       ON CONFLICT (workspace_id, account_id, outcome_id) DO UPDATE SET as_of = EXCLUDED.as_of, ${SNAPSHOT_UPDATE},
         achievement_stage_id = EXCLUDED.achievement_stage_id
       WHERE cur.as_of <= EXCLUDED.as_of
       RETURNING cur.account_id, cur.outcome_id
     ) INSERT INTO _cw SELECT account_id, outcome_id FROM w`, p);
  await tx.manager.query(`ANALYZE _cw`);
  lap('current');
  // The narrow milestone rows of the current rows this run just wrote (not of those a newer result kept);
  // a row that did not change is not rewritten (a daily rescore mostly only flips `due`).
  await tx.query(
    `INSERT INTO current_milestone_progress AS cur (workspace_id, outcome_id, account_id, milestone_id, days_to_achieve, due, achieved_on_time)
     SELECT $1::uuid, _oh.outcome_id, _oh.account_id, e."milestoneId",
       floor(date_part('epoch', e."achievedAt" - acc.journey_started_at) / 86400)::int,
       _oh.journey_day >= e."expectedByDay",
       coalesce(e."achievedAt" <= acc.journey_started_at + e."expectedByDay" * interval '1 day', false)
     FROM _cw JOIN _oh ON _oh.account_id = _cw.account_id AND _oh.outcome_id = _cw.outcome_id
     JOIN _acc acc ON acc.account_id = _oh.account_id
     CROSS JOIN LATERAL jsonb_to_recordset(_oh.milestones) AS e("milestoneId" uuid, "achievedAt" timestamptz, "expectedByDay" int)
     -- in primary key order: consecutive rows land in the same index leaf page (random order missed shared_buffers
     -- on nearly every row: a chunk of 50,000 accounts took 13 s instead of 2 × 3.6 s)
     ORDER BY _oh.outcome_id, _oh.account_id, e."milestoneId"
     ON CONFLICT (workspace_id, outcome_id, account_id, milestone_id) DO UPDATE SET days_to_achieve = EXCLUDED.days_to_achieve,
       due = EXCLUDED.due, achieved_on_time = EXCLUDED.achieved_on_time
     WHERE (cur.days_to_achieve, cur.due, cur.achieved_on_time) IS DISTINCT FROM (EXCLUDED.days_to_achieve, EXCLUDED.due, EXCLUDED.achieved_on_time)`);
  lap('milestones');
  // Outcomes no longer scored for a rescored account (deactivated, account moved cluster) leave the read path.
  await tx.query(
    `DELETE FROM current_outcome_health cur USING _ah
     WHERE cur.workspace_id = $1 AND cur.account_id = _ah.account_id AND cur.as_of <= $2
       AND NOT EXISTS (SELECT 1 FROM _oh WHERE _oh.account_id = cur.account_id AND _oh.outcome_id = cur.outcome_id)`, [asOf]);
  lap('delete');
  await tx.query(
    `INSERT INTO account_health_snapshots (workspace_id, account_id, as_of, score, band, coverage, model_version_id, run_id)
     SELECT $1::uuid, account_id, $2, score, band, coverage, $3, $4 FROM _ah WHERE $1::uuid IS NOT NULL
     ON CONFLICT (workspace_id, account_id, as_of) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
       coverage = EXCLUDED.coverage, model_version_id = EXCLUDED.model_version_id, run_id = EXCLUDED.run_id`, p);
  lap('account_snapshots');
  await tx.query(
    `INSERT INTO current_account_health AS cur (workspace_id, account_id, as_of, score, band, coverage, worst_journey_status, model_version_id, run_id)
     SELECT $1::uuid, account_id, $2, score, band, coverage, worst_journey_status, $3, $4 FROM _ah WHERE $1::uuid IS NOT NULL
     ON CONFLICT (workspace_id, account_id) DO UPDATE SET as_of = EXCLUDED.as_of, score = EXCLUDED.score, band = EXCLUDED.band,
       coverage = EXCLUDED.coverage, worst_journey_status = EXCLUDED.worst_journey_status,
       model_version_id = EXCLUDED.model_version_id, run_id = EXCLUDED.run_id
     WHERE cur.as_of <= EXCLUDED.as_of`, p);
  lap('current_account');
}
