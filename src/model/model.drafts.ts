/**
 * Drafts: proposed models, edited as whole documents apart from the live model, then published (one transaction:
 * the document becomes the live model, a version is recorded, a full rescore starts) — and reverts, which publish
 * an earlier version's document. Drafts change nothing live; only publish and revert do.
 */
import { lockClusterConfig } from '../clusters/cluster.assign';
import { ConflictError, InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { modelHash } from '../scoring/model-config';
import { createRun, enqueueRun } from '../scoring/runs.service';
import type { ScoringRun } from '../scoring/runs.entity';
import type { ModelVersion } from '../scoring/model-version.entity';
import { applyDocument } from './model.apply';
import { documentToConfig } from './model.config';
import { diffDocuments, type ModelChange } from './model.diff';
import { documentHash, type ModelDocument } from './model.document';
import { ModelDraft } from './model-draft.entity';
import type { IdMap } from './model.ids';
import { findDraft, findVersion, idsForDocument, resolveModel } from './model.source';
import { parseDocument } from './model.validate';
import { documentOf, liveVersionNumber, recordLiveVersion } from './model.versions';

/** HubSpot keeps 5 drafts per score; ours are cheap, but a workspace with hundreds is a sign of lost work. */
export const MAX_DRAFTS = 50;

/**
 * A draft from the live model, from a version (`fromVersion`), or from a whole document (`document`: a model file
 * kept in version control, suggested weights, adopted cluster suggestions), validated with every problem reported.
 */
export async function createDraft(scope: TenantScope, input: { name: string; fromVersion?: number | null; document?: unknown }): Promise<ModelDraft> {
  const name = input.name.trim();
  if (!name) throw new InputError('input.name', 'A draft needs a name (e.g. "More weight on logins").');
  if (input.document !== undefined && input.document !== null && input.fromVersion !== undefined && input.fromVersion !== null) {
    throw new InputError('input.document', 'Give a document or fromVersion, not both.');
  }
  const given = input.document !== undefined && input.document !== null ? await parseDocument(input.document, 'input.document') : null;
  return await scope.transaction(async (tx) => {
    const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_drafts WHERE workspace_id = $1`);
    if (n >= MAX_DRAFTS) throw new ConflictError(`This workspace has ${n} drafts already (at most ${MAX_DRAFTS}): publish or delete some first.`);
    const from = input.fromVersion !== undefined && input.fromVersion !== null
      ? await resolveModel(tx, { version: input.fromVersion }) : await resolveModel(tx, { live: true });
    const document = given ?? from.document;
    return await tx.save(tx.create(ModelDraft, {
      name, document: document as unknown as Record<string, unknown>, documentHash: documentHash(document), ids: from.ids,
      baseVersion: from.version ?? (await liveVersionNumber(tx)), createdBy: tx.actor,
    }));
  });
}

/** Replace a draft's document; every problem of an invalid one is reported at once and the draft stays as it was. */
export async function replaceDraftDocument(scope: TenantScope, id: string, raw: unknown, name?: string | null): Promise<ModelDraft> {
  await findDraft(scope, id); // NOT_FOUND before any complaint about the document
  const document = await parseDocument(raw, 'document');
  return await scope.transaction(async (tx) => {
    const draft = await findDraft(tx, id);
    draft.document = document as unknown as Record<string, unknown>;
    draft.documentHash = documentHash(document);
    if (name !== undefined && name !== null && name.trim()) draft.name = name.trim();
    return await tx.save(draft);
  });
}

/** What publishing the draft would change in the live model. */
export async function draftChanges(scope: TenantScope, id: string): Promise<ModelChange[]> {
  const draft = await findDraft(scope, id);
  const live = await resolveModel(scope, { live: true });
  return diffDocuments(live.document, draft.document as unknown as ModelDocument);
}

export async function listDrafts(scope: TenantScope): Promise<ModelDraft[]> {
  return await scope.find(ModelDraft, { order: { createdAt: 'DESC', id: 'ASC' } });
}

export async function deleteDraft(scope: TenantScope, id: string): Promise<boolean> {
  await findDraft(scope, id);
  return (await scope.delete(ModelDraft, { id })) > 0;
}

export interface Published { version: ModelVersion; run: ScoringRun }

/**
 * Publish a draft. `expectedLiveVersion` is the live version the caller's draft was based on: when the live model
 * has moved since, CONFLICT and nothing changes (look at the diff, rebase the draft, publish again).
 */
export async function publishDraft(scope: TenantScope, id: string, expectedLiveVersion: number, message?: string | null): Promise<Published> {
  const published = await scope.transaction(async (tx) => {
    const draft = await findDraft(tx, id);
    const document = await parseDocument(draft.document, 'document'); // stored valid; rules may have tightened since
    const out = await makeLive(tx, document, draft.ids, expectedLiveVersion, message ?? `published draft "${draft.name}"`);
    await tx.delete(ModelDraft, { id });
    return out;
  });
  await enqueueRun(scope.db, published.run);
  return published;
}

/** Make an earlier version live again, as a new version (same document, same hash: the same ids come back). */
export async function revertModel(scope: TenantScope, toVersion: number, message?: string | null, expectedLiveVersion?: number | null): Promise<Published> {
  const published = await scope.transaction(async (tx) => {
    const v = await findVersion(tx, toVersion);
    const document = documentOf(v);
    return await makeLive(tx, document, v.ids ?? {}, expectedLiveVersion ?? null, message ?? `reverted to version ${toVersion}`);
  });
  await enqueueRun(scope.db, published.run);
  return published;
}

async function makeLive(tx: TenantScope, document: ModelDocument, hints: IdMap, expectedLiveVersion: number | null, message: string): Promise<Published> {
  // The cluster configuration lock first, as the cluster mutations take it before recording their version (same order:
  // no deadlock); then the lock the version numbering takes: a concurrent change waits here, then sees the moved version.
  await lockClusterConfig(tx, 'exclusive');
  // The outcomes too, as defineJourney/defineCoin lock theirs before recording a version: locks always in the order
  // clusters → outcomes → version numbering, so a concurrent mutation waits instead of deadlocking.
  await tx.query(`SELECT id FROM outcomes WHERE workspace_id = $1 ORDER BY id FOR NO KEY UPDATE`);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('model_versions:' || $1::uuid::text, 0))`);
  const live = await liveVersionNumber(tx);
  if (expectedLiveVersion !== null && live !== expectedLiveVersion) {
    throw new ConflictError(
      `The live model is at version ${live ?? 'none'}, not ${expectedLiveVersion}: it changed since this draft was taken. ` +
        `Compare with modelDiff(from: ${expectedLiveVersion}, to: ${live}), bring the draft up to date, and publish with expectedLiveVersion: ${live}.`,
      { field: 'expectedLiveVersion', liveVersion: live });
  }
  const ids = await idsForDocument(tx, document, hints);
  const config = documentToConfig(document, ids);
  await applyDocument(tx, document, ids, config);
  const version = await recordLiveVersion(tx, message, true);
  if (version.hash !== modelHash(config)) {
    throw new Error(`publish: the live model's hash ${version.hash} is not the document's ${modelHash(config)}`); // rolls back
  }
  const run = await createRun(tx, {}, {});
  return { version, run };
}
