/**
 * previewModel: "what would this draft do to my accounts". A scoring run of kind PREVIEW scores its scope in chunks,
 * each chunk twice at the run's asOf — under the live model and under the draft (clusters assigned by the draft's
 * rules) — and copies the results set-based from the engine's step tables into the preview tables, never into the
 * live snapshots. Reads: accounts before/after (paged, sorted by change, filtered), band transitions, mean change per
 * cluster and outcome, accounts that change cluster, biggest movers with the components that moved them.
 *
 * Cleanup rule: when a preview starts, the workspace's previews older than 7 days, and all but its 9 newest, are
 * deleted with their rows: at most 10 previews per workspace, none older than a week.
 */
import { InputError, NotFoundError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { scoreAccounts, type ScoringResult } from '../scoring/engine';
import type { ModelConfig } from '../scoring/model-config';
import type { ChunkScorers } from '../scoring/runs.engine';
import { ScoringRun, ScoringRunKind } from '../scoring/runs.entity';
import { createRun, enqueueRun, type ScopeInput } from '../scoring/runs.service';
import { ModelPreview } from './model-preview.entity';
import { findDraft, resolveModel } from './model.source';

export const PREVIEWS_KEPT = 10;
export const PREVIEW_MAX_AGE_DAYS = 7;

export async function previewModel(scope: TenantScope, draftId: string, input: { scope?: ScopeInput | null; asOf?: Date | null } = {}): Promise<ModelPreview> {
  const asOf = input.asOf ?? null;
  if (asOf && Number.isNaN(asOf.getTime())) throw new InputError('asOf', 'asOf must be a valid time.');
  const preview = await scope.transaction(async (tx) => {
    const draft = await findDraft(tx, draftId);
    const [live, proposed] = [await resolveModel(tx, { live: true }), await resolveModel(tx, { draftId })];
    await tx.query(
      `DELETE FROM model_previews WHERE workspace_id = $1 AND (created_at < now() - $2 * interval '1 day'
         OR id NOT IN (SELECT id FROM model_previews WHERE workspace_id = $1 ORDER BY created_at DESC, id LIMIT $3))`,
      [PREVIEW_MAX_AGE_DAYS, PREVIEWS_KEPT - 1]);
    const run = await createRun(tx, input.scope ?? {}, { kind: ScoringRunKind.PREVIEW, asOf: asOf ?? undefined });
    return await tx.save(tx.create(ModelPreview, {
      id: run.id, draftId: draft.id, draftName: draft.name, asOf: run.asOf,
      liveConfig: live.config as unknown as Record<string, unknown>, draftConfig: proposed.config as unknown as Record<string, unknown>,
      liveHash: live.hash, draftHash: proposed.hash, createdBy: tx.actor,
    }));
  });
  await enqueueRun(scope.db, { workspaceId: preview.workspaceId, id: preview.id });
  return preview;
}

/** One chunk of a preview run: both scorings and the copies, in the chunk's transaction. */
async function scorePreviewChunk(tx: TenantScope, run: ScoringRun, accountIds: string[]): Promise<ScoringResult> {
  const preview = await tx.findOne(ModelPreview, { id: run.id });
  if (!preview) throw new Error(`Preview ${run.id} is gone (cleaned up while it ran)`);
  const p = [preview.id];
  const before = await scoreAccounts(tx, {
    asOf: run.asOf, accountIds, persist: false, config: preview.liveConfig as unknown as ModelConfig,
    sink: async (t) => {
      await t.query(
        `INSERT INTO model_preview_accounts AS x (workspace_id, preview_id, account_id, before_cluster_id, before_score, before_band)
         SELECT $1::uuid, $2, acc.account_id, acc.cluster_id, ah.score, ah.band FROM _account_health ah JOIN _accounts acc ON acc.account_id = ah.account_id
         ON CONFLICT (workspace_id, preview_id, account_id) DO UPDATE SET before_cluster_id = EXCLUDED.before_cluster_id,
           before_score = EXCLUDED.before_score, before_band = EXCLUDED.before_band`, p);
      await t.query(
        `INSERT INTO model_preview_outcomes AS x (workspace_id, preview_id, account_id, outcome_id, before_score, before_band, before_contributions)
         SELECT $1::uuid, $2, oh.account_id, oh.outcome_id, oh.score, oh.band,
           (SELECT jsonb_object_agg(d ->> 'key', d -> 'contribution') FROM jsonb_array_elements(oh.drivers) d)
         FROM _outcome_health oh
         ON CONFLICT (workspace_id, preview_id, account_id, outcome_id) DO UPDATE SET before_score = EXCLUDED.before_score,
           before_band = EXCLUDED.before_band, before_contributions = EXCLUDED.before_contributions`, p);
    },
  });
  const after = await scoreAccounts(tx, {
    asOf: run.asOf, accountIds, persist: false, config: preview.draftConfig as unknown as ModelConfig, assignClusters: true,
    sink: async (t) => {
      await t.query(
        `UPDATE model_preview_accounts x SET after_cluster_id = acc.cluster_id, after_score = ah.score, after_band = ah.band,
           change = ah.score - x.before_score
         FROM _account_health ah JOIN _accounts acc ON acc.account_id = ah.account_id
         WHERE x.workspace_id = $1 AND x.preview_id = $2 AND x.account_id = ah.account_id`, p);
      // The components that moved an outcome score most: contribution after − before, by key, the three largest.
      await t.query(
        `INSERT INTO model_preview_outcomes AS x (workspace_id, preview_id, account_id, outcome_id, after_score, after_band, change, movers)
         SELECT $1::uuid, $2, oh.account_id, oh.outcome_id, oh.score, oh.band, oh.score - b.before_score, m.movers
         FROM _outcome_health oh
         LEFT JOIN model_preview_outcomes b ON b.workspace_id = $1 AND b.preview_id = $2 AND b.account_id = oh.account_id AND b.outcome_id = oh.outcome_id
         CROSS JOIN LATERAL (
           SELECT jsonb_agg(jsonb_build_object('key', k, 'before', bv, 'after', av, 'change', av - bv) ORDER BY rank) AS movers
           FROM (SELECT k, bv, av, row_number() OVER (ORDER BY abs(av - bv) DESC, k) AS rank
                 FROM (SELECT coalesce(a.k, c.k) AS k, coalesce(c.v, 0) AS bv, coalesce(a.v, 0) AS av
                       FROM (SELECT d ->> 'key' AS k, (d ->> 'contribution')::float8 AS v FROM jsonb_array_elements(oh.drivers) d) a
                       FULL JOIN (SELECT key AS k, value::float8 AS v FROM jsonb_each_text(b.before_contributions)) c ON c.k = a.k) u
                 WHERE av <> bv) r
           WHERE rank <= 3) m
         ON CONFLICT (workspace_id, preview_id, account_id, outcome_id) DO UPDATE SET after_score = EXCLUDED.after_score,
           after_band = EXCLUDED.after_band, change = EXCLUDED.change, movers = EXCLUDED.movers`, p);
    },
  });
  const timings: Record<string, number> = {};
  for (const [k, v] of Object.entries(before.timings)) timings[`live.${k}`] = v;
  for (const [k, v] of Object.entries(after.timings)) timings[`draft.${k}`] = v;
  return { ...after, timings };
}

/** What a chunk of a PREVIEW run does, for processRun (src/job-handlers.ts hands it to the scoring jobs). */
export const previewChunkScorers: ChunkScorers = { [ScoringRunKind.PREVIEW]: scorePreviewChunk };

export async function getPreview(scope: TenantScope, id: string): Promise<{ preview: ModelPreview; run: ScoringRun }> {
  const preview = isUuid(id) ? await scope.findOne(ModelPreview, { id }) : null;
  const run = preview ? await scope.findOne(ScoringRun, { id }) : null;
  if (!preview || !run) throw new NotFoundError('Model preview', id);
  return { preview, run };
}

export type PreviewOrder = 'CHANGE_ASC' | 'CHANGE_DESC' | 'ABS_CHANGE_DESC';
export interface PreviewAccountFilter { clusterId?: string | null; outcomeId?: string | null; bandBefore?: string | null; bandAfter?: string | null }
export interface PreviewAccountRow {
  accountId: string; externalId: string; name: string;
  beforeClusterId: string | null; afterClusterId: string | null;
  beforeScore: number | null; beforeBand: string | null; afterScore: number | null; afterBand: string | null; change: number | null;
}

const ORDER: Record<PreviewOrder, string> = {
  CHANGE_ASC: 'x.change ASC NULLS LAST, x.account_id',
  CHANGE_DESC: 'x.change DESC NULLS LAST, x.account_id',
  ABS_CHANGE_DESC: 'abs(x.change) DESC NULLS LAST, x.account_id',
};

/** A page of accounts (offset paging: a preview does not change once computed). */
export async function previewAccounts(scope: TenantScope, id: string, opts: { first: number; offset: number; orderBy: PreviewOrder; filter: PreviewAccountFilter }):
  Promise<{ rows: PreviewAccountRow[]; total: number }> {
  if (!Number.isInteger(opts.first) || opts.first < 1 || opts.first > 500) throw new InputError('first', 'first must be between 1 and 500.');
  const f = opts.filter;
  const where = `x.workspace_id = $1 AND x.preview_id = $2
    AND ($3::uuid IS NULL OR x.before_cluster_id = $3 OR x.after_cluster_id = $3)
    AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM model_preview_outcomes o WHERE o.workspace_id = $1 AND o.preview_id = $2 AND o.account_id = x.account_id AND o.outcome_id = $4))
    AND ($5::text IS NULL OR x.before_band = $5) AND ($6::text IS NULL OR x.after_band = $6)`;
  const params = [id, f.clusterId ?? null, f.outcomeId ?? null, f.bandBefore ?? null, f.bandAfter ?? null];
  const rows = await scope.query<PreviewAccountRow>(
    `SELECT x.account_id AS "accountId", a.external_id AS "externalId", a.name, x.before_cluster_id AS "beforeClusterId", x.after_cluster_id AS "afterClusterId",
       x.before_score AS "beforeScore", x.before_band AS "beforeBand", x.after_score AS "afterScore", x.after_band AS "afterBand", x.change
     FROM model_preview_accounts x JOIN accounts a ON a.workspace_id = $1 AND a.id = x.account_id
     WHERE ${where} ORDER BY ${ORDER[opts.orderBy]} LIMIT $7 OFFSET $8`, [...params, opts.first, opts.offset]);
  const [{ n }] = await scope.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_preview_accounts x WHERE ${where}`, params);
  return { rows, total: n };
}

export async function bandTransitions(scope: TenantScope, id: string): Promise<Array<{ from: string; to: string; accounts: number }>> {
  return await scope.query(
    `SELECT coalesce(before_band, 'UNKNOWN') AS "from", coalesce(after_band, 'UNKNOWN') AS "to", count(*)::int AS accounts
     FROM model_preview_accounts WHERE workspace_id = $1 AND preview_id = $2 GROUP BY 1, 2 ORDER BY 1, 2`, [id]);
}

/** Mean account score change per cluster (the cluster under the draft). */
export async function changeByCluster(scope: TenantScope, id: string): Promise<Array<{ clusterId: string; accounts: number; meanChange: number | null }>> {
  return await scope.query(
    `SELECT after_cluster_id AS "clusterId", count(*)::int AS accounts, avg(change) AS "meanChange"
     FROM model_preview_accounts WHERE workspace_id = $1 AND preview_id = $2 AND after_cluster_id IS NOT NULL GROUP BY 1 ORDER BY 3 NULLS LAST, 1`, [id]);
}

export async function changeByOutcome(scope: TenantScope, id: string): Promise<Array<{ outcomeId: string; accounts: number; meanChange: number | null }>> {
  return await scope.query(
    `SELECT outcome_id AS "outcomeId", count(*)::int AS accounts, avg(change) AS "meanChange"
     FROM model_preview_outcomes WHERE workspace_id = $1 AND preview_id = $2 GROUP BY 1 ORDER BY 3 NULLS LAST, 1`, [id]);
}

export async function clusterChanges(scope: TenantScope, id: string, first: number): Promise<{ rows: PreviewAccountRow[]; total: number }> {
  if (!Number.isInteger(first) || first < 1 || first > 500) throw new InputError('first', 'first must be between 1 and 500.');
  const where = `x.workspace_id = $1 AND x.preview_id = $2 AND x.before_cluster_id IS DISTINCT FROM x.after_cluster_id`;
  const rows = await scope.query<PreviewAccountRow>(
    `SELECT x.account_id AS "accountId", a.external_id AS "externalId", a.name, x.before_cluster_id AS "beforeClusterId", x.after_cluster_id AS "afterClusterId",
       x.before_score AS "beforeScore", x.before_band AS "beforeBand", x.after_score AS "afterScore", x.after_band AS "afterBand", x.change
     FROM model_preview_accounts x JOIN accounts a ON a.workspace_id = $1 AND a.id = x.account_id
     WHERE ${where} ORDER BY a.external_id LIMIT $3`, [id, first]);
  const [{ n }] = await scope.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_preview_accounts x WHERE ${where}`, [id]);
  return { rows, total: n };
}

export interface MoverRow {
  accountId: string; externalId: string; name: string; outcomeId: string;
  beforeScore: number | null; afterScore: number | null; change: number; beforeBand: string | null; afterBand: string | null;
  movers: Array<{ key: string; before: number; after: number; change: number }>;
}

/** The account × outcome scores that move most (either way), with the components that moved them. */
export async function biggestMovers(scope: TenantScope, id: string, first: number): Promise<MoverRow[]> {
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new InputError('first', 'first must be between 1 and 100.');
  return await scope.query<MoverRow>(
    `SELECT o.account_id AS "accountId", a.external_id AS "externalId", a.name, o.outcome_id AS "outcomeId",
       o.before_score AS "beforeScore", o.after_score AS "afterScore", o.change, o.before_band AS "beforeBand", o.after_band AS "afterBand",
       coalesce(o.movers, '[]'::jsonb) AS movers
     FROM model_preview_outcomes o JOIN accounts a ON a.workspace_id = $1 AND a.id = o.account_id
     WHERE o.workspace_id = $1 AND o.preview_id = $2 AND o.change IS NOT NULL AND o.change <> 0
     ORDER BY abs(o.change) DESC, o.account_id, o.outcome_id LIMIT $3`, [id, first]);
}
