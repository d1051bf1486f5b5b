/**
 * Persona clusters: membership rules over account attributes, tried in ascending priority (first
 * match wins), plus exactly one default cluster per workspace (created with the workspace, no rule).
 * Every change that can move accounts (create, delete, rule or priority change) re-assigns all the
 * workspace's accounts in the same transaction, so the stored cluster of an account is always current.
 */
import { validateRule } from '../rules/rule.sql';
import type { RuleJson } from '../rules/rule.types';
import { ConflictError, InputError, NotFoundError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { requestRescore } from '../jobs/rescore-requests';
import { modelChanged } from '../shared/model-change';
import { assignClusters, clustersInOrder, lockClusterConfig } from './cluster.assign';
import { Cluster } from './cluster.entity';
import { clusterById } from './cluster.loaders';
import type { CreateClusterInput, UpdateClusterInput } from './cluster.inputs';

/** What a cluster change did: the cluster, and the accounts that moved (e.g. to rescore them). */
export interface ClusterChange<T = Cluster> {
  cluster: T;
  reassignedAccountIds: string[];
}

export async function listClusters(scope: TenantScope): Promise<Cluster[]> {
  return await clustersInOrder(scope);
}

/**
 * Read path: through the request's loader, so a screen's `cluster(id)`, the accounts filtered on it and
 * each account's `cluster` cost one statement together. (Mutations read with `mustFind` in their transaction.)
 */
export async function getCluster(scope: TenantScope, id: string): Promise<Cluster> {
  const cluster = isUuid(id) ? await scope.loader(clusterById).load(id) : null;
  if (!cluster) throw new NotFoundError('Cluster', id);
  return cluster;
}

export async function createCluster(scope: TenantScope, input: CreateClusterInput): Promise<ClusterChange> {
  const rule = validateRule(input.rule, 'input.rule');
  const name = cleanName(input.name, 'input.name');
  return await scope.transaction(async (tx) => {
    await lockClusterConfig(tx, 'exclusive');
    await assertUnique(tx, { name, priority: input.priority });
    const cluster = await tx.save(tx.create(Cluster, {
      name, description: input.description?.trim() || null, priority: input.priority, rule, isDefault: false,
    }));
    // The key is a slug of the name, unique in the workspace, filled in by the database (migration ModelVersions).
    [{ key: cluster.key }] = await tx.query<{ key: string }>('SELECT key FROM clusters WHERE workspace_id = $1 AND id = $2', [cluster.id]);
    const reassignedAccountIds = await reassign(tx);
    await modelChanged(tx);
    return { cluster, reassignedAccountIds };
  });
}

export async function updateCluster(scope: TenantScope, id: string, input: UpdateClusterInput): Promise<ClusterChange> {
  return await scope.transaction(async (tx) => {
    await lockClusterConfig(tx, 'exclusive');
    const cluster = await tx.mustFind(Cluster, id, 'Cluster');
    let moves = false;
    if (input.rule !== undefined) {
      if (cluster.isDefault) {
        throw new InputError('input.rule', 'The default cluster has no rule: it catches every account that no other cluster matches.');
      }
      if (input.rule === null) throw new InputError('input.rule', 'Only the default cluster may be without a rule.');
      const rule: RuleJson = validateRule(input.rule, 'input.rule');
      moves ||= JSON.stringify(rule) !== JSON.stringify(cluster.rule);
      cluster.rule = rule;
    }
    if (input.priority !== undefined && input.priority !== null && input.priority !== cluster.priority) {
      if (cluster.isDefault) throw new InputError('input.priority', 'The default cluster is always tried last; its priority cannot change.');
      moves = true;
      cluster.priority = input.priority;
    }
    if (input.name !== undefined && input.name !== null) cluster.name = cleanName(input.name, 'input.name');
    if (input.description !== undefined) cluster.description = input.description?.trim() || null;
    await assertUnique(tx, { name: cluster.name, priority: cluster.isDefault ? undefined : cluster.priority, exceptId: cluster.id });
    const saved = await tx.save(cluster);
    const reassignedAccountIds = moves ? await reassign(tx) : [];
    await modelChanged(tx);
    return { cluster: saved, reassignedAccountIds };
  });
}

/**
 * Delete a cluster; its accounts move to the cluster that matches them next. Its outcomes (with
 * their journeys, coins and history) would go with it, so that needs `deleteOutcomes: true`.
 */
export async function deleteCluster(scope: TenantScope, id: string, deleteOutcomes = false): Promise<ClusterChange<string>> {
  return await scope.transaction(async (tx) => {
    await lockClusterConfig(tx, 'exclusive');
    const cluster = await tx.mustFind(Cluster, id, 'Cluster');
    if (cluster.isDefault) throw new InputError('id', 'The default cluster cannot be deleted: every account must have a cluster.');
    // By SQL: clusters/ sits below outcomes/ (an outcome names its cluster), so it does not import them.
    const [{ outcomes }] = await tx.query<{ outcomes: number }>('SELECT count(*)::int AS outcomes FROM outcomes WHERE workspace_id = $1 AND cluster_id = $2', [id]);
    if (outcomes > 0 && !deleteOutcomes) {
      throw new ConflictError(
        `This cluster still has ${outcomes} desired outcome(s); deleting it deletes them with their journeys, coins and history. ` +
          'Pass deleteOutcomes: true to confirm, or move the accounts first by changing the rules.',
        { field: 'deleteOutcomes' },
      );
    }
    // Accounts first (the FK is RESTRICT): assign as if the cluster were gone, then delete it.
    const reassignedAccountIds = await reassign(tx, id);
    await tx.delete(Cluster, { id });
    await modelChanged(tx);
    return { cluster: id, reassignedAccountIds };
  });
}

/** Re-assign every account; the ones that changed cluster now have other outcomes: rescore them. */
async function reassign(tx: TenantScope, excludeClusterId?: string): Promise<string[]> {
  const moved = await assignClusters(tx, null, { excludeClusterId });
  if (moved.length) await requestRescore(tx, moved);
  return moved;
}

function cleanName(name: string, field: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new InputError(field, 'A name must not be blank.');
  return trimmed;
}

/** Names are unique case-insensitively ("Enterprise" vs "enterprise" would confuse people); priorities are unique so the order is unambiguous. */
async function assertUnique(scope: TenantScope, c: { name: string; priority?: number; exceptId?: string }): Promise<void> {
  const rows = await scope.query<{ id: string; same_name: boolean; same_priority: boolean }>(
    `SELECT id, lower(name) = lower($2) AS same_name, priority = $3 AS same_priority
       FROM clusters
      WHERE workspace_id = $1 AND id IS DISTINCT FROM $4::uuid AND (lower(name) = lower($2) OR priority = $3)`,
    [c.name, c.priority ?? null, c.exceptId ?? null],
  );
  const byName = rows.find((r) => r.same_name);
  if (byName) throw new ConflictError('Another cluster of this workspace already has this name.', { field: 'input.name', existingId: byName.id });
  const byPriority = rows.find((r) => r.same_priority);
  if (byPriority) {
    throw new ConflictError(
      'Another cluster already has this priority; priorities must differ so that "first match wins" is unambiguous.',
      { field: 'input.priority', existingId: byPriority.id },
    );
  }
}
