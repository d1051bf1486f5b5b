/**
 * Backtests: every account with a lifecycle outcome on day D in the period is scored as of D − horizon (00:00 UTC)
 * from the signals that had occurred by then, and the scores are set against what happened.
 *
 * Set-based: the cases are grouped by as-of date and each group is ONE engine call (scoreAccounts with the group's
 * account ids), whose result tables the engine hands to an INSERT … SELECT into backtest_outcome_scores inside its
 * transaction: nothing per account in JavaScript. One date is one transaction (dates in lanes side by side, as a
 * run's chunks), so an interrupted backtest resumes at the dates not yet scored.
 *
 * PERCENTILE peers: a case scored at T is ranked, as the engine does for any targeted scoring, among every account of
 * its cluster scored at the same T from the signals up to T — so each case meets the peers as they were at its own
 * time, not as they are today or at another case's date. Cluster membership is today's (attributes have no history).
 */
import type { DataSource } from 'typeorm';
import { enqueue, JOBS } from '../jobs/queue';
import { findVersion, resolveModel, type ModelSelector } from '../model/model.source';
import type { ModelConfig } from '../scoring/model-config';
import { scoreAccounts, recordModelVersion } from '../scoring/engine';
import { ScoringRunState } from '../scoring/runs.entity';
import { validateScope, type ScopeInput } from '../scoring/runs.service';
import { BackgroundJobTable, JobLost, JobState, type JobOutcome } from '../shared/background-job';
import { ConflictError, InputError } from '../shared/errors';
import { config as appConfig } from '../shared/config';
import type { TenantScope } from '../shared/tenant';
import { Backtest, BacktestModelSource, ContractedAs } from './backtest.entity';
import { buildReport } from './backtest.report';
import { ownerQuery } from '../shared/db/owner';

export const DEFAULT_HORIZON_DAYS = 90;
const MAX_HORIZON_DAYS = 3650;
export const STALE_AFTER_MS = 30_000;

/** Claims, fencing, heartbeat, restarts and the recovery sweep of backtests (src/shared/background-job.ts). */
const BACKTESTS = new BackgroundJobTable({
  table: 'backtests', what: 'backtest', logKey: 'backtestId', staleAfterMs: STALE_AFTER_MS,
  enqueue: async (db, bt) => { await enqueue(db, JOBS.BACKTEST, { workspaceId: bt.workspaceId, backtestId: bt.id }, { singletonKey: bt.id }); },
});

export interface BacktestInput {
  horizonDays?: number | null;
  /** Outcomes dated on or after / on or before (YYYY-MM-DD). */
  from?: string | null;
  to?: string | null;
  scope?: ScopeInput | null;
  contractedAs?: ContractedAs | null;
  /** A recorded version or a draft instead of the live model. */
  model?: { version?: number | null; draftId?: string | null } | null;
}

