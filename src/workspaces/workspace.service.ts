import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { hashApiKey, newApiKey, Role } from '../shared/auth';
import type { Caller } from '../shared/context';
import { InputError } from '../shared/errors';
import { modelChanged } from '../shared/model-change';
import type { TenantScope } from '../shared/tenant';
import { Cluster } from '../clusters/cluster.entity';
import { findCaller, forgetApiKey } from './api-key.cache';
import { ApiKey } from './api-key.entity';
import { Workspace } from './workspace.entity';
import { ownerTransaction } from '../shared/db/owner';

export const DEFAULT_CLUSTER_PRIORITY = 1_000_000;

/** Create a workspace with its default cluster and a first ADMIN key (CLI and seeds; no caller yet). */
export async function createWorkspace(db: DataSource, name: string): Promise<{ workspace: Workspace; adminKey: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new InputError('name', 'A workspace name must be 1-200 characters.');
  const run = async (em: EntityManager) => {
    const workspace = await em.save(em.create(Workspace, { name: trimmed }));
    await em.save(em.create(Cluster, {
      workspaceId: workspace.id, name: 'Everyone else', description: 'Default cluster: accounts no other cluster matches.',
      priority: DEFAULT_CLUSTER_PRIORITY, rule: null, isDefault: true,
    }));
    const { key, prefix, hash } = newApiKey();
    await em.save(em.create(ApiKey, { workspaceId: workspace.id, name: 'First admin key', role: Role.ADMIN, prefix, keyHash: hash }));
    return { workspace, adminKey: key };
  };
  return await ownerTransaction(db, run); // no workspace yet: the owner path
}

/** Resolve a bearer key to its caller, from the database (seeds, CLIs); the server goes through its ApiKeyCache. */
export async function authenticate(db: DataSource, key: string): Promise<Caller | undefined> {
  return await findCaller(db, hashApiKey(key));
}

export async function getWorkspace(scope: TenantScope): Promise<Workspace> {
  return await scope.withManager((em) => em.findOneOrFail(Workspace, { where: { id: scope.workspaceId } }));
}

export async function setBandThresholds(scope: TenantScope, redBelow: number, yellowBelow: number): Promise<Workspace> {
  if (!(redBelow < yellowBelow)) throw new InputError('thresholds.yellowBelow', 'yellowBelow must be greater than redBelow.');
  return await scope.transaction(async (tx) => {
    await tx.manager.update(Workspace, { id: tx.workspaceId }, { redBelow, yellowBelow });
    await modelChanged(tx);
    return await getWorkspace(tx);
  });
}

export async function createApiKey(scope: TenantScope, name: string, role: Role): Promise<{ apiKey: ApiKey; key: string }> {
  const { key, prefix, hash } = newApiKey();
  const apiKey = await scope.save(scope.create(ApiKey, { name: name.trim(), role, prefix, keyHash: hash }));
  return { apiKey, key };
}

export async function listApiKeys(scope: TenantScope, includeRevoked: boolean): Promise<ApiKey[]> {
  return await scope.find(ApiKey, { where: includeRevoked ? {} : { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
}

export async function revokeApiKey(scope: TenantScope, id: string): Promise<ApiKey> {
  const key = await scope.mustFind(ApiKey, id, 'API key');
  if (id === scope.actor) throw new InputError('id', 'You cannot revoke the key you are using; use another ADMIN key.');
  if (!key.revokedAt) {
    key.revokedAt = new Date();
    await scope.save(key);
    // Committed (not in a transaction): refused by this instance from now on; other instances drop it on the NOTIFY.
    if (!scope.inTransaction) forgetApiKey(scope.db, id);
  }
  return key;
}
