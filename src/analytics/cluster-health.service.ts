/**
 * clusterHealth(clusterId): band distribution, score percentiles, proactive vs reactive, coverage,
 * for the cluster's accounts and per active outcome. Two set-based statements, whatever the size.
 */
import { Cluster } from '../clusters/cluster.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { accountRowsSql, activeOutcomesOf, bandCounts, outcomeRowsSql, statusCounts } from './analytics.sql';
import type { BandCounts, ClusterHealth, JourneyStatusCounts, OutcomeHealthSummary, ScoreDistribution } from './analytics.types';

interface DistRow {
  accounts: number; scored: number; bands: BandCounts; mean_score: number | null; p10: number | null; p50: number | null; p90: number | null;
  mean_proactive: number | null; mean_reactive: number | null; mean_coverage: number | null;
}
interface OutcomeDistRow extends DistRow { outcome_id: string; statuses: JourneyStatusCounts }

const DIST = `count(*)::int AS accounts, count(score)::int AS scored, ${bandCounts()} AS bands, avg(score) AS mean_score,
  percentile_cont(0.1) WITHIN GROUP (ORDER BY score) AS p10, percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY score) AS p90`;

function distribution(r: DistRow): ScoreDistribution {
  return {
    accounts: r.accounts, scored: r.scored, bands: r.bands, meanScore: r.mean_score, p10: r.p10, p50: r.p50, p90: r.p90,
    meanProactive: r.mean_proactive, meanReactive: r.mean_reactive, meanCoverage: r.mean_coverage,
  };
}

export async function clusterHealth(scope: TenantScope, clusterId: string, asOf: Date | null = null): Promise<ClusterHealth> {
  const cluster = await scope.mustFind(Cluster, clusterId, 'Cluster');
  const outcomes = await scope.find(Outcome, { where: { clusterId, active: true }, order: { name: 'ASC' } });
  const p = asOf ? [clusterId, asOf] : [clusterId];

  // Accounts currently in the cluster; proactive/reactive exist per outcome, so their means run over the outcome rows.
  const [overall] = await scope.query<DistRow>(
    `WITH a AS (${accountRowsSql('$2', asOf ? '$3' : null)}),
          o AS (SELECT h.proactive, h.reactive FROM (${outcomeRowsSql(activeOutcomesOf('$2'), asOf ? '$3' : null)}) h WHERE h.cluster_id = $2)
     SELECT ${DIST}, avg(coverage) AS mean_coverage,
            (SELECT avg(proactive) FROM o) AS mean_proactive, (SELECT avg(reactive) FROM o) AS mean_reactive
       FROM a`,
    p,
  );

  // Every account of the cluster × every active outcome; an account without a row for an outcome counts as UNKNOWN.
  const perOutcome = await scope.query<OutcomeDistRow>(
    `WITH h AS (${outcomeRowsSql(activeOutcomesOf('$2'), asOf ? '$3' : null)})
     SELECT oc.id AS outcome_id, count(*)::int AS accounts, count(h.score)::int AS scored,
            ${bandCounts('h.band')} AS bands, avg(h.score) AS mean_score,
            percentile_cont(0.1) WITHIN GROUP (ORDER BY h.score) AS p10, percentile_cont(0.5) WITHIN GROUP (ORDER BY h.score) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY h.score) AS p90,
            avg(h.proactive) AS mean_proactive, avg(h.reactive) AS mean_reactive, avg(h.coverage) AS mean_coverage,
            ${statusCounts('h.journey_status')} AS statuses
       FROM outcomes oc
       JOIN accounts a ON a.workspace_id = $1 AND a.cluster_id = oc.cluster_id
       LEFT JOIN h ON h.outcome_id = oc.id AND h.account_id = a.id
      WHERE oc.workspace_id = $1 AND oc.cluster_id = $2 AND oc.active
      GROUP BY oc.id`,
    p,
  );
  const byOutcome = new Map(perOutcome.map((r) => [r.outcome_id, r]));

  return {
    cluster,
    asOf,
    overall: distribution(overall),
    outcomes: outcomes.map((outcome): OutcomeHealthSummary => {
      const r = byOutcome.get(outcome.id);
      const empty: OutcomeDistRow = {
        outcome_id: outcome.id, accounts: 0, scored: 0, bands: { red: 0, yellow: 0, green: 0, unknown: 0 }, mean_score: null, p10: null, p50: null, p90: null,
        mean_proactive: null, mean_reactive: null, mean_coverage: null, statuses: { onTrack: 0, ahead: 0, behind: 0, stuck: 0 },
      };
      const row = r ?? empty;
      return Object.assign(distribution(row), { outcome, statuses: row.statuses });
    }),
  };
}
