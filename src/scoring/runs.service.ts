/**
 * Scoring runs: a recompute of a scope of accounts at one fixed `asOf`, processed in chunks of
 * accounts in id order. Each chunk is one engine call and ONE transaction together with the run's
 * progress (`done`, `cursor`), so an interrupted run has either scored a chunk completely or not at
 * all, the previous snapshots stay as they were, and a restart resumes after the last chunk.
 */
import type { DataSource } from 'typeorm';
import { Cluster } from '../clusters/cluster.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { enqueue, JOBS } from '../jobs/queue';
import { BackgroundJobTable, JobLost, JobState, type JobOutcome } from '../shared/background-job';
import { cursorTimeSql, decodeTimeIdCursor, encodeTimeIdCursor, pageOf } from '../shared/connection';
import { ConflictError, DomainError, InputError, NotFoundError } from '../shared/errors';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import { isUuid, TenantScope } from '../shared/tenant';
import { scoreRunChunk, type ChunkInfo, type ChunkScorers } from './runs.engine';
import { RunScope, ScoringRun, ScoringRunKind, ScoringRunState } from './runs.entity';
import { ScoringRunConnection } from './runs.types';
import { ownerQuery } from '../shared/db/owner';

/**
 * Accounts per chunk. Every chunk reads the signals of its accounts, which lie scattered over the whole table, so a
 * chunk costs about a scan of the signals whatever its size: 100k accounts with PERCENTILE took 280 s in chunks of
 * 5,000 and 123 s in chunks of 25,000 (one pass: ~100 s), load average 4–5 on 2 cores. With two chunks at a time
 * (SCORING_RUN_CONCURRENCY), 100k accounts re-scored in 42 s in chunks of 50,000 against 50 s in chunks of 25,000:
 * 1,000 alone, then 50,000 + 49,000 side by side.
 */
export const DEFAULT_CHUNK_SIZE = 50_000;
/** With parallel chunks, a fresh run's first chunk (scored alone) has at most this many accounts. */
export const FIRST_CHUNK_MAX = 1_000;
/** A RUNNING run whose heartbeat is older than this is considered orphaned (its worker died). */
export const STALE_AFTER_MS = 30_000;
const MAX_ACCOUNT_IDS = 100_000;
/** Deadlocks with a concurrent incremental rescore of the same accounts are retried, not fatal. */
const RETRYABLE = new Set(['40P01', '40001']);

export interface ScopeInput { clusterId?: string | null; outcomeId?: string | null; accountIds?: string[] | null }

/** Claims, fencing, heartbeat, restarts and the recovery sweep of runs (src/shared/background-job.ts). */
const RUNS = new BackgroundJobTable({
  table: 'scoring_runs', what: 'scoring run', logKey: 'runId', staleAfterMs: STALE_AFTER_MS,
  enqueue: async (db, run) => await enqueueRun(db, run),
  errorMessage: (err, runId) => runErrorMessage(err, runId),
});

/** SQL predicate over `accounts a` selecting a run's accounts; params continue after `first`. */
function accountsOfRun(scope: RunScope, createdBefore: Date, first: number, asOf?: Date): { sql: string; params: unknown[] } {
  const params: unknown[] = [createdBefore];
  // Accounts created after the run are left to their own incremental rescore: total stays fixed. The bound
  // comes back from JavaScript in milliseconds: compare in milliseconds, or an account created in the same
  // millisecond just before the run would be left out (seen as a run of 5 accounts writing 0 snapshots).
  const parts = [`a.workspace_id = $1`, `date_trunc('milliseconds', a.created_at) <= $${first}`];
  if (scope.clusterId) { params.push(scope.clusterId); parts.push(`a.cluster_id = $${first + params.length - 1}`); }
  if (scope.outcomeId) {
    params.push(scope.outcomeId);
    parts.push(`a.cluster_id = (SELECT o.cluster_id FROM outcomes o WHERE o.workspace_id = $1 AND o.id = $${first + params.length - 1})`);
  }
  if (scope.accountIds) { params.push(scope.accountIds); parts.push(`a.id = ANY($${first + params.length - 1}::uuid[])`); }
  // A backfill (asOf before the run) leaves out the accounts whose journey had not started by then: no score existed.
  if (asOf && asOf.getTime() < createdBefore.getTime()) { params.push(asOf); parts.push(`a.journey_started_at <= $${first + params.length - 1}`); }
  return { sql: parts.join(' AND '), params };
}

