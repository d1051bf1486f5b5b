/** Per-request loaders of plays (use through `scope.loader(...)`). */
import DataLoader from 'dataloader';
import type { TenantScope } from '../shared/tenant';
import { Play } from './play.entity';

export const playById = (scope: TenantScope) =>
  new DataLoader<string, Play | null>(async (ids) => {
    const byId = new Map((await scope.findByIds(Play, ids)).map((p) => [p.id, p]));
    return ids.map((id) => byId.get(id) ?? null);
  });

/** Webhook endpoint id → reported failing (3 or more failed attempts since its last success): a play that keeps failing shows it. */
export const endpointFailing = (scope: TenantScope) =>
  new DataLoader<string, boolean>(async (ids) => {
    const rows = await scope.query<{ id: string; failing: boolean }>(
      `SELECT id, consecutive_failures >= 3 AS failing FROM webhook_endpoints WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [[...ids]]);
    const byId = new Map(rows.map((r) => [r.id, r.failing]));
    return ids.map((id) => byId.get(id) ?? false);
  });
