/**
 * The webhook worker: handles `deliver-webhook` jobs and runs the delivery sweep. One function that takes the
 * queue, so it can be wired wherever the queue is built.
 */
import type PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import { JOBS, registerLocalWorker } from '../jobs/queue';
import { logger } from '../shared/logger';
import { attemptDelivery, deliveryPolicy, sweepDeliveries, type DeliveryPolicy } from './webhook.deliver';
import type { DeliverWebhookJob } from './webhook.queue';

export interface WebhookJobsOptions {
  /** Overrides of the configured delivery policy (tests: a retry base of milliseconds, loopback targets). */
  policy?: Partial<DeliveryPolicy>;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
  sweepIntervalMs?: number;
  /** How long past due a PENDING delivery waits before the sweep re-queues it. */
  sweepGraceMs?: number;
}

export interface WebhookJobs { sweep(): Promise<number>; stop(): void }

export async function registerWebhookJobs(boss: PgBoss, db: DataSource, opts: WebhookJobsOptions = {}): Promise<WebhookJobs> {
  const policy = deliveryPolicy(opts.policy);
  // One poller taking up to `concurrency` jobs at a time, sent side by side: every extra poller would hold one of
  // pg-boss's few pool connections for its fetches.
  const id = await boss.work<DeliverWebhookJob>(JOBS.DELIVER_WEBHOOK, { pollingIntervalSeconds: 0.5, batchSize: opts.concurrency ?? 4 }, async (jobs) => {
    return await Promise.all(jobs.map(async (job) => ({ outcome: await attemptDelivery(db, job.data.workspaceId, job.data.deliveryId, policy) })));
  });
  registerLocalWorker(JOBS.DELIVER_WEBHOOK, id);
  const sweep = async () => await sweepDeliveries(db, policy, opts.sweepGraceMs);
  let sweeping: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    sweeping ??= sweep().catch((err) => logger.warn({ err }, 'webhook sweep failed')).finally(() => { sweeping = undefined; });
  }, opts.sweepIntervalMs ?? 15_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
