/**
 * Handing deliveries to the job queue: one `deliver-webhook` job per attempt. Inside a transaction the jobs are
 * inserted in it (one statement for any number of deliveries) and a NOTIFY wakes the workers at commit. Without a
 * queue in this process (a CLI, the seed) nothing is sent: the deliveries stay PENDING and a worker's sweep
 * queues them.
 */
import { enqueue, JOBS, JOBS_CHANNEL, runningQueue } from '../jobs/queue';
import type { TenantScope } from '../shared/tenant';

export interface DeliverWebhookJob { workspaceId: string; deliveryId: string }

export async function queueDeliveryJobs(tx: TenantScope, deliveryIds: string[]): Promise<void> {
  const boss = runningQueue();
  if (!boss || !deliveryIds.length) return;
  const runner = tx.manager.queryRunner;
  const jobs = deliveryIds.map((deliveryId) => ({ name: JOBS.DELIVER_WEBHOOK, data: { workspaceId: tx.workspaceId, deliveryId } satisfies DeliverWebhookJob }));
  if (runner?.isTransactionActive) {
    await boss.insert(jobs, { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await runner.query(text, values, true)).records }) } });
    await tx.query(`SELECT pg_notify($2, $3) WHERE $1::uuid IS NOT NULL`, [JOBS_CHANNEL, JOBS.DELIVER_WEBHOOK]);
  } else {
    await boss.insert(jobs);
  }
}

/**
 * The next attempt of one delivery, not before `at`. `dedupe` (the sweep's re-queues): at most one such job per
 * delivery per minute, so a backlog past its due time is not queued again every sweep.
 */
export async function queueAttempt(workspaceId: string, deliveryId: string, at: Date, opts: { dedupe?: boolean } = {}): Promise<void> {
  await enqueue(JOBS.DELIVER_WEBHOOK, { workspaceId, deliveryId } satisfies DeliverWebhookJob,
    opts.dedupe ? { startAfter: at, singletonKey: deliveryId, singletonSeconds: 60 } : { startAfter: at });
}
