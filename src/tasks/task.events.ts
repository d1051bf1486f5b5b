/**
 * Task changes are announced with `NOTIFY oh_task_changes '{"w": workspace, "t": [task ids]}'` inside the transaction
 * that made them, so PostgreSQL delivers them at commit (never for a rollback) to every instance's task hub.
 */
import type { TenantScope } from '../shared/tenant';

export const TASK_CHANNEL = 'oh_task_changes';
/** NOTIFY payloads are limited to 8000 bytes: ~100 ids each. */
const IDS_PER_NOTIFY = 100;

export async function announceTaskChanges(scope: TenantScope, taskIds: string[]): Promise<void> {
  if (!taskIds.length) return;
  await scope.query(
    `SELECT pg_notify($2, json_build_object('w', $1::uuid, 't', ids)::text)
       FROM (SELECT array_agg(id) AS ids FROM unnest($3::uuid[]) WITH ORDINALITY AS x(id, n) GROUP BY (n - 1) / $4) chunks`,
    [TASK_CHANNEL, taskIds, IDS_PER_NOTIFY]);
}
