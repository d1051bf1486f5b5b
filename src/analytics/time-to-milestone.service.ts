/**
 * timeToMilestone(outcomeId): cohort curves. For each milestone and each start-month cohort, the
 * share of accounts that had reached the milestone by day N of their journey, for N = 0, step, 2·step … maxDay.
 * Only accounts whose journey has lasted N days can say whether they reached it by N (a January
 * cohort tells about day 60, a last-week cohort does not), so each point is reached / observed.
 * Set-based: rows are first reduced to (milestone, cohort, observed-until bucket, reached-at bucket)
 * counts, then the grid is a small cross join, so the cost does not grow with maxDay × accounts.
 */
import { JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { outcomeRowsSql, wholeDays, withoutJit } from './analytics.sql';
import type { CohortCurvePoint, MilestoneCohort, TimeToMilestone } from './analytics.types';

const MAX_POINTS = 200;

interface PointRow { milestone_id: string; cohort: string; cohort_size: number; day: number; observed: number; reached: number }

export async function timeToMilestone(scope: TenantScope, outcomeId: string, maxDay: number, step: number): Promise<TimeToMilestone> {
  if (!Number.isInteger(maxDay) || maxDay < 0 || maxDay > 730) throw new InputError('maxDay', 'maxDay must be between 0 and 730.');
  if (!Number.isInteger(step) || step < 1) throw new InputError('step', 'step must be a positive whole number of days.');
  if (Math.floor(maxDay / step) + 1 > MAX_POINTS) throw new InputError('step', `At most ${MAX_POINTS} points per curve: use a larger step.`);
  const outcome = await scope.mustFind(Outcome, outcomeId, 'Outcome');
  const [stages, milestones] = await Promise.all([
    scope.find(JourneyStage, { where: { outcomeId } }),
    scope.find(Milestone, { where: { outcomeId }, order: { position: 'ASC' } }),
  ]);
  const k = Math.floor(maxDay / step); // grid points 0..k, day = i × step

  // observed at grid i  <=>  journey_day >= i·step  <=>  floor(journey_day / step) >= i
  // reached by grid i   <=>  day_reached <= i·step  <=>  ceil(day_reached / step) <= i
  const rows = await withoutJit(scope, (tx) => tx.query<PointRow>(
    `WITH r AS (${outcomeRowsSql('outcome_id = $2', null)}),
     ms AS (
       SELECT (e->>'milestoneId')::uuid AS milestone_id,
              to_char(date_trunc('month', r.journey_started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS cohort,
              least(floor(r.journey_day::float8 / $3::int), $4::int)::int AS seen_until,
              ceil(${wholeDays('r.journey_started_at', "(e->>'achievedAt')::timestamptz")} / $3::int)::int AS reached_at
         FROM r CROSS JOIN LATERAL jsonb_array_elements(r.milestones) e
     ),
     buckets AS (SELECT milestone_id, cohort, seen_until, reached_at, count(*)::int AS n FROM ms GROUP BY 1, 2, 3, 4),
     sizes AS (SELECT milestone_id, cohort, sum(n)::int AS cohort_size FROM buckets GROUP BY 1, 2),
     grid AS (SELECT generate_series(0, $4::int) AS i)
     SELECT b.milestone_id, b.cohort, s.cohort_size, g.i * $3::int AS day,
            sum(b.n) FILTER (WHERE b.seen_until >= g.i)::int AS observed,
            coalesce(sum(b.n) FILTER (WHERE b.seen_until >= g.i AND b.reached_at <= g.i), 0)::int AS reached
       FROM buckets b JOIN sizes s USING (milestone_id, cohort) CROSS JOIN grid g
      GROUP BY b.milestone_id, b.cohort, s.cohort_size, g.i
     HAVING sum(b.n) FILTER (WHERE b.seen_until >= g.i) > 0
      ORDER BY b.milestone_id, b.cohort, g.i`,
    [outcomeId, step, k],
  ));

  const curves = new Map<string, Map<string, MilestoneCohort>>();
  for (const row of rows) {
    const byCohort = curves.get(row.milestone_id) ?? new Map<string, MilestoneCohort>();
    curves.set(row.milestone_id, byCohort);
    const cohort = byCohort.get(row.cohort) ?? { cohort: row.cohort, accounts: row.cohort_size, points: [] as CohortCurvePoint[] };
    byCohort.set(row.cohort, cohort);
    cohort.points.push({ day: row.day, observed: row.observed, reached: row.reached, share: row.reached / row.observed });
  }
  const startOf = new Map(stages.map((s) => [s.id, s.startDay]));
  const ordered = [...milestones].sort((a, b) => (startOf.get(a.stageId) ?? 0) - (startOf.get(b.stageId) ?? 0) || a.position - b.position);
  return {
    outcome, maxDay, step,
    milestones: ordered.map((milestone) => ({
      milestone,
      cohorts: [...(curves.get(milestone.id)?.values() ?? [])].sort((a, b) => a.cohort.localeCompare(b.cohort)),
    })),
  };
}
