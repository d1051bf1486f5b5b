/**
 * The scoring benchmark's health model and synthetic data, shared by `bench:scoring` and `bench:soak`: 2 outcomes ×
 * 8 components (every aggregation kind, LINEAR, BANDS, PERCENTILE, an applicability rule) and a 3-stage journey per
 * outcome, defined through the GraphQL API; accounts and signals generated inside PostgreSQL from a seeded integer
 * hash (the same seed gives the same rows).
 */
import type { Client } from 'pg';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const MANAGED = { attribute: 'managed', op: 'EQ', value: true };
export const COINS = [
  {
    name: 'Adoption', components: [
      { key: 'breadth', side: 'REACTIVE', weight: 30, metric: { aggregation: 'DISTINCT_SUBJECTS', signalType: 'feature_used', windowDays: 30, normalizeBy: 'key_features' }, scoring: { type: 'LINEAR', floor: 0, target: 0.8 } },
      { key: 'login_days', side: 'REACTIVE', weight: 20, metric: { aggregation: 'DISTINCT_DAYS', signalType: 'login', windowDays: 30 }, scoring: { type: 'LINEAR', floor: 0, target: 20 } },
      { key: 'since_login', side: 'REACTIVE', weight: 15, metric: { aggregation: 'DAYS_SINCE', signalType: 'login' }, scoring: { type: 'LINEAR', floor: 30, target: 0 } },
      { key: 'tickets', side: 'REACTIVE', weight: 15, metric: { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 }, scoring: { type: 'LINEAR', floor: 10, target: 0 } },
      { key: 'nps', side: 'REACTIVE', weight: 20, metric: { aggregation: 'LATEST', signalType: 'nps', windowDays: 180 }, scoring: { type: 'BANDS', bands: [{ min: 0, score: 0 }, { min: 7, score: 60 }, { min: 9, score: 100 }] } },
      { key: 'pulse', side: 'PROACTIVE', weight: 40, metric: { aggregation: 'AVG', signalType: 'csm_pulse', windowDays: 90 }, scoring: { type: 'LINEAR', floor: 1, target: 5 }, applicability: MANAGED },
      { key: 'last_meeting', side: 'PROACTIVE', weight: 30, metric: { aggregation: 'DAYS_SINCE', signalType: 'meeting' }, scoring: { type: 'LINEAR', floor: 60, target: 7 } },
      { key: 'adherence', side: 'PROACTIVE', weight: 30, metric: { aggregation: 'JOURNEY_ADHERENCE' }, scoring: { type: 'LINEAR', floor: 0, target: 1 } },
    ],
  },
  {
    name: 'Efficiency', components: [
      { key: 'usage', side: 'REACTIVE', weight: 30, metric: { aggregation: 'SUM', signalType: 'usage', windowDays: 30 }, scoring: { type: 'LINEAR', floor: 0, target: 500 } },
      { key: 'logins_peer', side: 'REACTIVE', weight: 20, metric: { aggregation: 'COUNT', signalType: 'login', windowDays: 7 }, scoring: { type: 'PERCENTILE', higherIsBetter: true } },
      { key: 'resolved', side: 'REACTIVE', weight: 15, metric: { aggregation: 'COUNT', signalType: 'ticket_resolved', windowDays: 90 }, scoring: { type: 'LINEAR', floor: 0, target: 5 } },
      { key: 'overdue', side: 'REACTIVE', weight: 20, metric: { aggregation: 'COUNT', signalType: 'invoice_overdue', windowDays: 60 }, scoring: { type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] } },
      { key: 'best_nps', side: 'REACTIVE', weight: 15, metric: { aggregation: 'MAX', signalType: 'nps', windowDays: 365 }, scoring: { type: 'LINEAR', floor: 0, target: 10 } },
      { key: 'qbr', side: 'PROACTIVE', weight: 30, metric: { aggregation: 'DAYS_SINCE', signalType: 'qbr' }, scoring: { type: 'LINEAR', floor: 120, target: 30 } },
      { key: 'training', side: 'PROACTIVE', weight: 30, metric: { aggregation: 'COUNT', signalType: 'training', windowDays: 180 }, scoring: { type: 'LINEAR', floor: 0, target: 3 } },
      { key: 'adherence', side: 'PROACTIVE', weight: 40, metric: { aggregation: 'JOURNEY_ADHERENCE' }, scoring: { type: 'LINEAR', floor: 0, target: 1 } },
    ],
  },
];
export const JOURNEY = {
  stuckAfterDays: 30,
  stages: [
    { key: 'onboarding', name: 'Onboarding', startDay: 0, milestones: [
      { key: 'first_login', name: 'First login', expectedByDay: 3, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'login', aggregation: 'COUNT', atLeast: 1 } },
      { key: 'kickoff', name: 'Kickoff', expectedByDay: 10, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'meeting', aggregation: 'COUNT', atLeast: 1 } },
    ] },
    { key: 'adoption', name: 'Adoption', startDay: 30, milestones: [
      { key: 'three_features', name: 'Three features', expectedByDay: 45, weight: 2, completion: 'AUTOMATIC', rule: { signalType: 'feature_used', aggregation: 'DISTINCT_SUBJECTS', atLeast: 3 } },
      { key: 'trained', name: 'Trained', expectedByDay: 60, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'training', aggregation: 'COUNT', atLeast: 1 } },
    ] },
    { key: 'value', name: 'Value', startDay: 90, milestones: [
      { key: 'first_qbr', name: 'First QBR', expectedByDay: 120, weight: 2, completion: 'AUTOMATIC', rule: { signalType: 'qbr', aggregation: 'COUNT', atLeast: 1 } },
    ] },
  ],
};

