/**
 * No N+1: the dashboard query sends the same number of SQL statements for a page of 10 accounts
 * as for a page of 100 (every relation goes through a per-request DataLoader).
 * Statements are counted at node-postgres' Client.query, which every ORM call, raw and prepared query passes.
 */
import { statementsDuring } from './support/statements';
import { DASHBOARD_QUERY } from '../bench/queries';
import { useTestServer, type TestWorkspace } from './support/harness';
import { HealthFixture } from './support/health-fixtures';

describe('dashboard statement count', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let clusterId: string;
  let seen: string[] = [];

  beforeAll(async () => {
    ws = await t.workspace();
    const fx = new HealthFixture(t.db, ws.id);
    clusterId = await fx.cluster('Enterprise');
    const outcomes = [await fx.outcome(clusterId, 'Stakeholder map'), await fx.outcome(clusterId, 'Adoption', 2)];
    const journeys = [];
    for (const o of outcomes) {
      journeys.push(await fx.journey(o, [
        { key: 'onboarding', startDay: 0, milestones: [{ key: 'kickoff', name: 'Kick-off', expectedByDay: 7 }, { key: 'first-value', name: 'First value', expectedByDay: 30 }] },
        { key: 'adoption', startDay: 30, milestones: [{ key: 'habit', name: 'Weekly habit', expectedByDay: 90 }] },
      ]));
    }
    const mv = await fx.modelVersion();
    // 120 accounts, each scored on both outcomes with 4 drivers (stored worst first, as the engine does);
    // distinct milestones and stages per outcome.
    await t.db.query(
      `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
       SELECT $1, 'acc-' || lpad(g::text, 3, '0'), 'Account ' || g, '2026-01-01', $2 FROM generate_series(1, 120) g`, [ws.id, clusterId]);
    for (const [i, o] of outcomes.entries()) {
      await t.db.query(
        `INSERT INTO current_outcome_health (workspace_id, account_id, outcome_id, score, band, proactive, reactive, coverage, stage_id,
           journey_day, journey_status, overdue_count, next_milestone_id, days_until_due, drivers, milestones, model_version_id, as_of)
         SELECT a.workspace_id, a.id, $2, s, CASE WHEN s < 40 THEN 'RED' WHEN s < 70 THEN 'YELLOW' ELSE 'GREEN' END, s, s, 1, $3,
                20, 'BEHIND', 1, $4, 10,
                (SELECT jsonb_agg(d ORDER BY (d->>'pointsLost')::float8 DESC, i) FROM jsonb_array_elements(jsonb_build_array(
                  jsonb_build_object('componentId', gen_random_uuid(), 'key', 'logins', 'name', 'Logins', 'side', 'REACTIVE', 'score', s, 'pointsLost', 50 - s / 2, 'contribution', s / 2, 'effectiveWeight', 0.5, 'weight', 1, 'rawValue', 3, 'applicable', true, 'missing', false),
                  jsonb_build_object('componentId', gen_random_uuid(), 'key', 'tickets', 'name', 'Tickets', 'side', 'REACTIVE', 'score', 100 - s, 'pointsLost', s / 4, 'contribution', 25 - s / 4, 'effectiveWeight', 0.25, 'weight', 1, 'rawValue', 1, 'applicable', true, 'missing', false),
                  jsonb_build_object('componentId', gen_random_uuid(), 'key', 'qbr', 'name', 'QBR', 'side', 'PROACTIVE', 'score', 50, 'pointsLost', 12.5, 'contribution', 12.5, 'effectiveWeight', 0.25, 'weight', 1, 'rawValue', 1, 'applicable', true, 'missing', false),
                  jsonb_build_object('componentId', gen_random_uuid(), 'key', 'pulse', 'name', 'Pulse', 'side', 'PROACTIVE', 'score', null, 'pointsLost', 0, 'contribution', 0, 'effectiveWeight', 0, 'weight', 1, 'rawValue', null, 'applicable', true, 'missing', true))) WITH ORDINALITY AS x(d, i)),
                jsonb_build_array(jsonb_build_object('milestoneId', $5::uuid, 'key', 'kickoff', 'expectedByDay', 7, 'weight', 1, 'achievedAt', '2026-01-05T00:00:00Z'),
                                  jsonb_build_object('milestoneId', $4::uuid, 'key', 'first-value', 'expectedByDay', 30, 'weight', 1, 'achievedAt', null)),
                $6, '2026-01-21T00:00:00Z'
           FROM (SELECT a.*, (row_number() OVER (ORDER BY a.external_id) * 7 % 100)::float8 AS s FROM accounts a WHERE a.workspace_id = $1) a`,
        [ws.id, o, journeys[i].stages.onboarding, journeys[i].milestones['first-value'], journeys[i].milestones.kickoff, mv]);
    }
    await t.db.query(
      `INSERT INTO current_account_health (workspace_id, account_id, score, band, coverage, model_version_id, as_of, worst_journey_status)
       SELECT c.workspace_id, c.account_id, avg(c.score), min(c.band), 1, $2, '2026-01-21T00:00:00Z', 'BEHIND'
         FROM current_outcome_health c WHERE c.workspace_id = $1 GROUP BY c.workspace_id, c.account_id`, [ws.id, mv]);
  });

  async function statementsFor(first: number, query = DASHBOARD_QUERY): Promise<{ count: number; data: any }> {
    const { statements, result: data } = await statementsDuring(() => t.ok(query, { clusterId, first }, ws.keys.ANALYST));
    seen = statements;
    return { count: statements.length, data };
  }

  it('does not grow with the page size (10 vs 100 accounts)', async () => {
    await statementsFor(10); // warm-up (nothing cached across requests, but keep the comparison fair)
    const ten = await statementsFor(10);
    const hundred = await statementsFor(100);
    expect(ten.data.accounts.edges).toHaveLength(10);
    expect(hundred.data.accounts.edges).toHaveLength(100);
    expect(hundred.data.accounts.pageInfo.hasNextPage).toBe(true);
    const node = hundred.data.accounts.edges[99].node;
    expect(node.cluster.name).toBe('Enterprise');
    expect(node.outcomes).toHaveLength(2);
    expect(node.outcomes.map((o: any) => o.outcome.name).sort()).toEqual(['Adoption', 'Stakeholder map']);
    expect(node.outcomes[0].journey).toMatchObject({ status: 'BEHIND', daysUntilDue: 10, nextMilestone: { name: 'First value' } });
    expect(node.outcomes[0].drivers.slice(0, 3).map((d: any) => d.key)).toHaveLength(3);
    // Printed for the report: the statements of one dashboard request.
    process.stdout.write(`dashboard statements: first 10 → ${ten.count}, first 100 → ${hundred.count}\n`);
    if (process.env.SHOW_STATEMENTS) process.stdout.write(seen.map((q) => q.replace(/\s+/g, " ").slice(0, 160)).join("\n") + "\n");
    expect(hundred.count).toBe(ten.count);
    expect(ten.count).toBeLessThanOrEqual(12);
  });

  it('every milestone of every journey, read only when asked for, also in one statement per page', async () => {
    const Q = `query($clusterId: ID!, $first: Int!) { accounts(filter: { clusterId: $clusterId }, first: $first) { edges { node {
      outcomes { journey { status milestones { milestone { key } achievedAt expectedByDay } overdueMilestones { milestone { key } daysOverdue } } } } } } }`;
    const ten = await statementsFor(10, Q);
    const hundred = await statementsFor(100, Q);
    expect(hundred.count).toBe(ten.count);
    const journey = hundred.data.accounts.edges[99].node.outcomes[0].journey;
    expect(journey.milestones.map((m: any) => [m.milestone.key, m.achievedAt, m.expectedByDay]))
      .toEqual([['kickoff', '2026-01-05T00:00:00.000Z', 7], ['first-value', null, 30]]);
    expect(journey.overdueMilestones).toEqual([]); // day 20: first-value is due by day 30
  });

  // A page and `account(id)` must answer the same. These queries mix fields the page plan reads (cluster, health) with
  // fields it leaves to the loaders (stage, modelVersion, change, a driver's component), so the outcomes come through
  // the loaders batched per page; test/page-plan.test.ts compares pages the plan reads whole.
  const HEALTH = `id externalId name attributes csmOwner journeyStartedAt renewalDate createdAt updatedAt cluster { id name } health { score band coverage asOf worstJourneyStatus }
    outcomes { outcome { id name weight createdAt } score band proactive reactive coverage day asOf modelVersion
      stage { key } journey { status daysUntilDue nextMilestone { id key name expectedByDay } } TOP change(days: 5) { delta } }`;
  const listQuery = (top: string) => `query($clusterId: ID!, $first: Int!, $top: Int) {
    accounts(filter: { clusterId: $clusterId }, first: $first) { edges { node { ...h } } } }
    fragment h on Account { ${HEALTH.replace('TOP', top)} }`;
  const oneQuery = (top: string) => `query($id: ID!, $top: Int) { account(id: $id) { ${HEALTH.replace('TOP', top)} } }`;

  it.each([
    ['the same top everywhere', 'drivers(top: $top) { key pointsLost score component { key side } }', 3],
    ['several tops (drivers by their own loader)', 'worst: drivers(top: 1) { key } drivers(top: $top) { key pointsLost score }', 2],
    ['every driver (top: null)', 'drivers(top: $top) { key pointsLost }', null],
  ])('a page answers what the loaders alone answer: %s', async (_what, top, topValue) => {
    const page = await t.ok(listQuery(top), { clusterId, first: 30, top: topValue }, ws.keys.ANALYST);
    expect(page.accounts.edges).toHaveLength(30);
    for (const i of [0, 7, 29]) {
      const node = page.accounts.edges[i].node;
      const one = await t.ok(oneQuery(top), { id: node.id, top: topValue }, ws.keys.ANALYST);
      expect(node).toEqual(one.account);
      expect(node.outcomes).toHaveLength(2);
      expect(node.health.band).not.toBe('UNKNOWN');
      expect(node.outcomes[0].journey.nextMilestone.key).toBe('first-value');
    }
    const drivers = page.accounts.edges[7].node.outcomes[0].drivers.map((d: any) => d.pointsLost);
    expect(drivers).toHaveLength(topValue ?? 4);
    expect(drivers).toEqual([...drivers].sort((a: number, b: number) => b - a));
  });

  // Prepared statements stay bounded: the drivers' top is a parameter and the page size is read from a fixed set of
  // limits, so any number of page sizes and tops shares a few statement texts (each text becomes a named statement
  // on every pooled connection).
  it('a few page statement texts whatever the page size and top', async () => {
    const texts = new Map<number, Set<string>>();
    for (const [first, top] of [[5, 1], [9, 3], [10, 0], [17, 3], [50, 2], [120, 7], [101, 4]]) {
      const { statements, result } = await statementsDuring(() => t.ok(listQuery('drivers(top: $top) { key }'), { clusterId, first, top }, ws.keys.ANALYST));
      expect(result.accounts.edges).toHaveLength(Math.min(first, 120));
      expect(result.accounts.edges[0].node.outcomes[0].drivers).toHaveLength(Math.min(top, 4));
      const page = statements.filter((s) => /FROM accounts a\b/.test(s));
      expect(page).toHaveLength(1);
      texts.set(first, new Set([...(texts.get(first) ?? []), ...page]));
    }
    const all = new Set([...texts.values()].flatMap((s) => [...s]));
    expect(all.size).toBe(4); // limits 11 (first 5, 9, 10), 21 (17), 51 (50), 201 (101, 120)
    expect(texts.get(5)).toEqual(texts.get(9));
    expect(texts.get(120)).toEqual(texts.get(101));
  });
});
