/** Per-request loaders (use through `scope.loader(...)`): one query per batch of parents, never one per parent. */
import DataLoader from 'dataloader';
import type { TenantScope } from '../shared/tenant';
import { Cluster } from './cluster.entity';

export const clusterById = (scope: TenantScope) =>
  new DataLoader<string, Cluster | null>(async (ids) => {
    const rows = await scope.findByIds(Cluster, ids);
    const byId = new Map(rows.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? null);
  });

export const accountCountByCluster = (scope: TenantScope) =>
  new DataLoader<string, number>(async (ids) => {
    const rows = await scope.query<{ cluster_id: string; n: number }>(
      `SELECT cluster_id, count(*)::int AS n FROM accounts WHERE workspace_id = $1 AND cluster_id = ANY($2::uuid[]) GROUP BY cluster_id`,
      [[...ids]],
    );
    const byId = new Map(rows.map((r) => [r.cluster_id, r.n]));
    return ids.map((id) => byId.get(id) ?? 0);
  });
