/**
 * The account list's page plan (src/shared/plan.ts): a page reads what its query asks of each account in its one
 * statement, as JSON shaped as the GraphQL types, and answers exactly what the resolvers and loaders answer for
 * `account(id)`. Cases a plan could get wrong are in the data: timestamps with microseconds (ids and asOf are
 * written from them), an account never scored, an outcome without a journey, a journey with nothing left, an
 * inactive outcome, a driver without a score, and numbers stored as `numeric`.
 */
import { statementsDuring } from './support/statements';
import { useTestServer, type TestWorkspace } from './support/harness';
import { HealthFixture } from './support/health-fixtures';

const EVERY_PLANNED_FIELD = `
  __typename id externalId name
  cluster { __typename id key name description priority isDefault createdAt updatedAt }
  health { __typename id asOf score band coverage worstJourneyStatus }
  outcomes {
    __typename id outcomeId asOf score band proactive reactive coverage day same: score
    outcome { id key name description weight active createdAt updatedAt }
    journey { id status nextMilestoneId daysUntilDue nextMilestone { id key name expectedByDay weight } }
    drivers(top: $top) { id componentId key name side rawValue score weight effectiveWeight contribution pointsLost applicable missing }
    worst: drivers(top: $top) { key }
  }`;

const pageQuery = (fields: string) => `query($clusterId: ID!, $top: Int) {
  accounts(filter: { clusterId: $clusterId }, first: 10) { edges { node { ...f } } } }
  fragment f on Account { ${fields} }`;
const oneQuery = (fields: string) => `query($id: ID!, $top: Int) { account(id: $id) { ${fields} } }`;

