/**
 * Delivering one attempt of a webhook, and the recovery sweep. At-least-once: an attempt is claimed with a
 * conditional UPDATE (PENDING and due → SENDING), so two instances holding the same job — or a duplicate job —
 * never send the same attempt twice; the outcome is logged (webhook_attempts) and the delivery moves to DELIVERED,
 * back to PENDING with the next attempt time (exponential backoff with jitter, bounded by the attempt count and the
 * retry window), or to DEAD (dead-letter; `redeliverWebhook` starts it again). A worker that dies mid-call leaves
 * the delivery SENDING: the sweep puts it back, and the receiver may then see the same id twice — hence the id.
 */
import type { DataSource } from 'typeorm';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import { TenantScope } from '../shared/tenant';
import { decryptSecret } from './webhook.secret';
import { sendWebhook, type SendResult } from './webhook.send';
import { targetPolicy, type TargetPolicy } from './webhook.target';
import { queueAttempt } from './webhook.queue';
import { ownerQuery } from '../shared/db/owner';

export interface DeliveryPolicy {
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  retryWindowMs: number;
  target: TargetPolicy;
  /** Jitter source in [0, 1) (tests pin it). */
  random: () => number;
}

export function deliveryPolicy(overrides: Partial<DeliveryPolicy> = {}): DeliveryPolicy {
  return {
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    maxAttempts: config.webhookMaxAttempts,
    retryWindowMs: config.webhookRetryWindowMinutes * 60_000,
    target: targetPolicy(),
    random: Math.random,
    ...overrides,
  };
}

/** Delay before attempt n+1 after n failed attempts: base × 2^(n−1), times a jitter factor in [0.5, 1.5). */
export function backoffMs(failedAttempts: number, policy: Pick<DeliveryPolicy, 'retryBaseMs' | 'random'>): number {
  return Math.round(policy.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1) * (0.5 + policy.random()));
}

export type AttemptOutcome = 'DELIVERED' | 'RETRY' | 'DEAD' | 'SKIPPED';

export async function attemptDelivery(db: DataSource, workspaceId: string, deliveryId: string, policy: DeliveryPolicy): Promise<AttemptOutcome> {
  const scope = TenantScope.system(db, workspaceId);
  const [claimed] = await scope.query<{
    attempt: number; attemptBase: number; payload: Record<string, unknown>; event: string; windowStartedAt: Date; endpointId: string;
    url: string; secretCiphertext: string; enabled: boolean;
  }>(
    `UPDATE webhook_deliveries d SET state = 'SENDING', claimed_at = now(), attempts = d.attempts + 1
       FROM webhook_endpoints e
      WHERE d.workspace_id = $1 AND d.id = $2 AND d.state = 'PENDING' AND d.next_attempt_at <= clock_timestamp() + interval '100 milliseconds'
        AND e.workspace_id = d.workspace_id AND e.id = d.endpoint_id
      RETURNING d.attempts AS attempt, d.attempt_base AS "attemptBase", d.payload, d.event, d.window_started_at AS "windowStartedAt", e.id AS "endpointId",
                e.url, e.secret_ciphertext AS "secretCiphertext", e.enabled`, [deliveryId]);
  if (!claimed) return 'SKIPPED'; // delivered, dead, not yet due, or another worker holds it
  const startedAt = new Date();
  let result!: SendResult;
  if (!claimed.enabled) {
    result = { ok: false, statusCode: null, latencyMs: 0, error: 'The endpoint is disabled.', excerpt: null };
  } else {
    let secret: string | null = null;
    try {
      secret = decryptSecret(claimed.secretCiphertext);
    } catch {
      // A failed attempt like any other (logged, retried, dead-lettered), not a job stuck in SENDING.
      result = { ok: false, statusCode: null, latencyMs: 0, excerpt: null,
        error: 'The signing secret cannot be decrypted (was WEBHOOK_SECRETS_KEY changed or unset?): set the key, or rotate the secret.' };
    }
    if (secret !== null) {
      const body = JSON.stringify({ id: deliveryId, ...claimed.payload });
      result = await sendWebhook({ url: claimed.url, secret, deliveryId, event: claimed.event, body, timestampSeconds: Math.floor(Date.now() / 1000) },
        policy.target, policy.timeoutMs);
    }
  }
  const tries = claimed.attempt - claimed.attemptBase; // attempts in the current retry window
  const delay = backoffMs(tries, policy);
  const nextAt = new Date(Date.now() + delay);
  const retry = !result.ok && claimed.enabled && tries < policy.maxAttempts
    && nextAt.getTime() <= new Date(claimed.windowStartedAt).getTime() + policy.retryWindowMs;
  const state = result.ok ? 'DELIVERED' : retry ? 'PENDING' : 'DEAD';
  await scope.query(
    `WITH logged AS (
       INSERT INTO webhook_attempts (workspace_id, delivery_id, attempt, started_at, status_code, latency_ms, error, response_excerpt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
     ), moved AS (
       UPDATE webhook_deliveries SET state = $9, claimed_at = NULL, next_attempt_at = $10, last_status_code = $5, last_error = $7,
              delivered_at = CASE WHEN $9 = 'DELIVERED' THEN now() END, dead_at = CASE WHEN $9 = 'DEAD' THEN now() END
        WHERE workspace_id = $1 AND id = $2 AND state = 'SENDING' AND attempts = $3
     )
     UPDATE webhook_endpoints SET
            consecutive_failures = CASE WHEN $11 THEN 0 ELSE consecutive_failures + 1 END,
            last_error = CASE WHEN $11 THEN last_error ELSE $7 END,
            last_success_at = CASE WHEN $11 THEN now() ELSE last_success_at END,
            last_failure_at = CASE WHEN $11 THEN last_failure_at ELSE now() END
      WHERE workspace_id = $1 AND id = $12`,
    [deliveryId, claimed.attempt, startedAt, result.statusCode, result.latencyMs, result.error, result.excerpt, state, nextAt, result.ok, claimed.endpointId]);
  if (state === 'PENDING') await queueAttempt(db, workspaceId, deliveryId, nextAt);
  if (state === 'DEAD') {
    logger.warn({ workspaceId, deliveryId, endpointId: claimed.endpointId, attempts: claimed.attempt, error: result.error },
      'webhook delivery dead-lettered: redeliver it once the receiver is fixed');
  }
  return state === 'PENDING' ? 'RETRY' : state;
}

/**
 * Recovery (all workspaces): attempts whose worker died mid-call go back to PENDING, and PENDING deliveries whose
 * job was lost (a crash between commit and enqueue, a process without a queue) get a job again.
 */
export async function sweepDeliveries(db: DataSource, policy: DeliveryPolicy, graceMs = 30_000): Promise<number> {
  // System-wide maintenance statements (ids only); each attempt itself runs tenant-scoped.
  await ownerQuery(db,
    `UPDATE webhook_deliveries SET state = 'PENDING', claimed_at = NULL, next_attempt_at = now(),
            last_error = 'The worker stopped during the call; retrying.'
      WHERE state = 'SENDING' AND claimed_at < now() - $1 * interval '1 millisecond'`, [policy.timeoutMs + graceMs]);
  const due: { workspace_id: string; id: string; next_attempt_at: Date }[] = await ownerQuery(db,
    `SELECT workspace_id, id, next_attempt_at FROM webhook_deliveries
      WHERE state = 'PENDING' AND next_attempt_at < now() - $1 * interval '1 millisecond' ORDER BY next_attempt_at LIMIT 1000`, [graceMs]);
  for (const d of due) await queueAttempt(db, d.workspace_id, d.id, new Date(), { dedupe: true });
  return due.length;
}
