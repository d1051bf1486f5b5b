/**
 * Background jobs that keep their state in a row a client polls: scoring runs (src/scoring/runs.*), backtests
 * (src/backtests) and cluster discoveries (src/discovery). The queue (src/jobs) only says "look at row X"; this is the
 * one mechanism that makes the row's state trustworthy when workers die, restart or race:
 * - **claim**: a conditional UPDATE takes a QUEUED row, or a RUNNING one whose heartbeat is stale (its worker died),
 *   and bumps `attempts`; of several workers handed the same row, one claims it, the others skip;
 * - **fencing**: every write of the work checks that its attempt still holds the row RUNNING, so a row taken over or
 *   cancelled meanwhile loses the write in flight instead of being written twice;
 * - **heartbeat** while the work runs; **hand back** (QUEUED) when the worker shuts down; **FAILED** with a message a
 *   client may read; a database outage is not the job's fault (it stays RUNNING, and is resumed once stale);
 * - **recovery sweep**, **restart** and **cancel**.
 * Each feature describes its table once (`new BackgroundJobTable({...})`) and writes only its own work.
 */
import type { DataSource } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Workspace } from '../workspaces/workspace.entity';
import { isDatabaseUnavailable } from './errors';
import { ownerQuery } from './db/owner';
import { logger, type Logger } from './logger';
import { TenantScope } from './tenant';

/** The states every such row goes through; each table exposes them as its own GraphQL enum (ScoringRunState …). */
export enum JobState {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** The columns (and GraphQL fields) every background-job row has; the table adds `state` (its enum), its input and its result. */
// Not in the schema by itself: type-graphql emits only the types the operations reach (the tables below), each with these fields.
@ObjectType()
export abstract class BackgroundJob {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Incremented by each claim; a worker only writes while it holds the latest attempt (fencing). */
  @Field(() => Int, { description: 'How many times a worker started (or resumed) it: above 1 after a restart or a worker that died.' })
  @Column('int', { default: 0 })
  attempts: number;

  @Field(() => String, { nullable: true, description: 'Why it FAILED; null otherwise.' })
  @Column('text', { nullable: true })
  error: string | null;

  /** API key that asked for it (null when the system did: daily runs, CLI). */
  @Column('uuid', { nullable: true })
  requestedBy: string | null;

