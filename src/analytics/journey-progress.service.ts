/**
 * journeyProgress(outcomeId): how the accounts of an outcome move along its success journey, in ONE
 * statement of two small hash aggregations (no sort of the accounts):
 *  - per milestone × whole days to achieve × due × on time: counts (a histogram: a few thousand rows
 *    at most, whatever the number of accounts); median and p90 are read off it exactly as
 *    percentile_cont computes them;
 *  - per journey status × stage by time × stage by achievement: account counts.
 * Now (no asOf) reads the narrow rows the engine keeps for it (current_milestone_progress and the
 * journey index of current_outcome_health); at an asOf it unpacks each account's newest snapshot
 * (the milestones jsonb), which is the same arithmetic, slower.
 */
import { JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { outcomeRowsSql, wholeDays, withoutJit } from './analytics.sql';
import type { JourneyMilestoneStats, JourneyProgress, JourneyStageStats, JourneyStatusCounts } from './analytics.types';

/** One histogram cell: accounts with this milestone in this state. `days` null = not achieved. */
interface Cell { m: string; days: number | null; due: boolean; on_time: boolean; n: number }
/** Accounts per (status, stage by time, stage by achievement; null = every milestone achieved). */
interface AccountCell { status: string | null; stage: string | null; open: string | null; n: number }

/** The current state: $1 workspace, $2 outcome. Exported for the API benchmark (PostGraphile serves the very same SQL). */
export const CURRENT_JOURNEY_PROGRESS_SQL = `SELECT
  (SELECT coalesce(json_agg(h), '[]') FROM (
     SELECT milestone_id AS m, days_to_achieve AS days, due, achieved_on_time AS on_time, count(*)::int AS n
       FROM current_milestone_progress WHERE workspace_id = $1 AND outcome_id = $2
      GROUP BY 1, 2, 3, 4) h) AS cells,
  (SELECT coalesce(json_agg(a), '[]') FROM (
     SELECT journey_status AS status, stage_id AS stage, achievement_stage_id AS open, count(*)::int AS n
       FROM current_outcome_health WHERE workspace_id = $1 AND outcome_id = $2
      GROUP BY 1, 2, 3) a) AS accounts`;

/**
 * At a past time: $1 workspace, $2 outcome, $3 milestone ids in journey order (text[]), $4 the stage id
 * of each (text[]), $5 asOf.
 */
const PAST_JOURNEY_PROGRESS_SQL = `WITH r AS NOT MATERIALIZED (${outcomeRowsSql('outcome_id = $2', '$5')})
    SELECT
      (SELECT coalesce(json_agg(h), '[]') FROM (
         SELECT e->>'milestoneId' AS m,
                ${wholeDays('r.journey_started_at', "(e->>'achievedAt')::timestamptz")}::int AS days,
                r.journey_day >= (e->>'expectedByDay')::int AS due,
                coalesce((e->>'achievedAt')::timestamptz <= r.journey_started_at + (e->>'expectedByDay')::int * interval '1 day', false) AS on_time,
                count(*)::int AS n
           FROM r CROSS JOIN LATERAL jsonb_array_elements(r.milestones) e
          GROUP BY 1, 2, 3, 4) h) AS cells,
      (SELECT coalesce(json_agg(a), '[]') FROM (
         SELECT r.journey_status AS status, r.stage_id AS stage,
                ($4::text[])[(SELECT min(array_position($3::text[], x->>'milestoneId')) FROM jsonb_array_elements(r.milestones) x
                  WHERE x->>'achievedAt' IS NULL)] AS open,
                count(*)::int AS n
           FROM r GROUP BY 1, 2, 3) a) AS accounts`;

/** percentile_cont(p) over a histogram of whole days (sorted by days). */
export function percentileFromHistogram(cells: Array<{ days: number; n: number }>, p: number): number | null {
  const total = cells.reduce((s, c) => s + c.n, 0);
  if (!total) return null;
  const pos = p * (total - 1);
  const valueAt = (k: number): number => {
    let seen = 0;
    for (const c of cells) { seen += c.n; if (k < seen) return c.days; }
    return cells[cells.length - 1].days;
  };
  const lo = Math.floor(pos);
  const a = valueAt(lo);
  const b = valueAt(Math.ceil(pos));
  return a + (pos - lo) * (b - a);
}

export async function journeyProgress(scope: TenantScope, outcomeId: string, asOf: Date | null = null): Promise<JourneyProgress> {
  type Result = { cells: Cell[]; accounts: AccountCell[] };
  // The configuration and (now) the counts do not depend on each other: read them side by side.
  const [outcome, stages, milestones, current] = await Promise.all([
    scope.mustFind(Outcome, outcomeId, 'Outcome'),
    scope.find(JourneyStage, { where: { outcomeId }, order: { startDay: 'ASC' } }),
    scope.find(Milestone, { where: { outcomeId }, order: { position: 'ASC' } }),
    asOf ? null : scope.query<Result>(CURRENT_JOURNEY_PROGRESS_SQL, [outcomeId]),
  ]);
  const stageIndex = new Map(stages.map((s, i) => [s.id, i]));
  const ordered = [...milestones].sort((a, b) => (stageIndex.get(a.stageId) ?? 0) - (stageIndex.get(b.stageId) ?? 0) || a.position - b.position);
  const [{ cells, accounts }] = current ?? await withoutJit(scope, (tx) => tx.query<Result>(PAST_JOURNEY_PROGRESS_SQL,
    [outcomeId, ordered.map((m) => m.id), ordered.map((m) => m.stageId), asOf]));

  const statuses: JourneyStatusCounts = { onTrack: 0, ahead: 0, behind: 0, stuck: 0 };
  const statusKey: Record<string, keyof JourneyStatusCounts> = { ON_TRACK: 'onTrack', AHEAD: 'ahead', BEHIND: 'behind', STUCK: 'stuck' };
  const byTime = new Map<string, number>();
  const byAchievement = new Map<string, number>();
  const lastStage = stages.at(-1)?.id;
  let total = 0;
  for (const a of accounts) {
    total += a.n;
    if (a.status && statusKey[a.status]) statuses[statusKey[a.status]] += a.n;
    if (a.stage) byTime.set(a.stage, (byTime.get(a.stage) ?? 0) + a.n);
    // Accounts on the journey whose milestones are all achieved count in the last stage.
    const open = a.status !== null ? a.open ?? lastStage : undefined;
    if (open) byAchievement.set(open, (byAchievement.get(open) ?? 0) + a.n);
  }

  const cellsOf = new Map<string, Cell[]>();
  for (const c of cells) cellsOf.set(c.m, [...(cellsOf.get(c.m) ?? []), c]);
  return {
    outcome,
    asOf,
    accounts: total,
    statuses,
    milestones: ordered.map((milestone): JourneyMilestoneStats => {
      const mine = cellsOf.get(milestone.id) ?? [];
      const sum = (pred: (c: Cell) => boolean) => mine.filter(pred).reduce((s, c) => s + c.n, 0);
      const achievedDays = mine.filter((c) => c.days !== null).map((c) => ({ days: c.days!, n: c.n })).sort((x, y) => x.days - y.days);
      return {
        milestone,
        due: sum((c) => c.due),
        achieved: sum((c) => c.days !== null),
        achievedOnTime: sum((c) => c.on_time),
        overdue: sum((c) => c.due && c.days === null),
        medianDaysToAchieve: percentileFromHistogram(achievedDays, 0.5),
        p90DaysToAchieve: percentileFromHistogram(achievedDays, 0.9),
      };
    }),
    stages: stages.map((stage): JourneyStageStats => ({ stage, byTime: byTime.get(stage.id) ?? 0, byAchievement: byAchievement.get(stage.id) ?? 0 })),
  };
}
