/**
 * Model versions: every change of the live model records one (number, document, hash, who, when, why), through
 * shared/model-change.ts from the configuration mutations and directly from publish and revert.
 */
import { ConflictError, InputError } from '../shared/errors';
import { onModelChanged } from '../shared/model-change';
import type { TenantScope } from '../shared/tenant';
import { modelHash } from '../scoring/model-config';
import { ModelVersion } from '../scoring/model-version.entity';
import { diffDocuments, type ModelChange } from './model.diff';
import { documentHash, type ModelDocument } from './model.document';
import { exportLiveModel } from './model.export';
import { loadModelConfig } from '../scoring/model-config';
import { findVersion } from './model.source';

/**
 * Record the live model as a new version, unless it is the newest version already (same document): a mutation
 * that changed nothing records nothing. `force` records even then (a revert to the live version is still an event).
 */
export async function recordLiveVersion(tx: TenantScope, message: string | null = null, force = false): Promise<ModelVersion> {
  const { document, ids } = await exportLiveModel(tx);
  const config = await loadModelConfig(tx);
  const hash = modelHash(config);
  const docHash = documentHash(document);
  // The numbering trigger takes this lock too: taken first, the newest version cannot change under this check.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('model_versions:' || $1::uuid::text, 0))`);
  const [newest] = await tx.find(ModelVersion, { order: { number: 'DESC' }, take: 1 });
  if (!force && newest && newest.documentHash === docHash && newest.hash === hash) return newest;
  const [actor] = tx.actor
    ? await tx.query<{ name: string; role: string }>(`SELECT name, role FROM api_keys WHERE workspace_id = $1 AND id = $2`, [tx.actor])
    : [];
  const saved = await tx.save(tx.create(ModelVersion, {
    hash, config: config as unknown as Record<string, unknown>, document: document as unknown as Record<string, unknown>, documentHash: docHash, ids,
    actorKeyId: tx.actor, actorName: actor?.name ?? null, actorRole: actor?.role ?? (tx.role === 'SYSTEM' ? 'SYSTEM' : tx.role), message,
  }));
  return (await tx.findOne(ModelVersion, { id: saved.id }))!; // with the number the database gave it
}

onModelChanged((tx) => recordLiveVersion(tx));

export interface VersionPage { versions: ModelVersion[]; hasNextPage: boolean; totalCount: number }

/** Newest first; `before`: only versions with a smaller number (the previous page's last one). */
export async function listVersions(scope: TenantScope, first = 20, before?: number | null): Promise<VersionPage> {
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new InputError('first', 'first must be between 1 and 100.');
  const rows = await scope.query<{ id: string }>(
    `SELECT id FROM model_versions WHERE workspace_id = $1 AND ($2::int IS NULL OR number < $2) ORDER BY number DESC LIMIT $3`,
    [before ?? null, first + 1]);
  const [{ n }] = await scope.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_versions WHERE workspace_id = $1`);
  const found = await scope.findByIds(ModelVersion, rows.slice(0, first).map((r) => r.id));
  found.sort((a, b) => b.number - a.number);
  return { versions: found, hasNextPage: rows.length > first, totalCount: n };
}

export async function liveVersionNumber(scope: TenantScope): Promise<number | null> {
  const [row] = await scope.query<{ number: number }>(`SELECT max(number) AS number FROM model_versions WHERE workspace_id = $1`);
  return row?.number ?? null;
}

function documentOf(v: ModelVersion): ModelDocument {
  if (!v.document) {
    throw new ConflictError(`Version ${v.number} was recorded before model documents existed: it has no document to compare, edit or revert to.`);
  }
  return v.document as unknown as ModelDocument;
}

/** The changes from version `from` to version `to` (either order). */
export async function diffVersions(scope: TenantScope, from: number, to: number): Promise<ModelChange[]> {
  const [a, b] = [await findVersion(scope, from), await findVersion(scope, to)];
  return diffDocuments(documentOf(a), documentOf(b));
}

export { documentOf };
