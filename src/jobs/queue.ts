/**
 * The job queue: pg-boss on the application's own PostgreSQL database (schema `pgboss`, created by
 * pg-boss itself). Jobs are rows fetched with FOR UPDATE SKIP LOCKED, so any number of server
 * instances can share the work safely. A `JobQueue` is an object main.ts builds (one per process);
 * code that enqueues finds the queue serving its database with `enqueue(db, …)`. Only processes
 * started with WORKER=true (the default) work jobs (see worker.ts).
 */
import PgBoss from 'pg-boss';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_ROLE } from '../shared/db/data-source';
import type { PgListener } from '../shared/db/listener';
import { logger } from '../shared/logger';

export const JOBS = {
  /** {workspaceId}: score the accounts of the workspace's pending rescore requests. */
  RESCORE_ACCOUNTS: 'rescore-accounts',
  /** {workspaceId, runId}: process (or resume) a scoring run. */
  RECOMPUTE_RUN: 'recompute-run',
  /** Cron 02:00 UTC: one full-rescore run per workspace (time alone moves DAYS_SINCE, windows, stages). */
  DAILY_RESCORE: 'daily-rescore',
  /** {workspaceId, discoveryId}: compute a cluster discovery (src/discovery/). */
  DISCOVER_CLUSTERS: 'discover-clusters',
  /** {workspaceId, backtestId}: score (or resume) a backtest and write its report. */
  BACKTEST: 'backtest',
  /** {workspaceId, deliveryId}: one attempt of a webhook delivery (src/webhooks); retries are new jobs with startAfter. */
  DELIVER_WEBHOOK: 'deliver-webhook',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

export interface RescoreAccountsJob { workspaceId: string }
export interface RecomputeRunJob { workspaceId: string; runId: string }
export interface DiscoverClustersJob { workspaceId: string; discoveryId: string }
export interface BacktestJob { workspaceId: string; backtestId: string }
export interface DeliverWebhookJob { workspaceId: string; deliveryId: string }

/**
 * Queue policies. `short` = at most one *queued* job per singleton key (any number active): a burst
 * of 100 ingestion batches for one workspace collapses into one queued rescore job, which drains
 * every request committed by the time it runs.
 */
const QUEUE_OPTIONS: Record<JobName, Omit<PgBoss.Queue, 'name'>> = {
  [JOBS.RESCORE_ACCOUNTS]: { policy: 'short', retryLimit: 5, retryDelay: 1, retryBackoff: true, expireInSeconds: 15 * 60 },
  // Runs track their own state (FAILED + restartScoringRun), so pg-boss does not retry them itself.
  [JOBS.RECOMPUTE_RUN]: { policy: 'short', retryLimit: 0, expireInSeconds: 4 * 60 * 60 },
  [JOBS.DAILY_RESCORE]: { policy: 'short', retryLimit: 3, retryDelay: 60, expireInSeconds: 60 * 60 },
  // Discoveries track their own state (FAILED; the recovery sweep takes over a dead worker's), like runs.
  [JOBS.DISCOVER_CLUSTERS]: { policy: 'short', retryLimit: 0, expireInSeconds: 60 * 60 },
  // Like runs, backtests track their own state (FAILED + restartBacktest).
  [JOBS.BACKTEST]: { policy: 'short', retryLimit: 0, expireInSeconds: 4 * 60 * 60 },
  // Deliveries keep their own attempts, backoff and dead-letter state (webhook_deliveries): pg-boss only runs them.
  [JOBS.DELIVER_WEBHOOK]: { policy: 'standard', retryLimit: 0, expireInSeconds: 5 * 60 },
};

/**
 * NOTIFY channel (payload: the job name). A job enqueued inside a transaction cannot wake a worker at once (the
 * job row is invisible until commit), so the transaction also NOTIFYs, which PostgreSQL delivers at commit, to
 * every instance that LISTENs: its local workers of that job fetch at once instead of at their next poll.
 */
export const JOBS_CHANNEL = 'oh_jobs';

export interface QueueOptions {
  /** Connection string of the application database. */
  url: string;
  /** Connections pg-boss may open (its own pool). */
  poolSize?: number;
  /** The process's notification listener, for wake-ups; without one, workers only poll. */
  listener?: PgListener;
}

/**
 * Tenant transactions enqueue their jobs in the same transaction (`send` with `manager`), as the application role: it
 * may read the queues and insert jobs, nothing more. pg-boss creates its schema when it first starts (after our
 * migrations), so the grant is made here, by its owner; instances starting together may race, hence the re-check.
 */
async function grantEnqueue(boss: PgBoss): Promise<void> {
  const db = boss.getDb();
  const granted = async () => (await db.executeSql(
    `SELECT has_table_privilege('${APP_ROLE}', 'pgboss.job', 'INSERT') AND has_table_privilege('${APP_ROLE}', 'pgboss.queue', 'SELECT') AS ok`, [])).rows[0]?.ok === true;
  if (await granted()) return;
  try {
    await db.executeSql(`GRANT USAGE ON SCHEMA pgboss TO ${APP_ROLE}; GRANT SELECT ON pgboss.queue TO ${APP_ROLE}; GRANT SELECT, INSERT ON pgboss.job TO ${APP_ROLE}`, []);
  } catch (err) {
    if (!(await granted())) throw err; // "tuple concurrently updated": another instance granted it
  }
}

/** The queue serving each database (a process normally has one of each). */
const serving = new WeakMap<DataSource, JobQueue>();

export class JobQueue {
  private boss?: PgBoss;
  /** Ids of this process's workers per job, to wake one right after enqueueing (no polling delay). */
  private readonly localWorkers = new Map<JobName, string[]>();
  private unlisten?: () => void;
  private db?: DataSource;

  constructor(private readonly opts: QueueOptions) {}

  get running(): boolean { return !!this.boss; }

  /** Start pg-boss and create the queues; `db`: the database whose enqueues this queue takes from now on. */
  async start(db?: DataSource): Promise<this> {
    if (this.boss) return this;
    const boss = new PgBoss({ connectionString: this.opts.url, schema: 'pgboss', max: this.opts.poolSize ?? 4, application_name: 'outcome-health-jobs' });
    // pg-boss reports a lost connection here (and keeps polling: it recovers by itself once PostgreSQL is back).
    boss.on('error', (err) => logger.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'job queue: database error (retrying)'));
    await boss.start();
    await grantEnqueue(boss);
    for (const [name, options] of Object.entries(QUEUE_OPTIONS)) {
      // create_queue is ON CONFLICT DO NOTHING, so instances starting together are fine; existing queues keep their options.
      if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, ...options });
    }
    this.boss = boss;
    this.unlisten = this.opts.listener?.on(JOBS_CHANNEL, (name) => this.wakeLocalWorkers(name as JobName));
    if (db) { this.db = db; serving.set(db, this); }
    return this;
  }

  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    this.boss = undefined;
    this.unlisten?.();
    this.localWorkers.clear();
    if (this.db && serving.get(this.db) === this) serving.delete(this.db);
    // graceful: wait for active jobs up to the timeout; what is left is picked up again by another worker.
    await boss.stop({ graceful: opts.graceful ?? true, timeout: opts.timeoutMs ?? 20_000, wait: true, close: true });
  }

  /** Work jobs of `name` in this process; a wake-up (NOTIFY, or a local send) makes the worker fetch at once. */
  async work<T extends object>(name: JobName, options: PgBoss.WorkOptions, handler: (data: T) => Promise<unknown>): Promise<void> {
    const id = await this.started().work<T>(name, { ...options, batchSize: 1 }, async ([job]) => await handler(job.data));
    this.localWorkers.set(name, [...(this.localWorkers.get(name) ?? []), id]);
  }

  async schedule(name: JobName, cron: string): Promise<void> {
    // pg-boss sends one job per cron tick however many instances run the schedule.
    await this.started().schedule(name, cron, {}, { tz: 'UTC' });
  }

  async getSchedules(): Promise<PgBoss.Schedule[]> {
    return await this.started().getSchedules();
  }

  /**
   * Enqueue a job. With `manager` inside a transaction the job row is written in that transaction,
   * so it becomes visible exactly when the caller's data does. Returns the job id, or null when an
   * equal job (same singleton key) is already queued: that one will do the work.
   */
  async send(name: JobName, data: object, options: PgBoss.SendOptions & { manager?: EntityManager } = {}): Promise<string | null> {
    const boss = this.started();
    const { manager, ...sendOptions } = options;
    const runner = manager?.queryRunner;
    if (runner?.isTransactionActive) {
      sendOptions.db = { executeSql: async (text: string, values: unknown[]) => ({ rows: (await runner.query(text, values, true)).records }) };
      const id = await boss.send(name, data, sendOptions); // visible at commit
      // delivered at commit (with the job row): wakes the listening workers of every instance; polling is the fallback
      await runner.query(`SELECT pg_notify($1, $2)`, [JOBS_CHANNEL, name]);
      return id;
    }
    const id = await boss.send(name, data, sendOptions);
    if (id) this.wakeLocalWorkers(name);
    return id;
  }

  /** Many jobs of one kind in one statement; inside `manager`'s transaction as `send` does. */
  async sendMany(name: JobName, data: object[], options: { manager?: EntityManager } = {}): Promise<void> {
    const boss = this.started();
    if (!data.length) return;
    const jobs = data.map((d) => ({ name, data: d }));
    const runner = options.manager?.queryRunner;
    if (runner?.isTransactionActive) {
      await boss.insert(jobs, { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await runner.query(text, values, true)).records }) } });
      await runner.query(`SELECT pg_notify($1, $2)`, [JOBS_CHANNEL, name]);
      return;
    }
    await boss.insert(jobs);
    this.wakeLocalWorkers(name);
  }

  private wakeLocalWorkers(name: JobName): void {
    const boss = this.boss;
    if (boss) for (const w of this.localWorkers.get(name) ?? []) boss.notifyWorker(w);
  }

  private started(): PgBoss {
    if (!this.boss) throw new Error('The job queue is not started');
    return this.boss;
  }
}

/**
 * Enqueue through the queue serving `db`. Without one (a CLI, or a process that has not started it) the job is not
 * sent: callers keep their own durable state (rescore requests, QUEUED runs) that a worker's recovery sweep turns
 * into jobs.
 */
export async function enqueue(db: DataSource, name: JobName, data: object, options: PgBoss.SendOptions & { manager?: EntityManager } = {}): Promise<string | null | undefined> {
  const queue = serving.get(db);
  if (!queue?.running) {
    logger.debug({ job: name }, 'no job queue in this process; leaving the work to the recovery sweep');
    return undefined;
  }
  return await queue.send(name, data, options);
}

/** `sendMany` through the queue serving `db`; without one nothing is sent (the callers' sweeps re-queue). */
export async function enqueueMany(db: DataSource, name: JobName, data: object[], options: { manager?: EntityManager } = {}): Promise<void> {
  const queue = serving.get(db);
  if (!queue?.running) {
    logger.debug({ job: name }, 'no job queue in this process; leaving the work to the recovery sweep');
    return;
  }
  await queue.sendMany(name, data, options);
}
