/**
 * What the background worker does for webhooks: one delivery attempt per `deliver-webhook` job, and the delivery
 * sweep (main.ts composes these with the other features' handlers, src/job-handlers.ts).
 */
import type { DataSource } from 'typeorm';
import type { JobHandlers } from '../jobs/worker';
import { attemptDelivery, deliveryPolicy, sweepDeliveries, type DeliveryPolicy } from './webhook.deliver';

export interface WebhookJobsOptions {
  /** Overrides of the configured delivery policy (tests: a retry base of milliseconds, loopback targets). */
  policy?: Partial<DeliveryPolicy>;
  /** How long past due a PENDING delivery waits before the sweep re-queues it. */
  sweepGraceMs?: number;
}

export function webhookJobHandlers(db: DataSource, opts: WebhookJobsOptions = {}): Pick<JobHandlers, 'deliverWebhook' | 'sweep'> {
  const policy = deliveryPolicy(opts.policy);
  return {
    deliverWebhook: async ({ workspaceId, deliveryId }) => ({ outcome: await attemptDelivery(db, workspaceId, deliveryId, policy) }),
    sweep: async () => { await sweepDeliveries(db, policy, opts.sweepGraceMs); },
  };
}
