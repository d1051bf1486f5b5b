/**
 * Make a document the live model, in the caller's transaction: upsert every entity by its id (model.ids.ts: the
 * live rows keep theirs), re-assign every account by the new cluster rules, and delete what the document no longer
 * has. Set-based: one statement per table (the configuration is small; accounts move in one UPDATE).
 * Order matters for the foreign keys: clusters before the outcomes that move into them, stages before the
 * milestones that move into them, and deletions last (a milestone that moves out of a removed stage survives).
 */
import { clusterCaseSql, lockClusterConfig } from '../clusters/cluster.assign';
import type { ModelConfig } from '../scoring/model-config';
import type { TenantScope } from '../shared/tenant';
import { Workspace } from '../workspaces/workspace.entity';
import { DEFAULT_CLUSTER_PRIORITY } from '../workspaces/workspace.service';
import type { ModelDocument } from './model.document';
import { exportLiveModel } from './model.export';
import type { IdMap } from './model.ids';

/** Returns the ids of the accounts whose cluster changed. */
export async function applyDocument(tx: TenantScope, doc: ModelDocument, ids: IdMap, config: ModelConfig): Promise<string[]> {
  await lockClusterConfig(tx, 'exclusive');
  await tx.manager.update(Workspace, { id: tx.workspaceId }, { redBelow: doc.thresholds.redBelow, yellowBelow: doc.thresholds.yellowBelow });
  const { ids: live } = await exportLiveModel(tx);
  const keep = new Set(Object.values(ids));
  const gone = (prefix: string) => Object.entries(live).filter(([p, id]) => p.startsWith(prefix) && !keep.has(id)).map(([, id]) => id);
  const json = (rows: unknown[]) => JSON.stringify(rows);

  // Names (unique per workspace or cluster) and start days (unique per journey) may swap: park the old ones first.
  await tx.query(`UPDATE clusters SET name = '~' || id::text WHERE workspace_id = $1`);
  await tx.query(`UPDATE outcomes SET name = '~' || id::text WHERE workspace_id = $1`);
  await tx.query(`UPDATE journey_stages SET start_day = -1 - start_day WHERE workspace_id = $1 AND start_day >= 0`);

  const defaultCluster = doc.clusters.find((c) => c.isDefault)!;
  await tx.query(`UPDATE clusters SET is_default = false WHERE workspace_id = $1 AND is_default AND id <> $2`, [ids[`cluster:${defaultCluster.key}`]]);
  await tx.query(
    `INSERT INTO clusters AS t (workspace_id, id, key, name, description, priority, rule, is_default)
     SELECT $1::uuid, x.id, x.key, x.name, x.description, x.priority, x.rule, x.is_default
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, key text, name text, description text, priority int, rule jsonb, is_default boolean)
     ON CONFLICT (workspace_id, id) DO UPDATE SET key = EXCLUDED.key, name = EXCLUDED.name, description = EXCLUDED.description,
       priority = EXCLUDED.priority, rule = EXCLUDED.rule, is_default = EXCLUDED.is_default, updated_at = now()`,
    [json(doc.clusters.map((c) => ({
      id: ids[`cluster:${c.key}`], key: c.key, name: c.name, description: c.description,
      priority: c.isDefault ? DEFAULT_CLUSTER_PRIORITY : c.priority, rule: c.rule, is_default: c.isDefault,
    })))]);
  const moved = await reassignAccounts(tx, config);

  await tx.query(
    `INSERT INTO outcomes AS t (workspace_id, id, cluster_id, key, name, description, weight, active)
     SELECT $1::uuid, x.id, x.cluster_id, x.key, x.name, x.description, x.weight, x.active
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, cluster_id uuid, key text, name text, description text, weight float8, active boolean)
     ON CONFLICT (workspace_id, id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, key = EXCLUDED.key, name = EXCLUDED.name,
       description = EXCLUDED.description, weight = EXCLUDED.weight, active = EXCLUDED.active, updated_at = now()`,
    [json(doc.outcomes.map((o) => ({
      id: ids[`outcome:${o.key}`], cluster_id: ids[`cluster:${o.cluster}`], key: o.key, name: o.name, description: o.description,
      weight: o.weight, active: o.active,
    })))]);

  // ---- journeys ----
  const outcomeId = (key: string) => ids[`outcome:${key}`];
  const withJourney = doc.journeys.map((j) => outcomeId(j.outcome));
  await tx.query(`DELETE FROM journeys WHERE workspace_id = $1 AND NOT (outcome_id = ANY($2::uuid[]))`, [withJourney]);
  await tx.query(
    `INSERT INTO journeys AS t (workspace_id, outcome_id, stuck_after_days, updated_at)
     SELECT $1::uuid, x.outcome_id, x.stuck_after_days, now() FROM jsonb_to_recordset($2::jsonb) AS x(outcome_id uuid, stuck_after_days int)
     ON CONFLICT (workspace_id, outcome_id) DO UPDATE SET stuck_after_days = EXCLUDED.stuck_after_days, updated_at = now()`,
    [json(doc.journeys.map((j) => ({ outcome_id: outcomeId(j.outcome), stuck_after_days: j.stuckAfterDays })))]);
  await tx.query(
    `INSERT INTO journey_stages AS t (workspace_id, id, outcome_id, key, name, start_day)
     SELECT $1::uuid, x.id, x.outcome_id, x.key, x.name, x.start_day
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, outcome_id uuid, key text, name text, start_day int)
     ON CONFLICT (workspace_id, id) DO UPDATE SET outcome_id = EXCLUDED.outcome_id, key = EXCLUDED.key, name = EXCLUDED.name, start_day = EXCLUDED.start_day`,
    [json(doc.journeys.flatMap((j) => j.stages.map((s) => ({
      id: ids[`stage:${j.outcome}/${s.key}`], outcome_id: outcomeId(j.outcome), key: s.key, name: s.name, start_day: s.startDay,
    }))))]);
  await tx.query(
    `INSERT INTO milestones AS t (workspace_id, id, outcome_id, stage_id, key, name, expected_by_day, weight, completion, rule, position)
     SELECT $1::uuid, x.id, x.outcome_id, x.stage_id, x.key, x.name, x.expected_by_day, x.weight, x.completion, x.rule, x.position
     FROM jsonb_to_recordset($2::jsonb)
       AS x(id uuid, outcome_id uuid, stage_id uuid, key text, name text, expected_by_day int, weight float8, completion text, rule jsonb, position int)
     ON CONFLICT (workspace_id, id) DO UPDATE SET outcome_id = EXCLUDED.outcome_id, stage_id = EXCLUDED.stage_id, key = EXCLUDED.key,
       name = EXCLUDED.name, expected_by_day = EXCLUDED.expected_by_day, weight = EXCLUDED.weight, completion = EXCLUDED.completion,
       rule = EXCLUDED.rule, position = EXCLUDED.position`,
    [json(doc.journeys.flatMap((j) => {
      let position = 0;
      return j.stages.flatMap((s) => s.milestones.map((m) => ({
        id: ids[`milestone:${j.outcome}/${m.key}`], outcome_id: outcomeId(j.outcome), stage_id: ids[`stage:${j.outcome}/${s.key}`],
        key: m.key, name: m.name, expected_by_day: m.expectedByDay, weight: m.weight, completion: m.completion, rule: m.rule, position: position++,
      })));
    }))]);
  await tx.query(`DELETE FROM milestones WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [gone('milestone:')]);
  await tx.query(`DELETE FROM journey_stages WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [gone('stage:')]);

  // ---- coins ----
  const withCoin = doc.coins.map((c) => outcomeId(c.outcome));
  await tx.query(`DELETE FROM coins WHERE workspace_id = $1 AND NOT (outcome_id = ANY($2::uuid[]))`, [withCoin]);
  await tx.query(
    `INSERT INTO coins AS t (workspace_id, outcome_id, proactive_weight, reactive_weight, updated_at)
     SELECT $1::uuid, x.outcome_id, x.wp, x.wr, now() FROM jsonb_to_recordset($2::jsonb) AS x(outcome_id uuid, wp float8, wr float8)
     ON CONFLICT (workspace_id, outcome_id) DO UPDATE SET proactive_weight = EXCLUDED.proactive_weight,
       reactive_weight = EXCLUDED.reactive_weight, updated_at = now()`,
    [json(doc.coins.map((c) => ({ outcome_id: outcomeId(c.outcome), wp: c.proactiveWeight, wr: c.reactiveWeight })))]);
  await tx.query(
    `INSERT INTO components AS t (workspace_id, id, outcome_id, key, name, side, metric, scoring, weight, stage_overrides, applicability, position)
     SELECT $1::uuid, x.id, x.outcome_id, x.key, x.name, x.side, x.metric, x.scoring, x.weight, x.stage_overrides, x.applicability, x.position
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, outcome_id uuid, key text, name text, side text, metric jsonb, scoring jsonb,
       weight float8, stage_overrides jsonb, applicability jsonb, position int)
     ON CONFLICT (workspace_id, id) DO UPDATE SET outcome_id = EXCLUDED.outcome_id, key = EXCLUDED.key, name = EXCLUDED.name,
       side = EXCLUDED.side, metric = EXCLUDED.metric, scoring = EXCLUDED.scoring, weight = EXCLUDED.weight,
       stage_overrides = EXCLUDED.stage_overrides, applicability = EXCLUDED.applicability, position = EXCLUDED.position`,
    [json(doc.coins.flatMap((c) => c.components.map((k, i) => ({
      id: ids[`component:${c.outcome}/${k.key}`], outcome_id: outcomeId(c.outcome), key: k.key, name: k.name, side: k.side,
      metric: k.metric, scoring: k.scoring, weight: k.weight, stage_overrides: k.stageOverrides, applicability: k.applicability, position: i,
    }))))]);
  await tx.query(`DELETE FROM components WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [gone('component:')]);

  await tx.query(`DELETE FROM outcomes WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [gone('outcome:')]);
  await tx.query(`DELETE FROM clusters WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [gone('cluster:')]);
  return moved;
}

/** Every account by the configuration's cluster rules (as assignClusters does from the stored clusters), in one UPDATE. */
async function reassignAccounts(tx: TenantScope, config: ModelConfig): Promise<string[]> {
  const ordered = [...config.clusters.filter((c) => !c.isDefault).sort((a, b) => a.priority - b.priority), ...config.clusters.filter((c) => c.isDefault)];
  const params: unknown[] = [];
  const caseSql = clusterCaseSql(ordered, 'a', params, 1);
  const rows = await tx.query<{ id: string }>(
    `WITH target AS (SELECT a.id, ${caseSql} AS cluster_id FROM accounts a WHERE a.workspace_id = $1),
     changed AS (
       UPDATE accounts acc SET cluster_id = target.cluster_id FROM target
        WHERE acc.workspace_id = $1 AND acc.id = target.id AND acc.cluster_id IS DISTINCT FROM target.cluster_id
       RETURNING acc.id)
     SELECT id FROM changed`, params);
  return rows.map((r) => r.id);
}