function selectorOf(model: BacktestInput['model']): ModelSelector {
  if (model?.version != null && model?.draftId != null) throw new InputError('input.model', 'Give a version or a draft, not both.');
  if (model?.version != null) return { version: model.version };
  if (model?.draftId != null) return { draftId: model.draftId };
  return { live: true };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The configuration to score. A version is scored from its stored configuration, also one recorded before model
 * documents existed (resolveModel refuses those, as they cannot be exported or edited; scoring needs no document).
 */
async function modelToScore(scope: TenantScope, selector: ModelSelector): Promise<{ config: ModelConfig; hash: string; version: number | null }> {
  if ('version' in selector) {
    const v = await findVersion(scope, selector.version);
    return { config: v.config as unknown as ModelConfig, hash: v.hash, version: v.number };
  }
  return await resolveModel(scope, selector);
}

/** Create the backtest and its cases (one INSERT … SELECT), then hand it to the job queue. */
export async function runBacktest(scope: TenantScope, input: BacktestInput = {}): Promise<Backtest> {
  const horizonDays = input.horizonDays ?? DEFAULT_HORIZON_DAYS;
  const problems: InputError[] = [];
  if (!Number.isInteger(horizonDays) || horizonDays < 0 || horizonDays > MAX_HORIZON_DAYS) {
    problems.push(new InputError('input.horizonDays', `horizonDays must be a whole number of days from 0 to ${MAX_HORIZON_DAYS}.`));
  }
  for (const f of ['from', 'to'] as const) {
    const v = input[f];
    if (v != null && (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))) problems.push(new InputError(`input.${f}`, `${f} must be a date YYYY-MM-DD.`));
  }
  if (input.from && input.to && input.from > input.to) problems.push(new InputError('input.to', 'to must not be before from.'));
  if (problems.length) throw problems[0];
  const contractedAs = input.contractedAs ?? ContractedAs.RETAINED;
  const selector = selectorOf(input.model);
  const runScope = await validateScope(scope, input.scope ?? {});
  const model = await modelToScore(scope, selector);

  const bt = await scope.transaction(async (tx) => {
    let version = model.version;
    if ('live' in selector && version === null) {
      // a live model written without a version (SQL, old seeds): recorded as scoring records it, so it can be named
      const id = await recordModelVersion(tx, model.hash, model.config);
      version = (await tx.query<{ number: number }>(`SELECT number FROM model_versions WHERE workspace_id = $1 AND id = $2`, [id]))[0].number;
    }
    const source = 'live' in selector ? BacktestModelSource.LIVE : 'version' in selector ? BacktestModelSource.VERSION : BacktestModelSource.DRAFT;
    const saved = await tx.save(tx.create(Backtest, {
      state: ScoringRunState.QUEUED, modelSource: source, modelVersion: version, draftId: 'draftId' in selector ? selector.draftId : null,
      config: model.config, modelHash: model.hash, horizonDays,
      fromDate: input.from ?? null, toDate: input.to ?? null, scope: runScope, contractedAs, requestedBy: scope.actor,
    }));
    // One case per account and outcome day (the most severe kind when several fall on one day).
    const params: unknown[] = [saved.id, horizonDays, input.from ?? null, input.to ?? null];
    const conds = [`l.workspace_id = $1`, `($4::date IS NULL OR l.occurred_on >= $4::date)`, `($5::date IS NULL OR l.occurred_on <= $5::date)`];
    if (runScope.clusterId) { params.push(runScope.clusterId); conds.push(`a.cluster_id = $${params.length + 1}`); }
    if (runScope.outcomeId) {
      params.push(runScope.outcomeId);
      conds.push(`a.cluster_id = (SELECT o.cluster_id FROM outcomes o WHERE o.workspace_id = $1 AND o.id = $${params.length + 1})`);
    }
    if (runScope.accountIds) { params.push(runScope.accountIds); conds.push(`a.id = ANY($${params.length + 1}::uuid[])`); }
    await tx.query(
      `INSERT INTO backtest_cases (workspace_id, backtest_id, account_id, occurred_on, kind, as_of, cluster_id)
       SELECT DISTINCT ON (l.account_id, l.occurred_on) $1::uuid, $2::uuid, l.account_id, l.occurred_on, l.kind,
         ((l.occurred_on - $3::int)::timestamp AT TIME ZONE 'UTC'), a.cluster_id
       FROM lifecycle_outcomes l JOIN accounts a ON a.workspace_id = l.workspace_id AND a.id = l.account_id
       WHERE ${conds.join(' AND ')}
       ORDER BY l.account_id, l.occurred_on, CASE l.kind WHEN 'CHURNED' THEN 0 WHEN 'CONTRACTED' THEN 1 WHEN 'EXPANDED' THEN 2 ELSE 3 END`, params);
    const [counts] = await tx.query<{ n: number; dates: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT as_of)::int AS dates FROM backtest_cases WHERE workspace_id = $1 AND backtest_id = $2`, [saved.id]);
    await tx.query(`UPDATE backtests SET total = $3, as_of_dates = $4 WHERE workspace_id = $1 AND id = $2`, [saved.id, counts.n, counts.dates]);
    return Object.assign(saved, { total: counts.n, asOfDates: counts.dates });
  });
  await BACKTESTS.spec.enqueue(scope.db, bt);
  return bt;
}

export async function getBacktest(scope: TenantScope, id: string): Promise<Backtest> {
  return await scope.mustFind(Backtest, id, 'Backtest');
}

export async function listBacktests(scope: TenantScope, first = 20): Promise<Backtest[]> {
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new InputError('first', 'first must be between 1 and 100.');
  return await scope.find(Backtest, { order: { createdAt: 'DESC', id: 'DESC' }, take: first });
}

/** Resume a FAILED backtest (or a RUNNING one whose worker died) at its first date not yet scored. */
export async function restartBacktest(scope: TenantScope, id: string): Promise<Backtest> {
  await getBacktest(scope, id);
  if (!await BACKTESTS.restart(scope, id, [JobState.FAILED])) {
    throw new ConflictError('Only a FAILED backtest, or a RUNNING one whose worker stopped responding, can be restarted.');
  }
  return await getBacktest(scope, id);
}

export interface BacktestProcessOptions {
  staleAfterMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Dates scored side by side (default: the scoring runs' setting, SCORING_RUN_CONCURRENCY). */
  concurrency?: number;
}

/** Claim a backtest and score its remaining dates, then write its report. */
export async function processBacktest(db: DataSource, workspaceId: string, id: string, opts: BacktestProcessOptions = {}): Promise<JobOutcome> {
  return await BACKTESTS.process(db, workspaceId, id, opts, async (job) => {
    const { scope } = job;
    const bt = await getBacktest(scope, id);
    const config = bt.config;
    // A version or a draft may assign clusters by other rules than the live model's (stored on the accounts).
    const assignClusters = bt.modelSource !== BacktestModelSource.LIVE;
    const concurrency = Math.max(1, opts.concurrency ?? appConfig.scoringRunConcurrency);
    const dates = (await scope.query<{ as_of: Date }>(
      `SELECT DISTINCT as_of FROM backtest_cases WHERE workspace_id = $1 AND backtest_id = $2 AND NOT scored ORDER BY as_of`, [id])).map((r) => r.as_of);
    // Dates in `concurrency` lanes, each date one transaction on its own connection (as a run's chunks): the dates
    // are independent, and on a machine with spare cores a backtest takes the time a full rescore takes.
    let done = bt.done;
    let stopped: 'ABORTED' | 'FENCED' | 'FAILED' | null = null;
    let next = 0;
    const lane = async () => {
      while (!stopped && next < dates.length) {
        if (job.aborted) { stopped = 'ABORTED'; return; }
        const asOf = dates[next++];
        const n = await scope.transaction(async (tx) => {
          // Fencing without a lock on the backtest (lanes would queue on it, as job.hold() locks): a date is scored only
          // under the latest claim of a RUNNING backtest. A stale worker that passed this check just before a new claim
          // writes what the new one would write (scoring is deterministic; the sink skips rows already there).
          const [cur] = await tx.query(`SELECT 1 FROM backtests WHERE workspace_id = $1 AND id = $2 AND state = 'RUNNING' AND attempts = $3`, [id, job.attempt]);
          if (!cur) return null;
          const ids = (await tx.query<{ account_id: string }>(
            `SELECT account_id FROM backtest_cases WHERE workspace_id = $1 AND backtest_id = $2 AND as_of = $3 AND NOT scored`, [id, asOf])).map((r) => r.account_id);
          await scoreAccounts(tx, { asOf, accountIds: ids, persist: false, config, assignClusters, sink: (t) => sinkCases(t, id, asOf) });
          // Cases whose account no longer exists score nothing: still done.
          await tx.query(`UPDATE backtest_cases SET scored = true WHERE workspace_id = $1 AND backtest_id = $2 AND as_of = $3 AND NOT scored`, [id, asOf]);
          return ids.length;
        });
        if (n === null) { stopped = 'FENCED'; return; }
        // progress after the date's commit, in a statement of its own: a short row lock, not one held while scoring
        await job.update(scope, `done = LEAST(total, done + $4), heartbeat_at = now()`, [n]);
        done += n;
        opts.onProgress?.({ done, total: bt.total });
      }
    };
    // a lane that fails stops the others at their next date, and the backtest fails once all have stopped
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, Math.max(1, dates.length)) },
      () => lane().catch((err) => { stopped = 'FAILED'; throw err; })));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    if (stopped === 'ABORTED') {
      await job.handBack();
      return 'STOPPED';
    }
    if (stopped === 'FENCED') return 'STOPPED';
    const report = await buildReport(scope, bt, config);
    return await job.succeed(scope, `report = $4::jsonb`, [JSON.stringify(report)]) ? 'SUCCEEDED' : 'STOPPED';
  });
}

/** The engine's result tables (_outcome_health per outcome, _account_health per account) into the cases of this date. */
async function sinkCases(tx: TenantScope, backtestId: string, asOf: Date): Promise<void> {
  await tx.query(
    `INSERT INTO backtest_outcome_scores (workspace_id, backtest_id, account_id, occurred_on, outcome_id, score, band, coverage, drivers)
     SELECT $1::uuid, c.backtest_id, c.account_id, c.occurred_on, oh.outcome_id, oh.score, oh.band, oh.coverage, oh.drivers
     FROM backtest_cases c JOIN _outcome_health oh ON oh.account_id = c.account_id
     WHERE c.workspace_id = $1 AND c.backtest_id = $2 AND c.as_of = $3 AND NOT c.scored
     ON CONFLICT DO NOTHING`, [backtestId, asOf]);
  // The cluster the scored model put the account in (a draft's or a version's own rules: ScoreOptions.assignClusters),
  // so that the per-cluster figures are the model's clusters, not the stored ones.
  await tx.query(
    `UPDATE backtest_cases c SET score = ah.score, band = ah.band, cluster_id = acc.cluster_id, scored = true
     FROM _account_health ah JOIN _accounts acc ON acc.account_id = ah.account_id
     WHERE c.workspace_id = $1 AND c.backtest_id = $2 AND c.as_of = $3 AND NOT c.scored AND ah.account_id = c.account_id`, [backtestId, asOf]);
}

/** Recovery sweep: re-enqueue QUEUED backtests nobody took and RUNNING ones whose worker died. */
export async function recoverBacktests(db: DataSource, opts: { staleAfterMs?: number; queuedForMs?: number } = {}): Promise<number> {
  return await BACKTESTS.recover(db, opts);
}
