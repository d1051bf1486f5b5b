import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { TenantScope } from '../shared/tenant';
import { Outcome } from './outcome.entity';

/** The outcomes of each cluster (active and inactive), oldest first. */
export const outcomesByCluster = (scope: TenantScope) =>
  new DataLoader<string, Outcome[]>(async (clusterIds) => {
    const rows = await scope.find(Outcome, { where: { clusterId: In([...clusterIds]) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const byCluster = new Map<string, Outcome[]>();
    for (const o of rows) byCluster.set(o.clusterId, [...(byCluster.get(o.clusterId) ?? []), o]);
    return clusterIds.map((id) => byCluster.get(id) ?? []);
  });
