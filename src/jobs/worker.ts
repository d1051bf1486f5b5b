/**
 * The background worker: registers the job handlers it is given (main.ts hands it scoring's, so
 * `jobs/` imports no feature), the daily schedule and a recovery sweep. Several instances may run
 * this at once: jobs are fetched with SKIP LOCKED, runs are claimed with a conditional UPDATE, and
 * incremental rescores of one workspace are serialised by an advisory lock.
 */
import { logger } from '../shared/logger';
import { JOBS, type JobQueue, type BacktestJob, type DeliverWebhookJob, type RecomputeRunJob, type RescoreAccountsJob } from './queue';

/** What each job does. */
export interface JobHandlers {
  rescoreAccounts(job: RescoreAccountsJob): Promise<unknown>;
  /** `signal` aborts when the worker stops: a run hands itself back after its current chunk. */
  recomputeRun(job: RecomputeRunJob, signal: AbortSignal): Promise<unknown>;
  /** `signal` as for runs: a backtest hands itself back after its current as-of group. */
  backtest(job: BacktestJob, signal: AbortSignal): Promise<unknown>;
  /** One attempt of a webhook delivery. */
  deliverWebhook(job: DeliverWebhookJob): Promise<unknown>;
  dailyRescore(): Promise<unknown>;
  /** Turn durable work nobody has taken (requests, QUEUED or stale runs, due deliveries) into jobs. */
  sweep(): Promise<void>;
}

export interface JobsOptions {
  queue: JobQueue;
  handlers: JobHandlers;
  /** Parallel incremental-rescore workers in this process (different workspaces). */
  rescoreConcurrency?: number;
  /** Webhook deliveries sent at once by this process. */
  webhookConcurrency?: number;
  /** Recovery sweep period. */
  sweepIntervalMs?: number;
  /** Daily full rescore cron (UTC). */
  dailyCron?: string;
}

export interface JobsHandle {
  stop(): Promise<void>;
  /** Run the recovery sweep now (tests, start-up). */
  sweep(): Promise<void>;
}

export async function startWorker(opts: JobsOptions): Promise<JobsHandle> {
  const { queue, handlers } = opts;
  const shutdown = new AbortController();

  // Incremental rescores: a job enqueued in a transaction (ingestion) wakes the workers of every instance when it
  // commits (NOTIFY on the process's listener), one enqueued outside a transaction wakes this process's workers at
  // once; 0.5 s polling (pg-boss's minimum) bounds the latency when a wake-up is lost.
  for (let i = 0; i < (opts.rescoreConcurrency ?? 2); i++) {
    await queue.work<RescoreAccountsJob>(JOBS.RESCORE_ACCOUNTS, { pollingIntervalSeconds: 0.5 }, async (job) => await handlers.rescoreAccounts(job));
  }
  await queue.work<RecomputeRunJob>(JOBS.RECOMPUTE_RUN, { pollingIntervalSeconds: 1 }, async (job) => await handlers.recomputeRun(job, shutdown.signal));
  await queue.work<BacktestJob>(JOBS.BACKTEST, { pollingIntervalSeconds: 1 }, async (job) => await handlers.backtest(job, shutdown.signal));
  for (let i = 0; i < (opts.webhookConcurrency ?? 4); i++) {
    await queue.work<DeliverWebhookJob>(JOBS.DELIVER_WEBHOOK, { pollingIntervalSeconds: 0.5 }, async (job) => await handlers.deliverWebhook(job));
  }
  await queue.work(JOBS.DAILY_RESCORE, { pollingIntervalSeconds: 5 }, async () => await handlers.dailyRescore());
  await queue.schedule(JOBS.DAILY_RESCORE, opts.dailyCron ?? '0 2 * * *');

  let sweeping: Promise<void> | undefined;
  const sweep = async () => {
    // One sweep at a time; a failed one (database away) is retried at the next tick.
    sweeping ??= handlers.sweep().catch((err) => logger.warn({ err }, 'job recovery sweep failed')).finally(() => { sweeping = undefined; });
    await sweeping;
  };
  const timer = setInterval(() => void sweep(), opts.sweepIntervalMs ?? 10_000);
  timer.unref();
  await sweep();
  logger.info('job worker started');

  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      shutdown.abort(); // running scoring runs hand themselves back after their current chunk
      await sweeping;
      logger.info('job worker stopped');
    },
  };
}