  @Field({ description: 'When it was asked for.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker first started it; null while QUEUED the first time.' })
  @Column('timestamptz', { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it SUCCEEDED, FAILED or was CANCELLED.' })
  @Column('timestamptz', { nullable: true })
  finishedAt: Date | null;

  /** Refreshed every few seconds by the worker processing it; stale = that worker died. */
  @Field(() => Date, { nullable: true, description: 'Last sign of life of the worker processing it (every few seconds while RUNNING).' })
  @Column('timestamptz', { nullable: true })
  heartbeatAt: Date | null;

  // By entity name: shared/ is plumbing under every feature folder.
  @ManyToOne('Workspace', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;
}

/** done / total in [0, 1]; a job with nothing to do is 0 until it SUCCEEDED, then 1. */
export function progressOf(job: { done: number; total: number; state: string }): number {
  if (job.total > 0) return Math.min(1, job.done / job.total);
  return job.state === JobState.SUCCEEDED ? 1 : 0;
}

/** What processing a row came to: SKIPPED = another worker holds it (or it is not QUEUED); STOPPED = handed back or lost. */
export type JobOutcome = 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SKIPPED';

/** A worker refreshes the heartbeat of its row this often (at most) … */
export const HEARTBEAT_MS = 5_000;
const MAX_ERROR_LENGTH = 2000;

export interface BackgroundJobTableSpec {
  /** The table, e.g. `scoring_runs`. */
  table: string;
  /** For logs: `scoring run`, and the key of the row's id in log lines: `runId`. */
  what: string;
  logKey: string;
  /** … and a RUNNING row whose heartbeat is older than this is taken to be orphaned (its worker died). */
  staleAfterMs: number;
  /** Hand a row to the job queue (each feature has its own job). */
  enqueue(db: DataSource, row: { workspaceId: string; id: string }): Promise<void>;
  /** What `error` says (every role may read it); default: the error's message. */
  errorMessage?: (err: unknown, id: string) => string;
  /** More SET clauses of a claim, e.g. a job that starts over resets its progress. */
  claimSet?: string;
}

export interface ProcessJobOptions {
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** Aborts when the worker stops: the work checks `job.aborted` and hands the row back. */
  signal?: AbortSignal;
}

/** Thrown inside the work when its attempt lost the row (taken over or cancelled): the work's transaction rolls back. */
export class JobLost extends Error {
  constructor() { super('This attempt no longer holds the job.'); }
}

/** One attempt of a worker that claimed a row: the work writes through it, fenced. */
export class ClaimedJob {
  constructor(
    private readonly table: BackgroundJobTable,
    readonly scope: TenantScope,
    readonly id: string,
    readonly attempt: number,
    readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {}

  /** The worker is stopping: hand the row back (`handBack`) at the next point where the work can stop. */
  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  /**
   * Inside the work's transaction: lock the row while this attempt holds it RUNNING and read `columns`; null when it
   * lost the row. The lock orders the writers of one row (parallel chunks of a run).
   */
  async hold<T = Record<string, unknown>>(tx: TenantScope, columns = '1 AS held'): Promise<T | null> {
    const [row] = await tx.query<T>(
      `SELECT ${columns} FROM ${this.table.spec.table} WHERE workspace_id = $1 AND id = $2 AND state = 'RUNNING' AND attempts = $3 FOR UPDATE`,
      [this.id, this.attempt]);
    return row ?? null;
  }

  /** Write `set` (parameters from $4) while this attempt holds the row RUNNING; false when it lost the row. */
  async update(scope: TenantScope, set: string, params: unknown[] = []): Promise<boolean> {
    const rows = await scope.query(
      `WITH u AS (UPDATE ${this.table.spec.table} SET ${set}
                   WHERE workspace_id = $1 AND id = $2 AND state = 'RUNNING' AND attempts = $3 RETURNING id) SELECT * FROM u`,
      [this.id, this.attempt, ...params]);
    return rows.length > 0;
  }

  /** SUCCEEDED, with the result's columns in `set` (parameters from $4); false when this attempt lost the row. */
  async succeed(scope: TenantScope = this.scope, set = '', params: unknown[] = []): Promise<boolean> {
    return await this.update(scope, `state = 'SUCCEEDED', finished_at = now(), heartbeat_at = now()${set ? `, ${set}` : ''}`, params);
  }

  /** Back to QUEUED for another worker (this one is stopping); the work done so far stays. */
  async handBack(): Promise<void> {
    await this.update(this.scope, `state = 'QUEUED', heartbeat_at = NULL`);
  }
}

/** The mechanism for one table of background jobs. */
export class BackgroundJobTable {
  constructor(readonly spec: BackgroundJobTableSpec) {}

  /**
   * Claim the row and run `work` on it. `work` returns SUCCEEDED (having called `job.succeed`) or STOPPED (handed
   * back, or lost); when it throws, the row is FAILED with the error, unless the database is away (the row stays
   * RUNNING; once stale, the recovery sweep of whichever worker is up resumes it) or the attempt lost the row.
   */
  async process(
    db: DataSource, workspaceId: string, id: string, opts: ProcessJobOptions,
    work: (job: ClaimedJob) => Promise<'SUCCEEDED' | 'STOPPED'>,
  ): Promise<JobOutcome> {
    const { table, what } = this.spec;
    const scope = TenantScope.system(db, workspaceId);
    const staleAfterMs = opts.staleAfterMs ?? this.spec.staleAfterMs;
    const claimed = await scope.query<{ attempts: number }>(
      `WITH u AS (UPDATE ${table} SET state = 'RUNNING', started_at = coalesce(started_at, now()), heartbeat_at = now(),
                         attempts = attempts + 1, error = NULL, finished_at = NULL${this.spec.claimSet ? `, ${this.spec.claimSet}` : ''}
                   WHERE workspace_id = $1 AND id = $2 AND ${this.orphaned('$3')}
                   RETURNING attempts) SELECT * FROM u`, [id, staleAfterMs]);
    if (!claimed.length) return 'SKIPPED';
    const attempt = claimed[0].attempts;
    const log = logger.child({ workspaceId, [this.spec.logKey]: id, attempt });
    const job = new ClaimedJob(this, scope, id, attempt, log, opts.signal);
    const heartbeat = setInterval(() => {
      job.update(scope, 'heartbeat_at = now()').catch((err) => log.warn({ err }, `${what} heartbeat failed`));
    }, opts.heartbeatMs ?? Math.max(100, Math.min(HEARTBEAT_MS, Math.floor(staleAfterMs / 3))));
    heartbeat.unref();
    try {
      return await work(job);
    } catch (err) {
      if (err instanceof JobLost) {
        log.info(`${what} cancelled or taken over; the write in flight was rolled back`);
        return 'STOPPED';
      }
      if (isDatabaseUnavailable(err)) {
        log.warn({ err }, `${what} interrupted: database unavailable; it resumes once it is stale`);
        return 'STOPPED';
      }
      log.error({ err }, `${what} failed`);
      const message = (this.spec.errorMessage?.(err, id) ?? (err instanceof Error ? err.message : String(err))).slice(0, MAX_ERROR_LENGTH);
      await job.update(scope, `state = 'FAILED', error = $4, finished_at = now()`, [message]);
      return 'FAILED';
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** SQL condition: QUEUED, or RUNNING with a heartbeat older than the parameter (ms) — a row a worker may claim. */
  private orphaned(staleParam: string, queued = `state = 'QUEUED'`): string {
    return `(${queued} OR (state = 'RUNNING' AND coalesce(heartbeat_at, started_at) < now() - ${staleParam} * interval '1 millisecond'))`;
  }

  /**
   * Back to QUEUED (and to the queue) from one of the `from` states, or RUNNING with a stale heartbeat (its worker
   * died); the work resumes where the row says it stopped. False when the row is in none of those states.
   */
  async restart(scope: TenantScope, id: string, from: JobState[], staleAfterMs = this.spec.staleAfterMs): Promise<boolean> {
    const rows = await scope.query(
      `WITH u AS (UPDATE ${this.spec.table} SET state = 'QUEUED', error = NULL, finished_at = NULL, heartbeat_at = NULL
                   WHERE workspace_id = $1 AND id = $2 AND ${this.orphaned('$3', `state = ANY($4::text[])`)}
                   RETURNING id) SELECT * FROM u`, [id, staleAfterMs, from]);
    if (!rows.length) return false;
    await this.spec.enqueue(scope.db, { workspaceId: scope.workspaceId, id });
    return true;
  }

  /** CANCELLED, from QUEUED or RUNNING (the worker's write in flight is fenced off and rolled back). False otherwise. */
  async cancel(scope: TenantScope, id: string): Promise<boolean> {
    const rows = await scope.query(
      `WITH u AS (UPDATE ${this.spec.table} SET state = 'CANCELLED', finished_at = now()
                   WHERE workspace_id = $1 AND id = $2 AND state IN ('QUEUED', 'RUNNING') RETURNING id) SELECT * FROM u`, [id]);
    return rows.length > 0;
  }

  /**
   * Recovery sweep (every worker, every few seconds): re-enqueue rows QUEUED for a while that nobody took (created by a
   * process without a queue, or a lost job) and RUNNING ones whose worker died. The claim decides which worker gets
   * one; duplicate jobs find nothing to claim.
   */
  async recover(db: DataSource, opts: { staleAfterMs?: number; queuedForMs?: number } = {}): Promise<number> {
    // The owner path (src/shared/db/owner.ts): across workspaces, ids only; processing itself is tenant-scoped.
    const rows: { workspace_id: string; id: string }[] = await ownerQuery(db,
      `SELECT workspace_id, id FROM ${this.spec.table}
        WHERE ${this.orphaned('$1', `(state = 'QUEUED' AND created_at < now() - $2 * interval '1 millisecond')`)}`,
      [opts.staleAfterMs ?? this.spec.staleAfterMs, opts.queuedForMs ?? 5_000]);
    for (const r of rows) await this.spec.enqueue(db, { workspaceId: r.workspace_id, id: r.id });
    return rows.length;
  }
}
