/**
 * Cluster assignment, set-based: the clusters' rules are compiled (in priority order, first match
 * wins) into one SQL `CASE` expression, evaluated inside PostgreSQL for many accounts at once.
 */
import { ruleToSql } from '../rules/rule.sql';
import type { TenantScope } from '../shared/tenant';
import { Cluster } from './cluster.entity';

/**
 * Serialises changes of the cluster configuration of one workspace (exclusive) against account
 * upserts and re-assignments (shared), so an account never lands by a rule set that is being replaced.
 * Must run inside a transaction: the lock is released at commit.
 */
export async function lockClusterConfig(scope: TenantScope, mode: 'shared' | 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await scope.query(`SELECT ${fn}(hashtextextended('clusters:' || $1::uuid::text, 0))`);
}

/** The clusters in the order they are tried; the default one last. */
export async function clustersInOrder(scope: TenantScope): Promise<Cluster[]> {
  const clusters = await scope.find(Cluster, { order: { priority: 'ASC', createdAt: 'ASC', id: 'ASC' } });
  return [...clusters.filter((c) => !c.isDefault), ...clusters.filter((c) => c.isDefault)];
}

/**
 * `CASE WHEN <rule of 1st cluster> THEN <its id> … ELSE <default id> END` over `${alias}.attributes`.
 * Values are appended to `params` (numbered after `offset`, as ruleToSql does).
 */
export function clusterCaseSql(clusters: Array<Pick<Cluster, 'id' | 'isDefault' | 'rule'>>, alias: string, params: unknown[], offset: number, excludeId?: string): string {
  const fallback = clusters.find((c) => c.isDefault);
  if (!fallback) throw new Error('Workspace has no default cluster');
  const id = (v: string) => {
    params.push(v);
    return `$${params.length + offset}::uuid`;
  };
  const branches = clusters
    .filter((c) => !c.isDefault && c.rule && c.id !== excludeId)
    .map((c) => {
      const when = ruleToSql(c.rule!, alias, params, offset);
      return `WHEN ${when} THEN ${id(c.id)}`;
    });
  const other = id(fallback.id);
  return branches.length ? `(CASE ${branches.join(' ')} ELSE ${other} END)` : other;
}

/**
 * Re-evaluate the cluster of the given accounts (all of the workspace when `accountIds` is omitted)
 * in one UPDATE. Returns the ids of the accounts whose cluster changed (e.g. to rescore them).
 * `excludeClusterId` assigns as if that cluster were gone (used just before deleting it).
 */
export async function assignClusters(
  scope: TenantScope,
  accountIds?: string[] | null,
  opts: { excludeClusterId?: string } = {},
): Promise<string[]> {
  if (accountIds && accountIds.length === 0) return [];
  return await scope.transaction(async (tx) => {
    await lockClusterConfig(tx, 'shared');
    const clusters = await clustersInOrder(tx);
    const params: unknown[] = [];
    const onlyIds = accountIds ? `AND a.id = ANY($${params.push(accountIds) + 1}::uuid[])` : '';
    const caseSql = clusterCaseSql(clusters, 'a', params, 1, opts.excludeClusterId);
    const rows = await tx.query<{ id: string }>(
      `WITH target AS (
         SELECT a.id, ${caseSql} AS cluster_id FROM accounts a WHERE a.workspace_id = $1 ${onlyIds}
       ), changed AS (
         UPDATE accounts acc SET cluster_id = target.cluster_id
           FROM target
          WHERE acc.workspace_id = $1 AND acc.id = target.id AND acc.cluster_id IS DISTINCT FROM target.cluster_id
         RETURNING acc.id
       )
       SELECT id FROM changed`, // a top-level SELECT: TypeORM returns [rows, count] for a bare UPDATE
      params,
    );
    return rows.map((r) => r.id);
  });
}