describe('page plan', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let clusterId: string;

  beforeAll(async () => {
    ws = await t.workspace();
    const fx = new HealthFixture(t.db, ws.id);
    clusterId = await fx.cluster('Plan');
    const adoption = await fx.outcome(clusterId, 'Adoption', 2.5);
    const value = await fx.outcome(clusterId, 'Value');
    const retired = await fx.outcome(clusterId, 'Retired');
    await t.db.query(`UPDATE outcomes SET active = false WHERE workspace_id = $1 AND id = $2`, [ws.id, retired]);
    const journey = await fx.journey(adoption, [{ key: 'start', startDay: 0, milestones: [{ key: 'kickoff', name: 'Kick-off', expectedByDay: 7, weight: 1.5 }] }]);
    const driver = (key: string, score: number | null, pointsLost: number) => ({
      componentId: `00000000-0000-4000-8000-${String(key.length).padStart(12, '0')}`, key, name: key.toUpperCase(), side: 'REACTIVE',
      rawValue: score === null ? null : score / 10, score, weight: 1, effectiveWeight: 0.5, contribution: score === null ? 0 : score / 2,
      pointsLost, applicable: true, missing: score === null,
    });
    const scored = await fx.account({ externalId: 'a-scored', clusterId });
    const finished = await fx.account({ externalId: 'b-finished', clusterId });
    await fx.account({ externalId: 'c-never', clusterId });
    // Microseconds past the millisecond: ids and asOf must cut them as Date does.
    const asOf = '2026-01-21T10:11:12.999999Z';
    for (const [account, next] of [[scored, journey.milestones.kickoff], [finished, null]] as const) {
      await fx.snapshot({ accountId: account, outcomeId: adoption, asOf, score: 61.25, proactive: 70, reactive: 52.5, coverage: 0.75,
        stageId: journey.stages.start, journeyDay: 20, journeyStatus: 'BEHIND', nextMilestoneId: next, daysUntilDue: next ? 3 : null,
        drivers: [driver('logins', 40, 30), driver('nps', null, 0), driver('tickets', 90, 5)], current: true });
      await fx.snapshot({ accountId: account, outcomeId: value, asOf, score: null, current: true });
      await fx.snapshot({ accountId: account, outcomeId: retired, asOf, score: 10, current: true });
      await fx.accountSnapshot({ accountId: account, asOf: '2026-01-21T10:11:12.000500Z', score: 61.25, coverage: 0.75, worstJourneyStatus: 'BEHIND', current: true });
    }
  });

  it.each([
    ['the first 2 drivers', 2],
    ['every driver', null],
  ])('a page answers what account(id) answers, in one statement: %s', async (_what, top) => {
    const { statements, result: page } = await statementsDuring(() => t.ok(pageQuery(EVERY_PLANNED_FIELD), { clusterId, top }, ws.keys.ANALYST));
    // One page statement, and nothing left to a loader: besides it, only the filter's check that the cluster exists.
    expect(statements.filter((s) => /FROM accounts a\b/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => !/FROM accounts a\b/.test(s)).filter((s) => /current_|outcomes|milestones/.test(s))).toEqual([]);
    expect(statements.filter((s) => !/FROM api_keys/.test(s))).toHaveLength(2); // the key is read once, then cached

    const nodes = page.accounts.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.externalId)).toEqual(['a-scored', 'b-finished', 'c-never']);
    for (const node of nodes) {
      const one = await t.ok(oneQuery(EVERY_PLANNED_FIELD), { id: node.id, top }, ws.keys.ANALYST);
      expect(node).toEqual(one.account);
    }
    const [scored, finished, never] = nodes;
    // What the equality above covers, spelled out.
    expect(scored.health.id).toBe(`${scored.id}@2026-01-21T10:11:12.000Z`);
    expect(scored.outcomes.map((o: any) => o.outcome.name)).toEqual(['Adoption', 'Value']); // not the inactive one
    const [adoption, value] = scored.outcomes;
    expect(adoption.id).toBe(`${scored.id}:${adoption.outcomeId}@2026-01-21T10:11:12.999Z`);
    expect(adoption.asOf).toBe('2026-01-21T10:11:12.999Z');
    expect(adoption.outcome.weight).toBe(2.5);
    expect(adoption.journey).toMatchObject({ id: adoption.id, status: 'BEHIND', daysUntilDue: 3, nextMilestone: { key: 'kickoff', expectedByDay: 7, weight: 1.5 } });
    expect(adoption.drivers.map((d: any) => d.key)).toEqual(top === 2 ? ['logins', 'tickets'] : ['logins', 'tickets', 'nps']);
    expect(adoption.drivers[0].id).toBe(`${adoption.id}/${adoption.drivers[0].componentId}`);
    expect(adoption.worst).toEqual(adoption.drivers.map((d: any) => ({ key: d.key })));
    expect(value).toMatchObject({ score: null, journey: null, drivers: [] });
    expect(finished.outcomes[0].journey).toMatchObject({ nextMilestoneId: null, nextMilestone: null, daysUntilDue: null });
    expect(never.health).toEqual({ __typename: 'AccountHealth', id: `${never.id}@never`, asOf: null, score: null, band: 'UNKNOWN', coverage: null, worstJourneyStatus: null });
    expect(never.outcomes).toEqual([]);
  });

  // A relation with a field the plan cannot read (here the stage, and a driver's component) is left to its
  // resolver and loader, whole: the same answer, with the loaders' statements.
  it.each([
    ['stage', 'outcomes { score stage { key } drivers(top: $top) { key } }'],
    ['a driver\'s component', 'outcomes { score drivers(top: $top) { key component { id } } }'],
    ['two different tops', 'outcomes { score drivers(top: $top) { key } one: drivers(top: 1) { key } }'],
  ])('a relation the plan cannot read is loaded: %s', async (_what, fields) => {
    const { statements, result: page } = await statementsDuring(() => t.ok(pageQuery(`id ${fields}`), { clusterId, top: 2 }, ws.keys.ANALYST));
    expect(statements.some((s) => /FROM current_outcome_health h\s+JOIN outcomes o/.test(s) && !/FROM accounts a\b/.test(s))).toBe(true);
    for (const { node } of page.accounts.edges) {
      const one = await t.ok(oneQuery(`id ${fields}`), { id: node.id, top: 2 }, ws.keys.ANALYST);
      expect(node).toEqual(one.account);
    }
    expect(page.accounts.edges[0].node.outcomes).toHaveLength(2);
  });

  it('refuses a negative top as the loaders do, planned or not', async () => {
    const res = await t.gql(pageQuery('outcomes { drivers(top: $top) { key } }'), { clusterId, top: -1 }, ws.keys.ANALYST);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
