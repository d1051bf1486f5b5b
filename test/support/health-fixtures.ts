/**
 * Direct inserts of configuration and scoring results, so that analytics and live tests can build a
 * small dataset with exactly known snapshots (expected numbers are then derivable by hand).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export function bandOf(score: number | null): string {
  if (score === null) return 'UNKNOWN';
  return score < 40 ? 'RED' : score < 70 ? 'YELLOW' : 'GREEN';
}

export interface MilestoneState { milestoneId: string; key?: string; expectedByDay: number; weight?: number; achievedAt: string | null }

export interface SnapshotInput {
  accountId: string;
  outcomeId: string;
  asOf: Date | string;
  score: number | null;
  band?: string;
  proactive?: number | null;
  reactive?: number | null;
  coverage?: number | null;
  stageId?: string | null;
  journeyDay?: number;
  journeyStatus?: string | null;
  overdueCount?: number;
  nextMilestoneId?: string | null;
  daysUntilDue?: number | null;
  drivers?: unknown[];
  milestones?: MilestoneState[];
  /** Also make it the current row of current_outcome_health. */
  current?: boolean;
}

export class HealthFixture {
  private modelVersionId?: string;

  constructor(readonly db: DataSource, readonly workspaceId: string) {}

  async defaultClusterId(): Promise<string> {
    const [row] = await this.db.query(`SELECT id FROM clusters WHERE workspace_id = $1 AND is_default`, [this.workspaceId]);
    return row.id;
  }

