/**
 * The job queue: pg-boss on the application's own PostgreSQL database (schema `pgboss`, created by
 * pg-boss itself). Jobs are rows fetched with FOR UPDATE SKIP LOCKED, so any number of server
 * instances can share the work safely. Every process can enqueue; only processes started with
 * WORKER=true (the default) work jobs (see worker.ts).
 */
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
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
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

export interface RescoreAccountsJob { workspaceId: string }
export interface RecomputeRunJob { workspaceId: string; runId: string }
export interface DiscoverClustersJob { workspaceId: string; discoveryId: string }

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
};

export interface QueueOptions {
  /** Connection string of the application database. */
  url: string;
  /** Connections pg-boss may open (its own pool). */
  poolSize?: number;
}

/** The process-wide queue (one per process, like the DataSource); undefined until started. */
let current: PgBoss | undefined;

/** Ids of this process's workers per job, to wake one right after enqueueing (no polling delay). */
const localWorkers = new Map<JobName, string[]>();

/**
 * NOTIFY channel (payload: the job name). A job enqueued inside a transaction cannot wake a worker at once (the
 * job row is invisible until commit), so the transaction also NOTIFYs, which PostgreSQL delivers at commit, to
 * every instance that LISTENs: its local workers of that job fetch at once instead of at their next poll.
 */
export const JOBS_CHANNEL = 'oh_jobs';
const RELISTEN_MS = 1000;
let listener: Client | undefined;

function wakeLocalWorkers(name: string): void {
  const boss = current;
  if (boss) for (const w of localWorkers.get(name as JobName) ?? []) boss.notifyWorker(w);
}

/** LISTEN for committed jobs (worker processes). Polling still covers the time the connection is down. */
export async function listenForJobs(url: string): Promise<void> {
  const client = new Client({ connectionString: url, application_name: 'outcome-health-jobs-listen' });
  const relisten = () => {
    if (listener !== client) return; // stopped, or already replaced
    listener = undefined;
    client.end().catch(() => undefined);
    setTimeout(() => { if (current && !listener) listenForJobs(url).catch((err) => logger.warn({ err }, 'job wake-ups: LISTEN failed')); }, RELISTEN_MS).unref();
  };
  client.on('notification', (msg) => { if (msg.channel === JOBS_CHANNEL && msg.payload) wakeLocalWorkers(msg.payload); });
  client.on('error', (err) => { logger.warn({ err }, 'job wake-ups: listener connection lost; polling until it is back'); relisten(); });
  client.on('end', relisten);
  listener = client;
  try {
    await client.connect();
    await client.query(`LISTEN ${JOBS_CHANNEL}`);
  } catch (err) {
    relisten();
    throw err;
  }
}

export function runningQueue(): PgBoss | undefined {
  return current;
}

export function registerLocalWorker(name: JobName, workerId: string): void {
  localWorkers.set(name, [...(localWorkers.get(name) ?? []), workerId]);
}

export async function startQueue(opts: QueueOptions): Promise<PgBoss> {
  if (current) return current;
  const boss = new PgBoss({
    connectionString: opts.url,
    schema: 'pgboss',
    max: opts.poolSize ?? 4,
    application_name: 'outcome-health-jobs',
  });
  boss.on('error', (err) => logger.error({ err }, 'job queue error'));
  await boss.start();
  for (const [name, options] of Object.entries(QUEUE_OPTIONS)) {
    // create_queue is ON CONFLICT DO NOTHING, so instances starting together are fine; existing queues keep their options.
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, ...options });
  }
  current = boss;
  return boss;
}

export async function stopQueue(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const boss = current;
  if (!boss) return;
  current = undefined;
  localWorkers.clear();
  const l = listener;
  listener = undefined;
  await l?.end().catch(() => undefined);
  // graceful: wait for active jobs up to the timeout; what is left is picked up again by another worker.
  await boss.stop({ graceful: opts.graceful ?? true, timeout: opts.timeoutMs ?? 20_000, wait: true, close: true });
}

/**
 * Enqueue a job. With `manager` inside a transaction the job row is written in that transaction,
 * so it becomes visible exactly when the caller's data does. Returns the job id, or null when an
 * equal job (same singleton key) is already queued: that one will do the work.
 * Without a running queue in this process the job is not sent; callers keep their own durable
 * state (rescore requests, QUEUED runs) that a worker's recovery sweep turns into jobs.
 */
export async function enqueue(
  name: JobName,
  data: object,
  options: PgBoss.SendOptions & { manager?: EntityManager } = {},
): Promise<string | null | undefined> {
  const boss = current;
  if (!boss) {
    logger.debug({ job: name }, 'no job queue in this process; leaving the work to the recovery sweep');
    return undefined;
  }
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
  if (id) for (const w of localWorkers.get(name) ?? []) boss.notifyWorker(w);
  return id;
}
