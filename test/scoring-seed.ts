/**
 * Test helpers of the scoring tests: write configuration documents (the CoinInput / JourneyInput
 * shapes of API.md), accounts and signals straight to the database, so the engine's tests don't
 * depend on other features' mutations.
 */
import type { DataSource } from 'typeorm';
import { TenantScope } from '../src/shared/tenant';

type Db = Pick<DataSource, 'query'>;

export async function defaultClusterId(db: Db, ws: string): Promise<string> {
  const [r] = await db.query(`SELECT id FROM clusters WHERE workspace_id = $1 AND is_default`, [ws]);
  return r.id;
}

export async function insertCluster(db: Db, ws: string, name: string, priority: number, rule: unknown): Promise<string> {
  const [r] = await db.query(`INSERT INTO clusters (workspace_id, name, priority, rule) VALUES ($1, $2, $3, $4) RETURNING id`, [ws, name, priority, JSON.stringify(rule)]);
  return r.id;
}

export async function insertOutcome(db: Db, ws: string, clusterId: string, name: string, weight = 1, active = true): Promise<string> {
  const [r] = await db.query(`INSERT INTO outcomes (workspace_id, cluster_id, name, weight, active) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [ws, clusterId, name, weight, active]);
  return r.id;
}

/** A CoinInput-shaped document; returns component ids by key. */
export async function insertCoin(db: Db, ws: string, outcomeId: string, doc: any): Promise<Record<string, string>> {
  await db.query(`INSERT INTO coins (workspace_id, outcome_id, proactive_weight, reactive_weight) VALUES ($1, $2, $3, $4)`,
    [ws, outcomeId, doc.proactiveWeight ?? 50, doc.reactiveWeight ?? 50]);
  const ids: Record<string, string> = {};
  for (const [i, c] of (doc.components as any[]).entries()) {
    const [r] = await db.query(
      `INSERT INTO components (workspace_id, outcome_id, key, name, side, metric, scoring, weight, stage_overrides, applicability, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [ws, outcomeId, c.key, c.name ?? c.key, c.side, JSON.stringify(c.metric), JSON.stringify(c.scoring), c.weight,
        JSON.stringify(c.stageOverrides ?? []), c.applicability ? JSON.stringify(c.applicability) : null, i]);
    ids[c.key] = r.id;
  }
  return ids;
}

/** A JourneyInput-shaped document; returns stage and milestone ids by key. */
export async function insertJourney(db: Db, ws: string, outcomeId: string, doc: any): Promise<Record<string, string>> {
  await db.query(`INSERT INTO journeys (workspace_id, outcome_id, stuck_after_days) VALUES ($1, $2, $3)`, [ws, outcomeId, doc.stuckAfterDays ?? 30]);
  const ids: Record<string, string> = {};
  let pos = 0;
  for (const s of doc.stages as any[]) {
    const [st] = await db.query(`INSERT INTO journey_stages (workspace_id, outcome_id, key, name, start_day) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [ws, outcomeId, s.key, s.name ?? s.key, s.startDay]);
    ids[s.key] = st.id;
    for (const m of (s.milestones ?? []) as any[]) {
      const [r] = await db.query(
        `INSERT INTO milestones (workspace_id, outcome_id, stage_id, key, name, expected_by_day, weight, completion, rule, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [ws, outcomeId, st.id, m.key, m.name ?? m.key, m.expectedByDay, m.weight, m.completion, m.rule ? JSON.stringify(m.rule) : null, pos++]);
      ids[m.key] = r.id;
    }
  }
  return ids;
}

export async function insertAccount(db: Db, ws: string, clusterId: string, externalId: string, attributes: Record<string, unknown>, journeyStartedAt: string): Promise<string> {
  const [r] = await db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, attributes, journey_started_at, cluster_id) VALUES ($1, $2, $2, $3, $4, $5) RETURNING id`,
    [ws, externalId, JSON.stringify(attributes), journeyStartedAt, clusterId]);
  return r.id;
}

export interface Sig { type: string; at: string; subject?: string | null; value?: number | null }

export async function insertSignals(db: Db, ws: string, accountId: string, signals: Sig[]): Promise<void> {
  if (!signals.length) return;
  await db.query(
    `INSERT INTO signals (workspace_id, account_id, type, subject, value, occurred_at)
     SELECT $1, $2, x.type, x.subject, x.value, x.at FROM jsonb_to_recordset($3::jsonb) AS x(type text, subject text, value float8, at timestamptz)`,
    [ws, accountId, JSON.stringify(signals.map((s) => ({ type: s.type, subject: s.subject ?? null, value: s.value ?? null, at: s.at })))]);
}

export async function completeMilestone(db: Db, ws: string, accountId: string, milestoneId: string, at: string): Promise<void> {
  await db.query(`INSERT INTO milestone_completions (workspace_id, account_id, milestone_id, achieved_at) VALUES ($1, $2, $3, $4)`, [ws, accountId, milestoneId, at]);
}

export function scopeOf(db: DataSource, ws: string): TenantScope {
  return TenantScope.system(db, ws);
}

/** `n` signals of one type on consecutive days from `from` (ISO), at the same time of day. */
export function daily(type: string, from: string, n: number, extra: Partial<Sig> = {}): Sig[] {
  const t0 = new Date(from).getTime();
  return Array.from({ length: n }, (_, i) => ({ type, at: new Date(t0 + i * 86_400_000).toISOString(), ...extra }));
}

/** A bare workspace (with its default cluster) straight in the database: cheap, for property runs. */
export async function bareWorkspace(db: Db, thresholds: { redBelow?: number; yellowBelow?: number } = {}): Promise<{ ws: string; cluster: string }> {
  const [w] = await db.query(`INSERT INTO workspaces (name, red_below, yellow_below) VALUES ('scoring test', $1, $2) RETURNING id`,
    [thresholds.redBelow ?? 40, thresholds.yellowBelow ?? 70]);
  const [c] = await db.query(`INSERT INTO clusters (workspace_id, name, priority, is_default) VALUES ($1, 'Everyone else', 1000000, true) RETURNING id`, [w.id]);
  return { ws: w.id, cluster: c.id };
}

/** A component document with LINEAR scoring (the common case of the tests). */
export function linear(key: string, side: 'PROACTIVE' | 'REACTIVE', weight: number, metric: Record<string, unknown>, floor = 0, target = 100, extra: Record<string, unknown> = {}) {
  return { key, name: key, side, weight, metric, scoring: { type: 'LINEAR', floor, target }, ...extra };
}
