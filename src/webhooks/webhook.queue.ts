/**
 * Handing deliveries to the job queue: one `deliver-webhook` job per attempt. Inside a transaction the jobs are
 * inserted in it (one statement for any number of deliveries) and a NOTIFY wakes the workers at commit. Without a
 * queue in this process (a CLI, the seed) nothing is sent: the deliveries stay PENDING and a worker's sweep
 * queues them.
 */
import type { DataSource } from 'typeorm';
import { enqueue, enqueueMany, JOBS, type DeliverWebhookJob } from '../jobs/queue';
import type { TenantScope } from '../shared/tenant';

export type { DeliverWebhookJob };

export async function queueDeliveryJobs(tx: TenantScope, deliveryIds: string[]): Promise<void> {
  if (!deliveryIds.length) return;
  await enqueueMany(tx.db, JOBS.DELIVER_WEBHOOK,
    deliveryIds.map((deliveryId) => ({ workspaceId: tx.workspaceId, deliveryId } satisfies DeliverWebhookJob)), { manager: tx.inTransaction ? tx.manager : undefined });
}

/**
 * The next attempt of one delivery, not before `at`. `dedupe` (the sweep's re-queues): at most one such job per
 * delivery per minute, so a backlog past its due time is not queued again every sweep.
 */
export async function queueAttempt(db: DataSource, workspaceId: string, deliveryId: string, at: Date, opts: { dedupe?: boolean } = {}): Promise<void> {
  await enqueue(db, JOBS.DELIVER_WEBHOOK, { workspaceId, deliveryId } satisfies DeliverWebhookJob,
    opts.dedupe ? { startAfter: at, singletonKey: deliveryId, singletonSeconds: 60 } : { startAfter: at });
}
