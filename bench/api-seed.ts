/**
 * Synthetic read-path data for `npm run bench:api`, generated inside PostgreSQL: a workspace with a
 * 100k-account cluster ("Enterprise", 2 outcomes with 6-milestone journeys) and a 20k-account one
 * ("SMB"), and for every account × outcome a current result (score, band, sides, coverage, stage,
 * journey status, next milestone, 8 drivers, milestones with achievement times) plus the account
 * health. Deterministic per account (hashtext of ids), shaped like what the engine writes
 * (.coord/SCORING-TABLES.md), so the API reads exactly what it reads in production.
 */
import type { DataSource } from 'typeorm';
import { createWorkspace } from '../src/workspaces/workspace.service';

export const AS_OF = '2026-03-02T00:00:00Z';

export interface ApiBenchData { workspaceId: string; adminKey: string; clusterId: string; outcomeIds: string[] }

const JOURNEY = [
  { key: 'onboarding', name: 'Onboarding', startDay: 0, milestones: [['kickoff', 'Kick-off held', 7], ['first-map', 'First org chart', 21]] },
  { key: 'adoption', name: 'Adoption', startDay: 30, milestones: [['team-invite', 'Team invited', 45], ['ten-maps', 'Ten maps', 75]] },
  { key: 'value', name: 'Value', startDay: 90, milestones: [['exec-review', 'Executive review', 120], ['renewal-ready', 'Renewal ready', 180]] },
] as const;

