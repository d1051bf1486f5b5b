/** Webhook endpoints (ADMIN): create with a secret shown once, change, rotate, delete; the delivery log; manual redelivery. */
import { ConflictError, InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';
import type { WebhookDeliveryFilter, WebhookEndpointInput, WebhookEndpointWithSecret } from './webhook.gql';
import { queueDeliveryJobs } from './webhook.queue';
import { encryptSecret, newWebhookSecret } from './webhook.secret';
import { urlProblem } from './webhook.target';

function checkUrl(url: string): string {
  const trimmed = url.trim();
  const problem = urlProblem(trimmed);
  if (problem) throw new InputError('input.url', problem);
  return trimmed;
}

export async function listEndpoints(scope: TenantScope): Promise<WebhookEndpoint[]> {
  return await scope.find(WebhookEndpoint, { order: { name: 'ASC' } });
}

export async function createEndpoint(scope: TenantScope, input: WebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
  const url = checkUrl(input.url);
  const secret = newWebhookSecret();
  const endpoint = await scope.save(scope.create(WebhookEndpoint, {
    name: input.name.trim(), url, enabled: input.enabled ?? true, secretCiphertext: encryptSecret(secret), secretPrefix: secret.slice(0, 10),
  }));
  return { endpoint, secret };
}

export async function updateEndpoint(scope: TenantScope, id: string, input: WebhookEndpointInput): Promise<WebhookEndpoint> {
  const endpoint = await scope.mustFind(WebhookEndpoint, id, 'Webhook endpoint');
  Object.assign(endpoint, { name: input.name.trim(), url: checkUrl(input.url), enabled: input.enabled ?? true });
  return await scope.save(endpoint);
}

/** A new secret (shown once); the old one stops working at once. */
export async function rotateSecret(scope: TenantScope, id: string): Promise<WebhookEndpointWithSecret> {
  const endpoint = await scope.mustFind(WebhookEndpoint, id, 'Webhook endpoint');
  const secret = newWebhookSecret();
  Object.assign(endpoint, { secretCiphertext: encryptSecret(secret), secretPrefix: secret.slice(0, 10) });
  return { endpoint: await scope.save(endpoint), secret };
}

export async function deleteEndpoint(scope: TenantScope, id: string): Promise<boolean> {
  await scope.mustFind(WebhookEndpoint, id, 'Webhook endpoint');
  const users = await scope.query<{ name: string }>(`SELECT name FROM plays WHERE workspace_id = $1 AND webhook_endpoint_id = $2 ORDER BY name`, [id]);
  if (users.length) throw new ConflictError(`Plays deliver to this endpoint (${users.map((u) => u.name).join(', ')}): change or delete them first.`);
  return (await scope.delete(WebhookEndpoint, { id })) > 0;
}

export async function listDeliveries(scope: TenantScope, filter: WebhookDeliveryFilter = {}, first = 50): Promise<WebhookDelivery[]> {
  if (!Number.isInteger(first) || first < 1 || first > 200) throw new InputError('first', 'first must be between 1 and 200.');
  const rows = await scope.query<{ id: string }>(
    `SELECT id FROM webhook_deliveries
      WHERE workspace_id = $1 AND ($2::uuid IS NULL OR endpoint_id = $2) AND ($3::uuid IS NULL OR play_id = $3)
        AND ($4::uuid IS NULL OR account_id = $4) AND ($5::text[] IS NULL OR state = ANY($5::text[]))
      ORDER BY created_at DESC, id DESC LIMIT $6`,
    [filter.endpointId ?? null, filter.playId ?? null, filter.accountId ?? null, filter.states?.length ? filter.states : null, first]);
  const byId = new Map((await scope.findByIds(WebhookDelivery, rows.map((r) => r.id))).map((d) => [d.id, d]));
  return rows.map((r) => byId.get(r.id)!).filter(Boolean);
}

export async function getDelivery(scope: TenantScope, id: string): Promise<WebhookDelivery> {
  return await scope.mustFind(WebhookDelivery, id, 'Webhook delivery');
}

/** Send a DEAD (or DELIVERED) delivery again, with the same id, a fresh retry window and attempt budget. */
export async function redeliver(scope: TenantScope, id: string): Promise<WebhookDelivery> {
  await getDelivery(scope, id);
  return await scope.transaction(async (tx) => {
    const moved = await tx.query(
      `WITH u AS (UPDATE webhook_deliveries SET state = 'PENDING', next_attempt_at = now(), window_started_at = now(), dead_at = NULL,
                         attempt_base = attempts -- a fresh attempt budget; the log keeps counting
                   WHERE workspace_id = $1 AND id = $2 AND state IN ('DEAD', 'DELIVERED') RETURNING id) SELECT * FROM u`, [id]);
    if (!moved.length) throw new ConflictError('This delivery is still being attempted; redeliver it once it is DELIVERED or DEAD.');
    await queueDeliveryJobs(tx, [id]);
    return await getDelivery(tx, id);
  });
}

export const attemptsOf = async (scope: TenantScope, deliveryIds: readonly string[]): Promise<WebhookAttempt[]> =>
  await scope.find(WebhookAttempt, { where: deliveryIds.map((deliveryId) => ({ deliveryId })), order: { attempt: 'ASC' } });

