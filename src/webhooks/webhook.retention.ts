/**
 * How long the delivery log is kept: DELIVERED deliveries (with their attempts, which cascade) for
 * WEBHOOK_DELIVERED_RETENTION_DAYS after delivery; DEAD ones (dead-letter) longer, WEBHOOK_DEAD_RETENTION_DAYS after
 * they died, because someone still has to look at them — a redelivery takes a delivery out of DEAD, and its clock
 * starts again from the state it ends in. PENDING and SENDING deliveries are never purged. Run by the daily job.
 */
import type { DataSource } from 'typeorm';
import { config } from '../shared/config';

export interface DeliveryRetention { deliveredDays: number; deadDays: number }

export function deliveryRetention(overrides: Partial<DeliveryRetention> = {}): DeliveryRetention {
  return { deliveredDays: config.webhookDeliveredRetentionDays, deadDays: config.webhookDeadRetentionDays, ...overrides };
}

/** One set-based statement over every workspace (system maintenance, like the delivery sweep). */
export async function purgeDeliveries(db: DataSource, retention = deliveryRetention(), now = new Date()): Promise<{ delivered: number; dead: number }> {
  const [r]: Array<{ delivered: number; dead: number }> = await db.query(
    `WITH gone AS (
       DELETE FROM webhook_deliveries
        WHERE (state = 'DELIVERED' AND delivered_at < $1::timestamptz - make_interval(days => $2::int))
           OR (state = 'DEAD' AND dead_at < $1::timestamptz - make_interval(days => $3::int))
       RETURNING state
     )
     SELECT count(*) FILTER (WHERE state = 'DELIVERED')::int AS delivered, count(*) FILTER (WHERE state = 'DEAD')::int AS dead FROM gone`,
    [now, retention.deliveredDays, retention.deadDays]);
  return r;
}