export async function seedApiBench(db: DataSource, accounts: number, log: (s: string) => void): Promise<ApiBenchData> {
  const { workspace, adminKey } = await createWorkspace(db, 'API bench');
  const ws = workspace.id;
  const one = async (sql: string, params: unknown[]) => (await db.query(sql, params))[0];
  const cluster = async (name: string, priority: number) =>
    (await one(`INSERT INTO clusters (workspace_id, name, priority, rule, is_default) VALUES ($1, $2, $3, NULL, false) RETURNING id`, [ws, name, priority])).id as string;
  const enterprise = await cluster('Enterprise', 10);
  const smb = await cluster('SMB', 20);
  const outcome = async (clusterId: string, name: string, weight: number) =>
    (await one(`INSERT INTO outcomes (workspace_id, cluster_id, name, weight) VALUES ($1, $2, $3, $4) RETURNING id`, [ws, clusterId, name, weight])).id as string;
  const outcomes = [
    { id: await outcome(enterprise, 'Stakeholder map', 1), cluster: enterprise },
    { id: await outcome(enterprise, 'Adoption', 2), cluster: enterprise },
    { id: await outcome(smb, 'Self-serve value', 1), cluster: smb },
  ];
  for (const o of outcomes) {
    await db.query(`INSERT INTO journeys (workspace_id, outcome_id, stuck_after_days) VALUES ($1, $2, 30)`, [ws, o.id]);
    let position = 0;
    for (const s of JOURNEY) {
      const st = await one(`INSERT INTO journey_stages (workspace_id, outcome_id, key, name, start_day) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [ws, o.id, s.key, s.name, s.startDay]);
      for (const [key, name, day] of s.milestones) {
        await db.query(`INSERT INTO milestones (workspace_id, outcome_id, stage_id, key, name, expected_by_day, weight, completion, rule, position)
                        VALUES ($1, $2, $3, $4, $5, $6, 1, 'MANUAL', NULL, $7)`, [ws, o.id, st.id, key, name, day, position++]);
      }
    }
  }
  const mv = (await one(`INSERT INTO model_versions (workspace_id, hash, config) VALUES ($1, 'api-bench', '{}') RETURNING id`, [ws])).id;

  const t0 = Date.now();
  // Journeys started up to 400 days before AS_OF.
  await db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, attributes, csm_owner, journey_started_at, renewal_date, cluster_id)
     SELECT $1, 'acc-' || lpad(g::text, 6, '0'), initcap(w.word) || ' ' || g, jsonb_build_object('seats', 5 + g % 200),
            'csm' || (g % 25) || '@example.com', $4::timestamptz - (abs(hashtext('start' || g)) % 400) * interval '1 day',
            ($4::timestamptz + (abs(hashtext('renew' || g)) % 365) * interval '1 day')::date,
            CASE WHEN g <= $2::int THEN $5::uuid ELSE $6::uuid END
       FROM generate_series(1, $2::int + $3::int) g
       CROSS JOIN LATERAL (SELECT (ARRAY['acme','globex','initech','umbrella','stark','wayne','hooli','vandelay','wonka','tyrell'])[1 + g % 10] AS word) w`,
    [ws, accounts, Math.round(accounts / 5), AS_OF, enterprise, smb]);
  log(`  ${accounts + Math.round(accounts / 5)} accounts in ${Date.now() - t0} ms`);

  for (const o of outcomes) {
    const t1 = Date.now();
    // CTE row estimates are poor here: a nested loop over two 100k-row CTEs would run for hours.
    await db.transaction(async (em) => { await em.query('SET LOCAL enable_nestloop = off'); await em.query(
      `INSERT INTO current_outcome_health (workspace_id, account_id, outcome_id, score, band, proactive, reactive, coverage, stage_id,
         journey_day, journey_status, overdue_count, next_milestone_id, days_until_due, drivers, milestones, model_version_id, as_of,
         achievement_stage_id)
       WITH acc AS (
         SELECT a.id, a.journey_started_at, floor(extract(epoch FROM ($3::timestamptz - a.journey_started_at)) / 86400)::int AS day
           FROM accounts a WHERE a.workspace_id = $1 AND a.cluster_id = $4
       ), ms AS (
         SELECT acc.id AS account_id, acc.day, acc.journey_started_at, m.id AS milestone_id, m.key, m.expected_by_day, st.start_day, m.position, m.stage_id,
                m.expected_by_day + abs(hashtext(acc.id::text || m.key)) % 41 - 20 AS reach_day,
                abs(hashtext(m.key || acc.id::text)) % 100 < 80 AS will_reach
           FROM acc JOIN milestones m ON m.workspace_id = $1 AND m.outcome_id = $2
           JOIN journey_stages st ON st.workspace_id = $1 AND st.id = m.stage_id
       ), ms2 AS (
         SELECT ms.*, CASE WHEN will_reach AND reach_day BETWEEN 0 AND day
                           THEN journey_started_at + reach_day * interval '1 day' + (abs(hashtext(account_id::text)) % 86400) * interval '1 second' END AS achieved_at
           FROM ms
       ), journey AS (
         SELECT account_id,
                jsonb_agg(jsonb_build_object('milestoneId', milestone_id, 'key', key, 'expectedByDay', expected_by_day, 'weight', 1,
                  'achievedAt', to_char(achieved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ORDER BY start_day, position) AS milestones,
                count(*) FILTER (WHERE expected_by_day <= day AND achieved_at IS NULL)::int AS overdue,
                max(achieved_at) AS last_achieved,
                bool_or(expected_by_day > day AND achieved_at IS NOT NULL) AS ahead,
                (array_agg(milestone_id ORDER BY expected_by_day) FILTER (WHERE achieved_at IS NULL AND expected_by_day > day))[1] AS next_id,
                min(expected_by_day) FILTER (WHERE achieved_at IS NULL AND expected_by_day > day) - min(day) AS until_due,
                (array_agg(stage_id ORDER BY start_day, position) FILTER (WHERE achieved_at IS NULL))[1] AS open_stage
           FROM ms2 GROUP BY account_id
       ), comp AS (
         SELECT acc.id AS account_id, k, CASE WHEN k <= 3 THEN 'PROACTIVE' ELSE 'REACTIVE' END AS side,
                (abs(hashtext(acc.id::text || k)) % 101)::float8 AS score
           FROM acc CROSS JOIN generate_series(1, 8) k
       ), drivers AS (
         SELECT account_id, avg(score) AS score, avg(score) FILTER (WHERE side = 'PROACTIVE') AS proactive,
                avg(score) FILTER (WHERE side = 'REACTIVE') AS reactive,
                jsonb_agg(jsonb_build_object('componentId', md5($2::text || k)::uuid, 'key', 'component-' || k, 'name', 'Component ' || k,
                  'side', side, 'rawValue', score / 10, 'score', score, 'weight', 1, 'effectiveWeight', 0.125,
                  'contribution', score / 8, 'pointsLost', (100 - score) / 8, 'applicable', true, 'missing', false)
                  ORDER BY (100 - score) DESC, k) AS list -- as the engine stores them: worst first, ties in component order
           FROM comp GROUP BY account_id
       )
       SELECT $1, acc.id, $2, d.score, CASE WHEN d.score < 40 THEN 'RED' WHEN d.score < 70 THEN 'YELLOW' ELSE 'GREEN' END,
              d.proactive, d.reactive, 1,
              (SELECT st.id FROM journey_stages st WHERE st.workspace_id = $1 AND st.outcome_id = $2 AND st.start_day <= acc.day ORDER BY st.start_day DESC LIMIT 1),
              acc.day,
              CASE WHEN j.overdue > 0 AND (j.last_achieved IS NULL OR j.last_achieved < $3::timestamptz - interval '30 days') THEN 'STUCK'
                   WHEN j.overdue > 0 THEN 'BEHIND' WHEN j.ahead THEN 'AHEAD' ELSE 'ON_TRACK' END,
              j.overdue, j.next_id, j.until_due, d.list, j.milestones, $5, $3::timestamptz,
              coalesce(j.open_stage, (SELECT st.id FROM journey_stages st WHERE st.workspace_id = $1 AND st.outcome_id = $2 ORDER BY st.start_day DESC LIMIT 1))
         FROM acc JOIN journey j ON j.account_id = acc.id JOIN drivers d ON d.account_id = acc.id`,
      [ws, o.id, AS_OF, o.cluster, mv]);
    // Statistics of the rows just written (same transaction): without them the planner guessed an empty table and
    // joined the accounts in a nested loop (minutes on a loaded machine).
    await em.query('ANALYZE current_outcome_health');
    // The narrow milestone rows the engine keeps beside the current results (what journeyProgress reads).
    await em.query(
      `INSERT INTO current_milestone_progress (workspace_id, outcome_id, account_id, milestone_id, days_to_achieve, due, achieved_on_time)
       SELECT h.workspace_id, h.outcome_id, h.account_id, e."milestoneId", floor(date_part('epoch', e."achievedAt" - a.journey_started_at) / 86400)::int,
              h.journey_day >= e."expectedByDay", coalesce(e."achievedAt" <= a.journey_started_at + e."expectedByDay" * interval '1 day', false)
         FROM current_outcome_health h JOIN accounts a ON a.workspace_id = h.workspace_id AND a.id = h.account_id
        CROSS JOIN LATERAL jsonb_to_recordset(h.milestones) AS e("milestoneId" uuid, "achievedAt" timestamptz, "expectedByDay" int)
        WHERE h.workspace_id = $1 AND h.outcome_id = $2`, [ws, o.id]); });
    log(`  current results of outcome ${o.id.slice(0, 8)} in ${Date.now() - t1} ms`);
  }
  await db.query(
    `INSERT INTO current_account_health (workspace_id, account_id, score, band, coverage, model_version_id, as_of, worst_journey_status)
     SELECT workspace_id, account_id, score, CASE WHEN score < 40 THEN 'RED' WHEN score < 70 THEN 'YELLOW' ELSE 'GREEN' END, 1, $2, $3, worst
       FROM (SELECT c.workspace_id, c.account_id, sum(o.weight * c.score) / sum(o.weight) AS score,
                    (ARRAY['AHEAD','ON_TRACK','BEHIND','STUCK'])[max(array_position(ARRAY['AHEAD','ON_TRACK','BEHIND','STUCK'], c.journey_status))] AS worst
               FROM current_outcome_health c JOIN outcomes o ON o.workspace_id = c.workspace_id AND o.id = c.outcome_id
              WHERE c.workspace_id = $1
              GROUP BY c.workspace_id, c.account_id) h`,
    [ws, mv, AS_OF]);
  await db.query('VACUUM ANALYZE'); // visibility map and statistics, as autovacuum would leave them: index-only scans for both servers
  return { workspaceId: ws, adminKey, clusterId: enterprise, outcomeIds: outcomes.map((o) => o.id) };
}

/**
 * What PostGraphile serves (bench database only, never a migration): the same data through views,
 * with smart tags for keys and relations, and the journeyProgress statement as a SQL function.
 */
export function postgraphileSchemaSql(journeyProgressSql: string): string {
  return `
    -- PostGraphile's joins over these views filter on account_id / cluster_id alone (no workspace_id):
    -- give them indexes too, so that it is measured at its best, not on sequential scans.
    CREATE INDEX IF NOT EXISTS bench_pgl_accounts_cluster_name ON public.accounts (cluster_id, lower(name), id);
    CREATE INDEX IF NOT EXISTS bench_pgl_coh_account ON public.current_outcome_health (account_id);
    CREATE INDEX IF NOT EXISTS bench_pgl_cah_account ON public.current_account_health (account_id);
    DROP SCHEMA IF EXISTS pgl CASCADE;
    CREATE SCHEMA pgl;
    CREATE VIEW pgl.clusters AS SELECT id, workspace_id, name FROM public.clusters;
    COMMENT ON VIEW pgl.clusters IS E'@primaryKey id';
    -- "latest snapshot per account": the account with its current health
    CREATE VIEW pgl.accounts AS
      SELECT a.id, a.workspace_id, a.cluster_id, a.external_id, a.name, lower(a.name) AS sort_name,
             h.score, coalesce(h.band, 'UNKNOWN') AS band
        FROM public.accounts a
        LEFT JOIN public.current_account_health h ON h.workspace_id = a.workspace_id AND h.account_id = a.id;
    COMMENT ON VIEW pgl.accounts IS E'@primaryKey id\\n@foreignKey (cluster_id) references pgl.clusters (id)';
    CREATE VIEW pgl.account_outcomes AS
      SELECT c.account_id, c.outcome_id, o.name AS outcome_name, c.score, c.band, c.journey_status, c.days_until_due,
             c.next_milestone_id, m.name AS next_milestone_name,
             -- the 3 drivers that lost the most points, with the fields the dashboard shows (as our API serves them):
             -- the first 3 stored (drivers are stored worst first), read the same way as our API reads them
             (SELECT jsonb_agg(jsonb_build_object('key', d->>'key', 'name', d->>'name', 'score', (d->>'score')::float8,
                                                  'pointsLost', (d->>'pointsLost')::float8) ORDER BY i)
                FROM jsonb_array_elements(jsonb_path_query_array(c.drivers, '$[0 to 2]')) WITH ORDINALITY x(d, i)) AS top_drivers
        FROM public.current_outcome_health c
        JOIN public.outcomes o ON o.workspace_id = c.workspace_id AND o.id = c.outcome_id
        LEFT JOIN public.milestones m ON m.workspace_id = c.workspace_id AND m.id = c.next_milestone_id;
    COMMENT ON VIEW pgl.account_outcomes IS E'@primaryKey account_id,outcome_id\\n@foreignKey (account_id) references pgl.accounts (id)';
    -- journeyProgress: our exact statement ($1 workspace, $2 outcome) as a function
    CREATE FUNCTION pgl.journey_progress(ws uuid, outcome uuid) RETURNS json LANGUAGE sql STABLE AS $fn$
      SELECT row_to_json(x) FROM (${journeyProgressSql}) x
    $fn$;
  `;
}