  async cluster(name: string, priority = 10): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO clusters (workspace_id, name, priority, rule, is_default) VALUES ($1, $2, $3, NULL, false) RETURNING id`,
      [this.workspaceId, name, priority]);
    return row.id;
  }

  async outcome(clusterId: string, name: string, weight = 1): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO outcomes (workspace_id, cluster_id, name, weight) VALUES ($1, $2, $3, $4) RETURNING id`,
      [this.workspaceId, clusterId, name, weight]);
    return row.id;
  }

  /** A journey; returns stage ids and milestone ids by key. */
  async journey(outcomeId: string, stages: Array<{ key: string; name?: string; startDay: number; milestones: Array<{ key: string; name?: string; expectedByDay: number; weight?: number }> }>, stuckAfterDays = 30): Promise<{ stages: Record<string, string>; milestones: Record<string, string> }> {
    await this.db.query(`INSERT INTO journeys (workspace_id, outcome_id, stuck_after_days) VALUES ($1, $2, $3)`, [this.workspaceId, outcomeId, stuckAfterDays]);
    const out = { stages: {} as Record<string, string>, milestones: {} as Record<string, string> };
    let position = 0;
    for (const s of stages) {
      const [st] = await this.db.query(
        `INSERT INTO journey_stages (workspace_id, outcome_id, key, name, start_day) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [this.workspaceId, outcomeId, s.key, s.name ?? s.key, s.startDay]);
      out.stages[s.key] = st.id;
      for (const m of s.milestones) {
        const [ms] = await this.db.query(
          `INSERT INTO milestones (workspace_id, outcome_id, stage_id, key, name, expected_by_day, weight, completion, rule, position)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'MANUAL', NULL, $8) RETURNING id`,
          [this.workspaceId, outcomeId, st.id, m.key, m.name ?? m.key, m.expectedByDay, m.weight ?? 1, position++]);
        out.milestones[m.key] = ms.id;
      }
    }
    return out;
  }

  async account(a: { externalId: string; name?: string; clusterId: string; journeyStartedAt?: Date | string; csmOwner?: string | null; renewalDate?: string | null; attributes?: Record<string, unknown> }): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO accounts (workspace_id, external_id, name, attributes, csm_owner, journey_started_at, renewal_date, cluster_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [this.workspaceId, a.externalId, a.name ?? a.externalId, JSON.stringify(a.attributes ?? {}), a.csmOwner ?? null,
        a.journeyStartedAt ?? '2026-01-01T00:00:00Z', a.renewalDate ?? null, a.clusterId]);
    return row.id;
  }

  async modelVersion(): Promise<string> {
    if (!this.modelVersionId) {
      const [row] = await this.db.query(
        `INSERT INTO model_versions (workspace_id, hash, config) VALUES ($1, $2, '{}') RETURNING id`, [this.workspaceId, randomUUID()]);
      this.modelVersionId = row.id as string;
    }
    return this.modelVersionId!;
  }

  /** Drivers are given in the coin's order and stored as the engine stores them: worst first (a stable sort). */
  async snapshot(s: SnapshotInput): Promise<void> {
    const mv = await this.modelVersion();
    const lost = (d: unknown) => Number((d as { pointsLost?: number }).pointsLost ?? 0);
    const drivers = [...(s.drivers ?? [])].sort((a, b) => lost(b) - lost(a));
    const values = [
      this.workspaceId, s.accountId, s.outcomeId, s.score, s.band ?? bandOf(s.score), s.proactive ?? null, s.reactive ?? null,
      s.coverage ?? null, s.stageId ?? null, s.journeyDay ?? 0, s.journeyStatus ?? null, s.overdueCount ?? 0,
      s.nextMilestoneId ?? null, s.daysUntilDue ?? null, JSON.stringify(drivers),
      JSON.stringify((s.milestones ?? []).map((m) => ({ key: m.key ?? null, weight: m.weight ?? 1, ...m }))), mv, s.asOf,
    ];
    const cols = `workspace_id, account_id, outcome_id, score, band, proactive, reactive, coverage, stage_id, journey_day,
      journey_status, overdue_count, next_milestone_id, days_until_due, drivers, milestones, model_version_id, as_of`;
    const params = values.map((_, i) => `$${i + 1}`).join(', ');
    await this.db.query(`INSERT INTO health_snapshots (${cols}) VALUES (${params})`, values);
    if (s.current) {
      await this.db.query(`DELETE FROM current_outcome_health WHERE workspace_id = $1 AND account_id = $2 AND outcome_id = $3`,
        [this.workspaceId, s.accountId, s.outcomeId]);
      await this.db.query(`INSERT INTO current_outcome_health (${cols}) VALUES (${params})`, values);
      await this.currentJourneyRows(s);
    }
  }

  /**
   * What the engine keeps beside a current row for journeyProgress, derived here in plain TypeScript:
   * the stage by achievement and one current_milestone_progress row per milestone.
   */
  private async currentJourneyRows(s: SnapshotInput): Promise<void> {
    const milestones = s.milestones ?? [];
    if (!s.journeyStatus) return;
    const [{ start }] = await this.db.query(`SELECT journey_started_at AS start FROM accounts WHERE workspace_id = $1 AND id = $2`,
      [this.workspaceId, s.accountId]);
    const stages: Array<{ milestone_id: string; stage_id: string; start_day: number; position: number }> = await this.db.query(
      `SELECT m.id AS milestone_id, m.stage_id, st.start_day, m.position FROM milestones m
         JOIN journey_stages st ON st.workspace_id = m.workspace_id AND st.id = m.stage_id
        WHERE m.workspace_id = $1 AND m.outcome_id = $2`, [this.workspaceId, s.outcomeId]);
    const journeyOrder = [...stages].sort((a, b) => a.start_day - b.start_day || a.position - b.position);
    const achieved = new Map(milestones.map((m) => [m.milestoneId, m.achievedAt]));
    const firstOpen = journeyOrder.find((m) => !achieved.get(m.milestone_id));
    const lastStage = journeyOrder.at(-1)?.stage_id ?? null;
    await this.db.query(`UPDATE current_outcome_health SET achievement_stage_id = $4 WHERE workspace_id = $1 AND account_id = $2 AND outcome_id = $3`,
      [this.workspaceId, s.accountId, s.outcomeId, firstOpen?.stage_id ?? lastStage]);
    const DAY = 86_400_000;
    for (const m of milestones) {
      const at = m.achievedAt ? new Date(m.achievedAt).getTime() : null;
      await this.db.query(
        `INSERT INTO current_milestone_progress (workspace_id, outcome_id, account_id, milestone_id, days_to_achieve, due, achieved_on_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [this.workspaceId, s.outcomeId, s.accountId, m.milestoneId, at === null ? null : Math.floor((at - start.getTime()) / DAY),
          (s.journeyDay ?? 0) >= m.expectedByDay, at !== null && at <= start.getTime() + m.expectedByDay * DAY]);
    }
  }

  async accountSnapshot(s: { accountId: string; asOf: Date | string; score: number | null; band?: string; coverage?: number | null; worstJourneyStatus?: string | null; current?: boolean }): Promise<void> {
    const mv = await this.modelVersion();
    const band = s.band ?? bandOf(s.score);
    await this.db.query(
      `INSERT INTO account_health_snapshots (workspace_id, account_id, score, band, coverage, model_version_id, as_of) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [this.workspaceId, s.accountId, s.score, band, s.coverage ?? null, mv, s.asOf]);
    if (s.current) {
      await this.db.query(
        `INSERT INTO current_account_health (workspace_id, account_id, score, band, coverage, model_version_id, as_of, worst_journey_status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (workspace_id, account_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band, coverage = EXCLUDED.coverage,
           as_of = EXCLUDED.as_of, worst_journey_status = EXCLUDED.worst_journey_status`,
        [this.workspaceId, s.accountId, s.score, band, s.coverage ?? null, mv, s.asOf, s.worstJourneyStatus ?? null]);
    }
  }
}
