/**
 * healthTrend(scope, from, to, interval): mean score and band counts at each point from `from` to
 * `to`. At a point, each account in scope counts with its newest snapshot at or before that time
 * (carried forward between scorings), so the series shows the state of the book, not only who
 * happened to be rescored that day. One statement: every snapshot becomes a validity span
 * [as_of, next as_of) and each point counts the spans it falls in.
 */
import { Cluster } from '../clusters/cluster.entity';
import { InputError } from '../shared/errors';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { bandCounts } from './analytics.sql';
import { type BandCounts, type HealthScopeInput, type HealthTrendPoint, TrendInterval } from './analytics.types';

const STEP: Record<TrendInterval, string> = { DAY: '1 day', WEEK: '7 days', MONTH: '1 month' };
const MAX_POINTS = 400;
const STEP_MS: Record<TrendInterval, number> = { DAY: 86_400_000, WEEK: 7 * 86_400_000, MONTH: 28 * 86_400_000 };

export async function healthTrend(
  scope: TenantScope, where: HealthScopeInput, from: Date, to: Date, interval: TrendInterval,
): Promise<HealthTrendPoint[]> {
  if (!(from.getTime() <= to.getTime())) throw new InputError('to', 'to must not be before from.');
  if ((to.getTime() - from.getTime()) / STEP_MS[interval] > MAX_POINTS) {
    throw new InputError('interval', `At most ${MAX_POINTS} points: choose a shorter range or a longer interval.`);
  }
  if (where.clusterId) await scope.mustFind(Cluster, where.clusterId, 'Cluster');
  if (where.outcomeId) await scope.mustFind(Outcome, where.outcomeId, 'Outcome');

  // The snapshots that matter: the last one before `from` (carried into the range) and those inside it.
  const snapshots = where.outcomeId
    ? `SELECT s.account_id, s.as_of, s.score, s.band FROM acc
         CROSS JOIN LATERAL (
           (SELECT account_id, as_of, score, band FROM health_snapshots
             WHERE workspace_id = $1 AND account_id = acc.id AND outcome_id = $3 AND as_of < $4 ORDER BY as_of DESC LIMIT 1)
           UNION ALL
           (SELECT account_id, as_of, score, band FROM health_snapshots
             WHERE workspace_id = $1 AND account_id = acc.id AND outcome_id = $3 AND as_of >= $4 AND as_of <= $5)) s`
    : `SELECT s.account_id, s.as_of, s.score, s.band FROM acc
         CROSS JOIN LATERAL (
           (SELECT account_id, as_of, score, band FROM account_health_snapshots
             WHERE workspace_id = $1 AND account_id = acc.id AND as_of < $4 ORDER BY as_of DESC LIMIT 1)
           UNION ALL
           (SELECT account_id, as_of, score, band FROM account_health_snapshots
             WHERE workspace_id = $1 AND account_id = acc.id AND as_of >= $4 AND as_of <= $5)) s`;

  const rows = await scope.query<{ at: Date; accounts: number; mean_score: number | null; bands: BandCounts }>(
    `WITH acc AS (
       SELECT a.id FROM accounts a
        WHERE a.workspace_id = $1 AND ($2::uuid IS NULL OR a.cluster_id = $2::uuid)
          AND ($3::uuid IS NULL OR a.cluster_id = (SELECT cluster_id FROM outcomes WHERE workspace_id = $1 AND id = $3::uuid))
     ),
     spans AS (
       SELECT x.*, lead(x.as_of) OVER (PARTITION BY x.account_id ORDER BY x.as_of) AS until FROM (${snapshots}) x
     ),
     points AS (SELECT generate_series($4::timestamptz, $5::timestamptz, $6::interval) AS at)
     SELECT p.at, count(s.account_id)::int AS accounts, avg(s.score) AS mean_score,
            ${bandCounts('s.band', false)} AS bands
       FROM points p
       LEFT JOIN spans s ON s.as_of <= p.at AND (s.until IS NULL OR s.until > p.at)
      GROUP BY p.at ORDER BY p.at`,
    [where.clusterId ?? null, where.outcomeId ?? null, from, to, STEP[interval]],
  );
  return rows.map((r) => ({ at: new Date(r.at), accounts: r.accounts, meanScore: r.mean_score, bands: r.bands }));
}
