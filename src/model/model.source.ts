/**
 * Any model — the live one, a recorded version, a draft — as its document and as the engine's ModelConfig.
 * Backtests, previews and cluster suggestions score "a model" through this one function.
 */
import { ConflictError, NotFoundError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { loadModelConfig, modelHash, type ModelConfig } from '../scoring/model-config';
import { ModelVersion } from '../scoring/model-version.entity';
import { documentToConfig } from './model.config';
import type { ModelDocument } from './model.document';
import { ModelDraft } from './model-draft.entity';
import { exportLiveModel } from './model.export';
import { assignIds, type IdMap } from './model.ids';

export type ModelSelector = { live: true } | { version: number } | { draftId: string };

export interface ResolvedModel {
  document: ModelDocument;
  config: ModelConfig;
  /** modelHash(config): what snapshots scored under this model record (model_versions.hash). */
  hash: string;
  /** The version number: of a version; for the live model the newest version with its hash (null if none recorded). */
  version: number | null;
  /** Entity path → id, as the config uses them. */
  ids: IdMap;
}

/** The model document (key-based, no DB ids), and the engine's ModelConfig for it, for any selector. */
export async function resolveModel(scope: TenantScope, selector: ModelSelector): Promise<ResolvedModel> {
  if ('live' in selector) {
    const { document, ids } = await exportLiveModel(scope);
    const config = await loadModelConfig(scope);
    const hash = modelHash(config);
    const [v] = await scope.query<{ number: number }>(
      `SELECT number FROM model_versions WHERE workspace_id = $1 AND hash = $2 ORDER BY number DESC LIMIT 1`, [hash]);
    return { document, config, hash, version: v?.number ?? null, ids };
  }
  if ('version' in selector) {
    const v = await findVersion(scope, selector.version);
    if (!v.document) {
      throw new ConflictError(`Version ${v.number} was recorded before model documents existed: it can be scored but not exported, edited or reverted to.`);
    }
    return { document: v.document as unknown as ModelDocument, config: v.config as unknown as ModelConfig, hash: v.hash, version: v.number, ids: v.ids ?? {} };
  }
  const draft = await findDraft(scope, selector.draftId);
  const document = draft.document as unknown as ModelDocument;
  const ids = await idsForDocument(scope, document, draft.ids);
  const config = documentToConfig(document, ids);
  return { document, config, hash: modelHash(config), version: null, ids };
}

/** Ids for a document about to be scored or published (see model.ids.ts). */
export async function idsForDocument(scope: TenantScope, document: ModelDocument, hints: IdMap = {}): Promise<IdMap> {
  const { ids: live } = await exportLiveModel(scope);
  return assignIds(scope.workspaceId, document, live, hints);
}

export async function findVersion(scope: TenantScope, number: number): Promise<ModelVersion> {
  const v = Number.isInteger(number) ? await scope.findOne(ModelVersion, { number }) : null;
  if (!v) throw new NotFoundError('Model version', String(number));
  return v;
}

export async function findDraft(scope: TenantScope, id: string): Promise<ModelDraft> {
  const d = isUuid(id) ? await scope.findOne(ModelDraft, { id }) : null;
  if (!d) throw new NotFoundError('Model draft', id);
  return d;
}
