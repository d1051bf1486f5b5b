/**
 * Desired outcomes: what the accounts of one cluster bought the product for. Each is scored on its
 * own; the account health is their weighted mean. Deleting an outcome deletes its journey and coin.
 */
import { Cluster } from '../clusters/cluster.entity';
import { ConflictError, InputError } from '../shared/errors';
import { modelChanged } from '../shared/model-change';
import type { TenantScope } from '../shared/tenant';
import { Outcome } from './outcome.entity';
import type { CreateOutcomeInput, UpdateOutcomeInput } from './outcome.inputs';

export async function listOutcomes(scope: TenantScope, clusterId?: string | null): Promise<Outcome[]> {
  if (clusterId) await scope.mustFind(Cluster, clusterId, 'Cluster');
  return await scope.find(Outcome, { where: clusterId ? { clusterId } : {}, order: { createdAt: 'ASC', id: 'ASC' } });
}

export async function getOutcome(scope: TenantScope, id: string): Promise<Outcome> {
  return await scope.mustFind(Outcome, id, 'Outcome');
}

export async function createOutcome(scope: TenantScope, input: CreateOutcomeInput): Promise<Outcome> {
  const name = cleanName(input.name);
  return await scope.transaction(async (tx) => {
    await tx.mustFind(Cluster, input.clusterId, 'Cluster');
    await assertNameFree(tx, input.clusterId, name);
    const outcome = await tx.save(tx.create(Outcome, {
      clusterId: input.clusterId, name, description: input.description?.trim() || null,
      weight: input.weight ?? 1, active: input.active ?? true,
    }));
    // The key is a slug of the name, unique in the workspace, filled in by the database (migration ModelVersions).
    [{ key: outcome.key }] = await tx.query<{ key: string }>('SELECT key FROM outcomes WHERE workspace_id = $1 AND id = $2', [outcome.id]);
    await modelChanged(tx);
    return outcome;
  });
}

export async function updateOutcome(scope: TenantScope, id: string, input: UpdateOutcomeInput): Promise<Outcome> {
  return await scope.transaction(async (tx) => {
    const outcome = await tx.mustFind(Outcome, id, 'Outcome');
    if (input.name !== undefined && input.name !== null) {
      outcome.name = cleanName(input.name);
      await assertNameFree(tx, outcome.clusterId, outcome.name, outcome.id);
    }
    if (input.description !== undefined) outcome.description = input.description?.trim() || null;
    if (input.weight !== undefined && input.weight !== null) outcome.weight = input.weight;
    if (input.active !== undefined && input.active !== null) outcome.active = input.active;
    const saved = await tx.save(outcome);
    await modelChanged(tx);
    return saved;
  });
}

export async function deleteOutcome(scope: TenantScope, id: string): Promise<boolean> {
  return await scope.transaction(async (tx) => {
    await tx.mustFind(Outcome, id, 'Outcome');
    await tx.delete(Outcome, { id });
    await modelChanged(tx);
    return true;
  });
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new InputError('input.name', 'A name must not be blank.');
  return trimmed;
}

async function assertNameFree(scope: TenantScope, clusterId: string, name: string, exceptId?: string): Promise<void> {
  const rows = await scope.query<{ id: string }>(
    `SELECT id FROM outcomes WHERE workspace_id = $1 AND cluster_id = $2 AND lower(name) = lower($3) AND id IS DISTINCT FROM $4::uuid`,
    [clusterId, name, exceptId ?? null],
  );
  if (rows.length) {
    throw new ConflictError('This cluster already has a desired outcome with this name.', { field: 'input.name', existingId: rows[0].id });
  }
}
