/**
 * The compiled executor (src/shared/jit-executor.ts): the read path's operations run compiled by graphql-jit and
 * answer exactly what graphql-js answers; operations graphql-jit would get wrong (input objects with defaults,
 * recursive inputs) are left to graphql-js, and their defaults still apply.
 */
import { parse } from 'graphql';
import { DASHBOARD_QUERY, JOURNEY_PROGRESS_QUERY } from '../bench/queries';
import { startApp, type RunningApp } from '../src/app';
import { getSchema } from '../src/schema';
import { compilable } from '../src/shared/jit-executor';
import { seedDemo } from '../seeds/demo';
import { useTestServer } from './support/harness';

describe('compiled execution (graphql-jit)', () => {
  const t = useTestServer();
  let interpreted: RunningApp;
  let key: string;
  let clusterId: string;
  let outcomeId: string;

  beforeAll(async () => {
    ({ adminKey: key } = await seedDemo(t.db));
    interpreted = await startApp({ db: t.db, port: 0, host: '127.0.0.1', introspection: true, jit: false });
    [{ id: clusterId }] = await t.db.query(`SELECT id FROM clusters WHERE name = 'Managed enterprise'`);
    [{ id: outcomeId }] = await t.db.query(`SELECT id FROM outcomes WHERE cluster_id = $1 ORDER BY created_at LIMIT 1`, [clusterId]);
  }, 120_000);
  t.cleanup(async () => { await interpreted?.stop(); });

  async function both(query: string, variables: Record<string, unknown>) {
    const ask = async (url: string): Promise<any> => (await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }),
    })).json();
    return { compiled: await ask(t.app.url), js: await ask(interpreted.url) };
  }

  it('compiles the screens\' queries and leaves input objects with defaults or recursion to graphql-js', async () => {
    const schema = await getSchema();
    const ok = (q: string) => compilable(schema, parse(q), '');
    expect(ok(DASHBOARD_QUERY)).toBe(true); // filter: { clusterId: $clusterId } has no defaulted fields
    expect(ok(JOURNEY_PROGRESS_QUERY)).toBe(true);
    expect(ok('{ accounts(orderBy: { field: SCORE_CHANGE }) { totalCount } }')).toBe(false); // changeDays = 30
    expect(ok('query($o: AccountOrder) { accounts(orderBy: $o) { totalCount } }')).toBe(false);
    expect(ok('mutation($i: CreateClusterInput!) { createCluster(input: $i) { cluster { id } } }')).toBe(false); // rules nest
  });

  it('answers the dashboard, journeyProgress and a page of health exactly as graphql-js does', async () => {
    const dashboard = await both(DASHBOARD_QUERY, { clusterId, first: 50 });
    expect(dashboard.compiled.data.accounts.edges.length).toBeGreaterThan(10);
    expect(dashboard.compiled).toEqual(dashboard.js);
    const progress = await both(JOURNEY_PROGRESS_QUERY, { outcomeId });
    expect(progress.compiled.data.journeyProgress.accounts).toBeGreaterThan(10);
    expect(progress.compiled).toEqual(progress.js);
    const page = await both(`query($c: ID!) { accounts(filter: { clusterId: $c, bands: [RED, YELLOW] }, first: 20) { totalCount edges { cursor node {
      name tags health { score band coverage asOf worstJourneyStatus } outcomes { score proactive reactive coverage day stage { key }
      journey { status overdueMilestones { milestone { key } daysOverdue } milestones { achievedAt expectedByDay } }
      drivers { component { key } rawValue score effectiveWeight contribution pointsLost applicable missing } change(days: 7) { delta movers { key delta } } } } } } }`,
    { c: clusterId });
    expect(page.compiled.data.accounts.totalCount).toBeGreaterThan(0);
    expect(page.compiled).toEqual(page.js);
  });

  it('reports errors as graphql-js does: bad variables, a resolver\'s NOT_FOUND, a bad argument', async () => {
    const badVariable = await both(DASHBOARD_QUERY, { clusterId, first: 'fifty' });
    expect(badVariable.compiled.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(badVariable.js.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const notFound = await both(JOURNEY_PROGRESS_QUERY, { outcomeId: '00000000-0000-4000-8000-000000000000' });
    expect(notFound.compiled).toEqual(notFound.js);
    expect(notFound.compiled.errors[0].extensions.code).toBe('NOT_FOUND');
    const badTop = await both(`query($c: ID!) { accounts(filter: { clusterId: $c }, first: 1) { edges { node { outcomes { drivers(top: -1) { key } } } } } }`, { c: clusterId });
    expect(badTop.compiled).toEqual(badTop.js);
    expect(badTop.compiled.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'top' });
  });

  it('still applies input defaults: orderBy without changeDays sorts by the 30-day change', async () => {
    const q = (order: string) => `{ accounts(orderBy: ${order}, first: 30) { edges { node { externalId } } } }`;
    const implicit = await both(q('{ field: SCORE_CHANGE }'), {});
    const explicit = await both(q('{ field: SCORE_CHANGE, direction: ASC, changeDays: 30 }'), {});
    expect(implicit.compiled.data).toEqual(explicit.compiled.data);
    expect(implicit.compiled).toEqual(implicit.js);
  });
});