/** Define the model through the API (`gql` posts one operation with the workspace's ADMIN key). */
export async function defineModel(gql: (query: string, variables?: object) => Promise<any>, opts: { noPercentile?: boolean } = {}): Promise<void> {
  const { clusters } = await gql('{ clusters { id isDefault } }');
  const clusterId = clusters.find((c: { isDefault: boolean }) => c.isDefault).id;
  for (const coin of COINS) {
    const { createOutcome } = await gql('mutation($i: CreateOutcomeInput!) { createOutcome(input: $i) { id } }', { i: { clusterId, name: coin.name } });
    const components = coin.components.map((c) => ({
      ...c, name: c.key,
      ...(opts.noPercentile && c.scoring.type === 'PERCENTILE' ? { scoring: { type: 'LINEAR', floor: 0, target: 10 } } : {}),
    }));
    await gql('mutation($o: ID!, $i: CoinInput!) { defineCoin(outcomeId: $o, input: $i) { outcomeId } }', { o: createOutcome.id, i: { proactiveWeight: 50, reactiveWeight: 50, components } });
    await gql('mutation($o: ID!, $i: JourneyInput!) { defineJourney(outcomeId: $o, input: $i) { outcomeId } }', { o: createOutcome.id, i: JOURNEY });
  }
}

// ---------------------------------------------------------------- synthetic data (inside PostgreSQL)

/** A seeded integer hash in SQL: splitmix-style mixing of (g, salt, seed), in [0, 2^31). Deterministic. */
function h(expr: string, salt: number, seed: number): string {
  return `((((${expr})::bigint * 2654435761 + ${salt * 40503 + seed * 97}) # (((${expr})::bigint * 2246822519) >> 13)) & 2147483647)`;
}

/** Signal type by weight: logins and feature use dominate, CS moments are rare. */
const TYPE_CASE = `CASE WHEN t < 35 THEN 'login' WHEN t < 63 THEN 'feature_used' WHEN t < 73 THEN 'usage' WHEN t < 79 THEN 'ticket_opened'
  WHEN t < 84 THEN 'ticket_resolved' WHEN t < 87 THEN 'nps' WHEN t < 90 THEN 'csm_pulse' WHEN t < 94 THEN 'meeting'
  WHEN t < 96 THEN 'qbr' WHEN t < 98 THEN 'training' ELSE 'invoice_overdue' END`;

export async function generate(pg: Client, workspaceId: string, accounts: number, signals: number, prefix: string,
  { seed, log }: { seed: number; log: (s: string) => void }): Promise<void> {
  await pg.query(
    `INSERT INTO accounts (workspace_id, external_id, name, attributes, journey_started_at, cluster_id)
     SELECT $1, $3 || lpad(g::text, 7, '0'), 'Account ' || g,
            jsonb_build_object('seats', 5 + ${h('g', 1, seed)} % 200, 'managed', ${h('g', 2, seed)} % 3 = 0, 'key_features', 6, 'plan', CASE WHEN ${h('g', 3, seed)} % 4 = 0 THEN 'enterprise' ELSE 'growth' END),
            date_trunc('day', now()) - make_interval(days => (${h('g', 4, seed)} % 400)::int), (SELECT id FROM clusters WHERE workspace_id = $1 AND is_default)
       FROM generate_series(1, $2) g`, [workspaceId, accounts, prefix]);
  // Signals in slices of 1M rows (one statement each) over the account ids in a fixed order.
  await pg.query(`CREATE TEMP TABLE bench_acc AS SELECT row_number() OVER (ORDER BY external_id) - 1 AS i, id FROM accounts WHERE workspace_id = $1`, [workspaceId]);
  await pg.query('CREATE INDEX ON bench_acc (i)');
  const slice = 1_000_000;
  for (let from = 1; from <= signals; from += slice) {
    const to = Math.min(signals, from + slice - 1);
    await pg.query(
      `INSERT INTO signals (workspace_id, account_id, type, subject, value, occurred_at)
       SELECT $1, a.id, x.type,
              CASE WHEN x.type = 'feature_used' THEN 'f' || (x.r % 12) WHEN x.type = 'login' THEN 'u' || (x.r % 25) END,
              CASE x.type WHEN 'usage' THEN (x.r % 50)::float8 WHEN 'nps' THEN (x.r % 11)::float8 WHEN 'csm_pulse' THEN (1 + x.r % 5)::float8 END,
              date_trunc('day', now()) - make_interval(secs => (x.s % (180 * 86400))::float8)
         FROM (SELECT g, ${TYPE_CASE} AS type, r, s FROM (
                 SELECT g, ${h('g', 5, seed)} % 100 AS t, ${h('g', 6, seed)} AS r, ${h('g', 7, seed)} AS s FROM generate_series($2::bigint, $3::bigint) g) y) x
         JOIN bench_acc a ON a.i = x.g % $4`, [workspaceId, from, to, accounts]);
    log(`    ${fmt(to)} / ${fmt(signals)} signals`);
  }
  await pg.query('DROP TABLE bench_acc');
  await pg.query('ANALYZE accounts; ANALYZE signals');
}
