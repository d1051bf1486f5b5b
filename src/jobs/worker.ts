/**
 * The background worker: starts the queue, and in processes with WORKER=true registers the job
 * handlers, the daily schedule and a recovery sweep. Several instances may run this at once: jobs
 * are fetched with SKIP LOCKED, runs are claimed with a conditional UPDATE, and incremental rescores
 * of one workspace are serialised by an advisory lock.
 */
import type { DataSource } from 'typeorm';
import { logger } from '../shared/logger';
import { drainRescoreRequests, workspacesWithPendingRequests } from '../scoring/rescore';
import { processRun, recoverRuns, startDailyRuns, STALE_AFTER_MS } from '../scoring/runs.service';
import { processDiscovery, recoverDiscoveries } from '../discovery/discovery.service';
import { enqueue, JOBS, listenForJobs, registerLocalWorker, startQueue, stopQueue, type DiscoverClustersJob, type RecomputeRunJob, type RescoreAccountsJob } from './queue';

export interface JobsOptions {
  db: DataSource;
  /** Connection string of the same database (pg-boss keeps its own small pool). */
  url: string;
  /** Work jobs in this process (config.worker); false = enqueue only. */
  work: boolean;
  /** Parallel incremental-rescore workers in this process (different workspaces). */
  rescoreConcurrency?: number;
  /** Recovery sweep period. */
  sweepIntervalMs?: number;
  staleAfterMs?: number;
  /** Daily full rescore cron (UTC). */
  dailyCron?: string;
}

export interface JobsHandle {
  stop(): Promise<void>;
  /** Run the recovery sweep now (tests, start-up). */
  sweep(): Promise<void>;
}

export async function startJobs(opts: JobsOptions): Promise<JobsHandle> {
  const boss = await startQueue({ url: opts.url });
  if (!opts.work) {
    logger.info('job queue started (enqueue only: WORKER=false)');
    return { stop: async () => await stopQueue(), sweep: async () => undefined };
  }
  const { db } = opts;
  const shutdown = new AbortController();
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;

  // Incremental rescores: a job enqueued in a transaction (ingestion) wakes the workers of every instance when it
  // commits (NOTIFY, see listenForJobs), one enqueued outside a transaction wakes this process's workers at once;
  // 0.5 s polling (pg-boss's minimum) bounds the latency when a wake-up is lost.
  for (let i = 0; i < (opts.rescoreConcurrency ?? 2); i++) {
    const id = await boss.work<RescoreAccountsJob>(JOBS.RESCORE_ACCOUNTS, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
      return await drainRescoreRequests(db, job.data.workspaceId);
    });
    registerLocalWorker(JOBS.RESCORE_ACCOUNTS, id);
  }
  const runWorker = await boss.work<RecomputeRunJob>(JOBS.RECOMPUTE_RUN, { pollingIntervalSeconds: 1, batchSize: 1 }, async ([job]) => {
    return { outcome: await processRun(db, job.data.workspaceId, job.data.runId, { staleAfterMs, signal: shutdown.signal }) };
  });
  registerLocalWorker(JOBS.RECOMPUTE_RUN, runWorker);
  const discoveryWorker = await boss.work<DiscoverClustersJob>(JOBS.DISCOVER_CLUSTERS, { pollingIntervalSeconds: 1, batchSize: 1 }, async ([job]) => {
    return { outcome: await processDiscovery(db, job.data.workspaceId, job.data.discoveryId) };
  });
  registerLocalWorker(JOBS.DISCOVER_CLUSTERS, discoveryWorker);
  await boss.work(JOBS.DAILY_RESCORE, { pollingIntervalSeconds: 5, batchSize: 1 }, async () => ({ runs: (await startDailyRuns(db)).length }));
  await listenForJobs(opts.url).catch((err) => logger.warn({ err }, 'job wake-ups: LISTEN failed; polling only'));
  // pg-boss sends one job per cron tick however many instances run the schedule.
  await boss.schedule(JOBS.DAILY_RESCORE, opts.dailyCron ?? '0 2 * * *', {}, { tz: 'UTC' });

  const sweep = async () => {
    await recoverRuns(db, { staleAfterMs });
    await recoverDiscoveries(db);
    for (const workspaceId of await workspacesWithPendingRequests(db, 2_000)) {
      await enqueue(JOBS.RESCORE_ACCOUNTS, { workspaceId }, { singletonKey: workspaceId });
    }
  };
  let sweeping: Promise<void> | undefined;
  const timer = setInterval(() => {
    sweeping ??= sweep().catch((err) => logger.warn({ err }, 'job recovery sweep failed')).finally(() => { sweeping = undefined; });
  }, opts.sweepIntervalMs ?? 10_000);
  timer.unref();
  await sweep();
  logger.info('job worker started');

  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      shutdown.abort(); // running scoring runs hand themselves back after their current chunk
      await sweeping;
      await stopQueue();
      logger.info('job worker stopped');
    },
  };
}
