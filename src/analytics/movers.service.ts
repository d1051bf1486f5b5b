/**
 * movers(scope, days, limit): the accounts whose score fell or rose most against their newest
 * snapshot at or before (their latest scoring − days), with the components that moved them.
 * Scope: a cluster and/or an outcome (then the outcome score is compared instead of the account health).
 * Three statements whatever the size: the ranking, the drivers of the ranked accounts, the accounts.
 */
import { In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Cluster } from '../clusters/cluster.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import type { HealthBand } from '../health/health.types';
import { checkChangeDays, pastSnapshotSql } from '../health/health.change';
import type { HealthScopeInput, Mover, MoverDriver, Movers } from './analytics.types';
import type { Side } from '../coins/coin.entity';

interface RankRow { account_id: string; score: number; from_score: number; band: string; from_band: string; as_of: Date; from_as_of: Date; dir: 'drop' | 'rise' }
interface DriverRow {
  account_id: string; outcome_id: string; outcome_name: string; component_id: string; key: string; name: string; side: string;
  from_score: number | null; score: number | null; delta: number;
}

export async function movers(scope: TenantScope, where: HealthScopeInput, days: number, limit: number): Promise<Movers> {
  checkChangeDays(days, 'days');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InputError('limit', 'limit must be between 1 and 100.');
  if (where.clusterId) await scope.mustFind(Cluster, where.clusterId, 'Cluster');
  if (where.outcomeId) await scope.mustFind(Outcome, where.outcomeId, 'Outcome');
  const outcomeId = where.outcomeId ?? null;

  const current = outcomeId
    ? `SELECT c.account_id, c.score, c.band, c.as_of FROM current_outcome_health c
        WHERE c.workspace_id = $1 AND c.outcome_id = $3 AND c.score IS NOT NULL`
    : `SELECT c.account_id, c.score, c.band, c.as_of FROM current_account_health c
        WHERE c.workspace_id = $1 AND c.score IS NOT NULL AND $3::uuid IS NULL`;
  const past = pastSnapshotSql({ columns: 'p.score, p.band, p.as_of', account: 'cur.account_id', outcome: outcomeId ? '$3' : null, at: 'cur.as_of', days: '$4' });
  const ranked = await scope.query<RankRow>(
    `WITH moves AS MATERIALIZED (
       SELECT cur.account_id, cur.score, cur.band, cur.as_of, p.score AS from_score, p.band AS from_band, p.as_of AS from_as_of
         FROM (${current}) cur
         JOIN accounts a ON a.workspace_id = $1 AND a.id = cur.account_id AND ($2::uuid IS NULL OR a.cluster_id = $2::uuid)
         JOIN LATERAL (${past}) p ON p.score IS NOT NULL
     )
     (SELECT *, 'drop' AS dir FROM moves WHERE score < from_score ORDER BY score - from_score, account_id LIMIT $5)
     UNION ALL
     (SELECT *, 'rise' AS dir FROM moves WHERE score > from_score ORDER BY score - from_score DESC, account_id LIMIT $5)`,
    [where.clusterId ?? null, outcomeId, days, limit],
  );
  if (!ranked.length) return { days, drops: [], rises: [] };

  // Component contributions now vs then, for the ranked accounts only. For the account health a
  // component's move counts with its outcome's share of the account's outcome weights.
  const ids = ranked.map((r) => r.account_id);
  const drops = ranked.filter((r) => r.dir === 'drop').map((r) => r.account_id);
  const drivers = await scope.query<DriverRow>(
    `WITH rows AS (
       SELECT c.account_id, c.outcome_id, o.name AS outcome_name, c.drivers, c.as_of, c.score,
              CASE WHEN $3::uuid IS NULL THEN o.weight / nullif(sum(o.weight) FILTER (WHERE c.score IS NOT NULL) OVER (PARTITION BY c.account_id), 0)
                   ELSE 1 END AS share
         FROM current_outcome_health c JOIN outcomes o ON o.workspace_id = c.workspace_id AND o.id = c.outcome_id
        WHERE c.workspace_id = $1 AND c.account_id = ANY($2::uuid[]) AND ($3::uuid IS NULL OR c.outcome_id = $3::uuid) AND o.active
     ),
     moved AS (
       SELECT r.account_id, r.outcome_id, r.outcome_name, d->>'componentId' AS component_id, d->>'key' AS key, d->>'name' AS name,
              d->>'side' AS side, (pd->>'score')::float8 AS from_score, (d->>'score')::float8 AS score,
              coalesce(r.share, 0) * ((d->>'contribution')::float8 - coalesce((pd->>'contribution')::float8, 0)) AS delta
         FROM rows r
         JOIN LATERAL (${pastSnapshotSql({ columns: 'p.drivers', account: 'r.account_id', outcome: 'r.outcome_id', at: 'r.as_of', days: '$4' })}) p ON true
         CROSS JOIN LATERAL jsonb_array_elements(r.drivers) d
         LEFT JOIN LATERAL (SELECT x FROM jsonb_array_elements(p.drivers) x WHERE x->>'componentId' = d->>'componentId' LIMIT 1) q(pd) ON true
     ),
     ranked AS (
       SELECT m.*, row_number() OVER (PARTITION BY m.account_id
                ORDER BY CASE WHEN m.account_id = ANY($5::uuid[]) THEN m.delta ELSE -m.delta END, m.key) AS n
         FROM moved m WHERE m.delta <> 0
     )
     SELECT * FROM ranked
      WHERE n <= 3 AND (CASE WHEN account_id = ANY($5::uuid[]) THEN delta < 0 ELSE delta > 0 END)
      ORDER BY account_id, n`,
    [ids, outcomeId, days, drops],
  );
  const accounts = await scope.find(Account, { where: { id: In(ids) } });
  const accountOf = new Map(accounts.map((a) => [a.id, a]));
  const driversOf = new Map<string, MoverDriver[]>();
  for (const d of drivers) {
    const list = driversOf.get(d.account_id) ?? [];
    list.push({
      outcomeId: d.outcome_id, outcomeName: d.outcome_name, componentId: d.component_id, key: d.key, name: d.name,
      side: d.side as Side, fromScore: d.from_score, score: d.score, contributionDelta: d.delta,
    });
    driversOf.set(d.account_id, list);
  }
  const toMover = (r: RankRow): Mover => ({
    account: accountOf.get(r.account_id)!, score: r.score, fromScore: r.from_score, delta: r.score - r.from_score,
    band: r.band as HealthBand, fromBand: r.from_band as HealthBand, asOf: r.as_of, fromAsOf: r.from_as_of,
    topDrivers: driversOf.get(r.account_id) ?? [],
  });
  return { days, drops: ranked.filter((r) => r.dir === 'drop').map(toMover), rises: ranked.filter((r) => r.dir === 'rise').map(toMover) };
}
