/** Steps 1 and 2 of "Scoring, exactly": each account's journey day, and each account × outcome's stage in force. */
import type { StepContext } from './engine.config';
import type { PeerDistribution } from './engine.percentile';

/**
 * Step 1: `d` = whole days from journeyStartedAt to T (floor; 0 on the first day), for the accounts in scope
 * (`target`) and the cluster peers whose values a PERCENTILE distribution scores alongside them.
 */
export async function step1JourneyDay({ asOf, ids, accounts, step }: StepContext, peers: PeerDistribution): Promise<void> {
  await step('_accounts', `CREATE TEMP TABLE _accounts ON COMMIT DROP AS
    SELECT a.id AS account_id, a.cluster_id, a.attributes, a.journey_started_at,
      GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - a.journey_started_at)) / 86400))::int AS d,
      ($3::uuid[] IS NULL OR a.id = ANY($3::uuid[])) AS target
    FROM ${accounts} a
    WHERE a.workspace_id = $1 AND ($3::uuid[] IS NULL OR a.id = ANY($3::uuid[])
      OR (a.cluster_id = ANY($4::uuid[])
          AND ($5::boolean OR a.cluster_id IN (SELECT t.cluster_id FROM ${accounts} t WHERE t.workspace_id = $1 AND t.id = ANY($3::uuid[])))))`,
  [asOf, ids, peers.scoredPeerClusters, peers.everyCluster]);
}

/** Step 2: the stage in force, the one with the greatest startDay <= d, per account × active outcome of its cluster. */
export async function step2Stage({ rows, step }: StepContext): Promise<void> {
  await step('_account_outcomes', `CREATE TEMP TABLE _account_outcomes ON COMMIT DROP AS
    SELECT acc.account_id, acc.target, acc.d, acc.attributes, acc.journey_started_at, o.outcome_id, st.stage_id, st.key AS stage_key
    FROM _accounts acc JOIN _outcomes o ON o.cluster_id = acc.cluster_id
    LEFT JOIN LATERAL (SELECT s.stage_id, s.key FROM _stages s WHERE s.outcome_id = o.outcome_id AND s.start_day <= acc.d
                       ORDER BY s.start_day DESC LIMIT 1) st ON true
    -- cluster peers only for the outcomes they are peers in (those with a PERCENTILE component)
    WHERE (acc.target OR o.outcome_id = ANY($2::uuid[]))`,
  [[...new Set(rows.components.filter((c) => c.percentile).map((c) => c.outcome_id))]]);
}