export async function validateScope(scope: TenantScope, input: ScopeInput): Promise<RunScope> {
  const out: RunScope = {};
  if (input.clusterId) out.clusterId = (await scope.mustFind(Cluster, input.clusterId, 'Cluster')).id;
  if (input.outcomeId) out.outcomeId = (await scope.mustFind(Outcome, input.outcomeId, 'Outcome')).id;
  if (input.accountIds) {
    const ids = [...new Set(input.accountIds)];
    if (ids.length > MAX_ACCOUNT_IDS) throw new InputError('scope.accountIds', `At most ${MAX_ACCOUNT_IDS} account ids per run.`);
    const bad = input.accountIds.findIndex((id) => !isUuid(id));
    if (bad >= 0) throw new InputError(`scope.accountIds[${bad}]`, 'Not an account id.');
    const found = await scope.query<{ id: string }>('SELECT id FROM accounts WHERE workspace_id = $1 AND id = ANY($2::uuid[])', [ids]);
    const known = new Set(found.map((r) => r.id));
    const missing = ids.find((id) => !known.has(id));
    if (missing) throw new NotFoundError('Account', missing);
    out.accountIds = ids;
  }
  return out;
}

/** Create a QUEUED run (its total counted now) without enqueueing it. */
export async function createRun(
  scope: TenantScope,
  input: ScopeInput = {},
  opts: { kind?: ScoringRunKind; asOf?: Date; chunkSize?: number } = {},
): Promise<ScoringRun> {
  const runScope = await validateScope(scope, input);
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InputError('chunkSize', 'chunkSize must be a positive integer.');
  return await scope.transaction(async (tx) => {
    const [{ now }] = await tx.query<{ now: Date }>('SELECT now() AS now');
    const where = accountsOfRun(runScope, now, 2, opts.asOf);
    const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts a WHERE ${where.sql}`, where.params);
    return await tx.save(tx.create(ScoringRun, {
      kind: opts.kind ?? ScoringRunKind.MANUAL, scope: runScope, state: ScoringRunState.QUEUED, total: n, done: 0,
      asOf: opts.asOf ?? now, chunkSize, requestedBy: scope.actor, createdAt: now,
    }));
  });
}

/**
 * `recomputeHealth`: create a run and hand it to the job queue; poll it with `scoringRun(id)`. With `asOf` in the past
 * it backfills history: snapshots at that time from the signals up to it (the current scores move only forward).
 */
export async function recomputeHealth(scope: TenantScope, input: ScopeInput = {}, opts: { chunkSize?: number; asOf?: Date | null } = {}): Promise<ScoringRun> {
  const asOf = opts.asOf ? validateAsOf(opts.asOf) : undefined;
  const run = await createRun(scope, input, { kind: ScoringRunKind.MANUAL, chunkSize: opts.chunkSize, asOf });
  await enqueueRun(scope.db, run);
  return run;
}

/** A run's asOf: a valid time, not in the future (a future score would be a guess about signals not yet seen). */
export function validateAsOf(asOf: Date): Date {
  const t = new Date(asOf);
  if (Number.isNaN(t.getTime())) throw new InputError('asOf', 'asOf must be a valid date-time.');
  if (t.getTime() > Date.now()) throw new InputError('asOf', 'asOf must not be in the future: scoring runs score what has happened (omit asOf for now).');
  return t;
}

export async function enqueueRun(db: DataSource, run: Pick<ScoringRun, 'workspaceId' | 'id'>): Promise<void> {
  await enqueue(db, JOBS.RECOMPUTE_RUN, { workspaceId: run.workspaceId, runId: run.id }, { singletonKey: run.id });
}

export async function getRun(scope: TenantScope, id: string): Promise<ScoringRun> {
  return await scope.mustFind(ScoringRun, id, 'Scoring run');
}

/**
 * Runs, newest first, a page at a time: keyset on (created_at, id) over scoring_runs_created_idx, so a page after many
 * others costs what the first one does.
 */
export async function listRuns(scope: TenantScope, args: { first?: number; after?: string | null } = {}): Promise<ScoringRunConnection> {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new InputError('first', 'first must be between 1 and 100.');
  // One upper bound, always (a first page's is after every run): the page is one index range.
  const bound = args.after ? decodeTimeIdCursor(args.after, 'scoringRuns') : { at: 'infinity', id: '00000000-0000-0000-0000-000000000000' };
  const rows = await scope.query<{ run: Record<string, unknown>; at: string }>(
    `SELECT ${scope.entityJsonSql(ScoringRun, 'r')} AS run, ${cursorTimeSql('r.created_at')} AS at FROM scoring_runs r
      WHERE r.workspace_id = $1 AND (r.created_at, r.id) < ($2::timestamptz, $3::uuid)
      ORDER BY r.created_at DESC, r.id DESC LIMIT $4`, [bound.at, bound.id, first + 1]);
  return Object.assign(new ScoringRunConnection(), pageOf(rows, first, ({ run, at }) => {
    const node = scope.entityFromJson(ScoringRun, run);
    return { cursor: encodeTimeIdCursor(at, node.id), node };
  }), {
    countTotal: async () => (await scope.query<{ n: number }>(`SELECT count(*)::int AS n FROM scoring_runs WHERE workspace_id = $1`))[0].n,
  });
}

/** Stop a queued or running run after its current chunk (that chunk is rolled back). */
export async function cancelRun(scope: TenantScope, id: string): Promise<ScoringRun> {
  await getRun(scope, id);
  if (!await RUNS.cancel(scope, id)) throw new ConflictError('Only a QUEUED or RUNNING run can be cancelled.');
  return await getRun(scope, id);
}

/**
 * Resume a FAILED or CANCELLED run, or a RUNNING one whose worker died (stale heartbeat), after its
 * last completed chunk, at the same asOf.
 */
export async function restartRun(scope: TenantScope, id: string, staleAfterMs = STALE_AFTER_MS): Promise<ScoringRun> {
  await getRun(scope, id);
  if (!await RUNS.restart(scope, id, [JobState.FAILED, JobState.CANCELLED], staleAfterMs)) {
    throw new ConflictError('Only a FAILED or CANCELLED run, or a RUNNING run whose worker stopped responding, can be restarted.');
  }
  return await getRun(scope, id);
}

export interface ProcessOptions {
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** Stop after the current chunk and hand the run back (QUEUED) — graceful shutdown. */
  signal?: AbortSignal;
  /** Chunks scored at the same time (default: config.scoringRunConcurrency). */
  concurrency?: number;
  /** After each committed chunk; `timings` are the chunk's engine step timings (ms). */
  onProgress?: (run: { done: number; total: number; timings: Record<string, number> }) => void;
  /** Inside a chunk's transaction, after the engine wrote its scores and before the chunk commits (tests fail or kill a chunk here). */
  afterChunkScored?: (info: ChunkInfo) => Promise<void> | void;
  /** What a chunk does for kinds of runs that don't score into the live tables (PREVIEW); src/job-handlers.ts composes them. */
  chunkScorers?: ChunkScorers;
}

/**
 * Claim a run and process its remaining chunks (src/shared/background-job.ts: claiming succeeds for a QUEUED run or a
 * RUNNING run with a stale heartbeat, and bumps `attempts`). Every chunk commits only while this worker still holds
 * that attempt and the run is RUNNING (fencing), so a run taken over or cancelled meanwhile loses the chunk in flight
 * rather than writing twice.
 */
export async function processRun(db: DataSource, workspaceId: string, runId: string, opts: ProcessOptions = {}): Promise<JobOutcome> {
  return await RUNS.process(db, workspaceId, runId, opts, async (job) => {
    const { scope, log } = job;
    const run = await scope.mustFind(ScoringRun, runId, 'Scoring run');
    log.info({ total: run.total, done: run.done, resumeAfter: run.cursor }, 'scoring run started');

    const where = accountsOfRun(run.scope, run.createdAt, 2, run.asOf);
    const p = 2 + where.params.length;
    const concurrency = Math.max(1, opts.concurrency ?? config.scoringRunConcurrency);
    // Chunks are handed out in id order; a resumed run starts after its cursor and skips the chunks committed beyond it.
    let next: string | null = run.cursor;
    const skip = run.doneRanges ?? [];
    let done = run.done;
    let chunks = 0;
    let exhausted = false;
    let stop: 'ABORT' | 'LOST' | null = null;
    let failure: unknown = null;
    let handing: Promise<unknown> = Promise.resolve();
    // One hand-out at a time (the lanes share `next`).
    const takeChunk = (size: number): Promise<{ chunk: number; lo: string | null; ids: string[] } | null> => {
      const taken = handing.then(async () => {
        if (exhausted || stop || failure) return null;
        const ids = (await scope.query<{ id: string }>(
          `SELECT a.id FROM accounts a WHERE ${where.sql} AND ($${p}::uuid IS NULL OR a.id > $${p}::uuid)
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements($${p + 2}::jsonb) r
                              WHERE (r->>0 IS NULL OR a.id > (r->>0)::uuid) AND a.id <= (r->>1)::uuid)
            ORDER BY a.id LIMIT $${p + 1}`,
          [...where.params, next, size, JSON.stringify(skip)])).map((r) => r.id);
        if (!ids.length) { exhausted = true; return null; }
        const lo = next;
        next = ids[ids.length - 1];
        return { chunk: ++chunks, lo, ids };
      });
      handing = taken.catch(() => undefined);
      return taken;
    };
    const lane = async (limit: number, size: number): Promise<void> => {
      for (let k = 0; k < limit; k++) {
        if (job.aborted) stop ??= 'ABORT';
        const c = await takeChunk(size);
        if (!c) return;
        let timings: Record<string, number> = {};
        await withRetry(() => scope.transaction(async (tx) => {
          // A chunk lost in a crash is rolled back together with its progress (same transaction), and the run resumes
          // before it: no need to wait for the WAL flush at every commit.
          await tx.manager.query(`SET LOCAL synchronous_commit = off`);
          // Each lane is one backend already: parallel workers would only compete with the other lane for the cores.
          if (concurrency > 1) await tx.manager.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
          timings = (await scoreRunChunk(tx, run, c.ids, opts.chunkScorers)).timings;
          await opts.afterChunkScored?.({ runId, chunk: c.chunk, accountIds: c.ids });
          // Fencing, and the progress of this chunk in the same transaction (the run's row lock orders the lanes here).
          const cur = await job.hold<{ cursor: string | null; done_ranges: Array<[string | null, string]> }>(tx, 'cursor, done_ranges');
          if (!cur) throw new JobLost();
          const progress = advance(cur.cursor, cur.done_ranges, [c.lo, c.ids[c.ids.length - 1]]);
          await tx.query(`UPDATE scoring_runs SET done = done + $3, cursor = $4, done_ranges = $5::jsonb, heartbeat_at = now()
                           WHERE workspace_id = $1 AND id = $2`, [runId, c.ids.length, progress.cursor, JSON.stringify(progress.ranges)]);
        }));
        done += c.ids.length;
        opts.onProgress?.({ done, total: run.total, timings });
      }
    };
    const guarded = (limit = Infinity, size = run.chunkSize) => lane(limit, size).catch((err) => {
      if (err instanceof JobLost) stop ??= 'LOST';
      else failure ??= err;
    });
    // A fresh run's first chunk goes alone: it records the model version and stores the PERCENTILE peers' distribution
    // that every later chunk reads (parallel first chunks would each compute it). It is kept small (the lanes wait for
    // it; what it costs is mostly the peers' distribution, whatever its size).
    if (concurrency > 1 && run.cursor === null && skip.length === 0) await guarded(1, Math.min(run.chunkSize, FIRST_CHUNK_MAX));
    // Chunks no bigger than an equal share of what is left, so that every lane gets work (10,000 accounts: 1,000 alone,
    // then 4,500 + 4,500 side by side rather than one chunk of 9,000).
    const share = Math.max(1, Math.ceil((run.total - done) / concurrency));
    await Promise.all(Array.from({ length: concurrency }, () => guarded(Infinity, Math.min(run.chunkSize, share))));
    if (failure) throw failure;
    if (stop === 'LOST') throw new JobLost();
    if (stop === 'ABORT') {
      await job.handBack();
      log.info({ done }, 'scoring run handed back (shutdown)');
      return 'STOPPED';
    }
    if (!await job.succeed()) return 'STOPPED';
    // The PERCENTILE peers' distribution its chunks shared (src/scoring/engine.percentile.ts) is not needed any more.
    await scope.query(`DELETE FROM scoring_peer_distributions WHERE workspace_id = $1 AND run_id = $2`, [runId]);
    log.info({ done }, 'scoring run succeeded');
    return 'SUCCEEDED';
  });
}

/**
 * What `ScoringRun.error` shows (every role may read it): our own errors say what to fix; anything else (a database
 * error with its SQL and constraint names, a bug) is only named, the details being in the server log under the run id.
 */
function runErrorMessage(err: unknown, runId: string): string {
  if (err instanceof DomainError) return err.message;
  const sqlState = (err as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (err as { code?: unknown }).code;
  const what = typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) ? `A database error (SQLSTATE ${sqlState})` : 'An internal error';
  return `${what} stopped this run; the details are in the server log under run ${runId}. restartScoringRun resumes it.`;
}

type Range = [string | null, string];
/** uuid order as PostgreSQL compares them (lower-case canonical text compares the same way); null = before the first. */
const after = (a: string | null, b: string | null) => a !== null && (b === null || a > b);

/**
 * A chunk (lo, hi] committed: the run's new cursor (every id <= cursor scored) and the committed ranges still beyond it.
 */
export function advance(cursor: string | null, ranges: Range[], chunk: Range): { cursor: string | null; ranges: Range[] } {
  let rest = [...ranges, chunk];
  for (;;) {
    // a range starting at or before the cursor extends it
    const i = rest.findIndex(([lo, hi]) => !after(lo, cursor) && after(hi, cursor));
    if (i < 0) break;
    cursor = rest[i][1];
    rest = rest.filter(([, hi]) => after(hi, cursor));
  }
  rest = rest.filter(([, hi]) => after(hi, cursor));
  rest.sort((x, y) => (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return { cursor, ranges: rest };
}

async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
      if (i >= attempts || !code || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

/** Recovery sweep: re-enqueue QUEUED runs nobody has taken and RUNNING runs whose worker died (src/shared/background-job.ts). */
export async function recoverRuns(db: DataSource, opts: { staleAfterMs?: number; queuedForMs?: number } = {}): Promise<number> {
  return await RUNS.recover(db, opts);
}

/** The daily full rescore: one DAILY run per workspace with accounts, unless one was created in the last 20 h. */
export async function startDailyRuns(db: DataSource): Promise<ScoringRun[]> {
  // A FAILED or CANCELLED run may be restarted and would reuse its peer distribution; after a week it is let go.
  await ownerQuery(db,
    `DELETE FROM scoring_peer_distributions d USING scoring_runs r
      WHERE r.workspace_id = d.workspace_id AND r.id = d.run_id AND r.state IN ('FAILED', 'CANCELLED')
        AND r.finished_at < now() - interval '7 days'`);
  const rows: { id: string }[] = await ownerQuery(db,
    `SELECT w.id FROM workspaces w
      WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.workspace_id = w.id)
        AND NOT EXISTS (SELECT 1 FROM scoring_runs r WHERE r.workspace_id = w.id AND r.kind = 'DAILY'
                          AND r.created_at > now() - interval '20 hours')`);
  const runs: ScoringRun[] = [];
  for (const { id } of rows) {
    const run = await createRun(TenantScope.system(db, id), {}, { kind: ScoringRunKind.DAILY });
    await enqueueRun(db, run);
    runs.push(run);
  }
  if (runs.length) logger.info({ runs: runs.length }, 'daily full rescore enqueued');
  return runs;
}
