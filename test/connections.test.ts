/**
 * healthEvents and scoringRuns as Relay connections: paging with `after` visits every item once, in order, also
 * where many items share a time (a batch's events are written in one statement, so they share created_at), and a
 * cursor that is not one is refused as BAD_USER_INPUT.
 */
import { HealthEventKind, publishHealthEvents } from '../src/health/health.events';
import { createRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { createLoginModel } from './support/scoring-model';

describe('connections', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let accountIds: string[];

  beforeAll(async () => {
    ws = await t.workspace();
    ({ accountIds } = await createLoginModel(t.db, ws.id, 7));
  });

  /** Every page of a connection query (variables `first`, `after`), and the pages' sizes. */
  async function pages(query: string, field: string, first: number, vars: Record<string, unknown> = {}) {
    const ids: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const conn: any = (await t.ok(query, { ...vars, first, after }, ws.keys.ANALYST))[field];
      ids.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
      sizes.push(conn.edges.length);
      if (conn.edges.length) expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1).cursor);
      if (!conn.pageInfo.hasNextPage) return { ids, sizes, last: conn };
      after = conn.pageInfo.endCursor;
    }
    throw new Error('more than 100 pages');
  }

  it('healthEvents pages through events that share a time, oldest first, each once', async () => {
    const scope = TenantScope.system(t.db, ws.id);
    const asOf = new Date('2026-06-01T00:00:00Z');
    const event = (accountId: string) => ({ kind: HealthEventKind.BAND_CHANGED, accountId, fromBand: 'GREEN', toBand: 'RED', asOf });
    // Two transactions: 7 events with one created_at, then 3 with a later one.
    await scope.transaction(async (tx) => { await publishHealthEvents(tx, accountIds.map(event)); });
    await scope.transaction(async (tx) => { await publishHealthEvents(tx, accountIds.slice(0, 3).map(event)); });
    const expected = (await t.db.query(
      `SELECT id FROM health_events WHERE workspace_id = $1 ORDER BY created_at, id`, [ws.id])).map((r: { id: string }) => r.id);
    expect(expected.length).toBe(10);

    const query = `query($first: Int!, $after: String) { healthEvents(since: "2000-01-01T00:00:00Z", first: $first, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const paged = await pages(query, 'healthEvents', 3);
    expect(paged.ids).toEqual(expected);
    expect(paged.sizes).toEqual([3, 3, 3, 1]);
    // A filter applies on every page; `since` after the cursor's time wins over the cursor.
    const filtered = await pages(`query($first: Int!, $after: String, $a: [ID!]) { healthEvents(since: "2000-01-01T00:00:00Z", first: $first, after: $after,
      filter: { accountIds: $a }) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, 'healthEvents', 1, { a: [accountIds[0]] });
    const ofFirstAccount = (await t.db.query(`SELECT id FROM health_events WHERE workspace_id = $1 AND account_id = $2 ORDER BY created_at, id`,
      [ws.id, accountIds[0]])).map((r: { id: string }) => r.id);
    expect(ofFirstAccount.length).toBe(2);
    expect(filtered.ids).toEqual(ofFirstAccount);
    const later = (await t.db.query(`SELECT max(created_at) AS at FROM health_events WHERE workspace_id = $1`, [ws.id]))[0].at as Date;
    const firstPage = (await t.ok(query, { first: 1, after: null }, ws.keys.ANALYST)).healthEvents;
    const afterSince = (await t.ok(`query($s: DateTimeISO!, $after: String) { healthEvents(since: $s, after: $after) { edges { node { id } } } }`,
      { s: new Date(later.getTime() + 1).toISOString(), after: firstPage.pageInfo.endCursor }, ws.keys.ANALYST)).healthEvents;
    expect(afterSince.edges).toEqual([]);
  });

  it('scoringRuns pages newest first with totalCount', async () => {
    const scope = TenantScope.system(t.db, ws.id);
    for (let i = 0; i < 5; i++) await createRun(scope);
    const expected = (await t.db.query(
      `SELECT id FROM scoring_runs WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC`, [ws.id])).map((r: { id: string }) => r.id);
    const paged = await pages(`query($first: Int!, $after: String) { scoringRuns(first: $first, after: $after) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, 'scoringRuns', 2);
    expect(paged.ids).toEqual(expected);
    expect(paged.sizes).toEqual([2, 2, 1]);
    expect(paged.last.totalCount).toBe(5);
  });

  it('refuses a cursor it did not make, and first out of range, as BAD_USER_INPUT', async () => {
    // a real cursor of each list, to hand to the others
    const eventCursor = (await t.ok('{ healthEvents(since: "2000-01-01T00:00:00Z", first: 1) { pageInfo { endCursor } } }', {}, ws.keys.ANALYST)).healthEvents.pageInfo.endCursor;
    const accountCursor = (await t.ok('{ accounts(first: 1) { pageInfo { endCursor } } }', {}, ws.keys.ANALYST)).accounts.pageInfo.endCursor;
    expect(eventCursor).toEqual(expect.any(String));
    expect(accountCursor).toEqual(expect.any(String));
    for (const [query, vars] of [
      ['query($a: String) { accounts(after: $a) { edges { cursor } } }', { a: 'not-a-cursor' }],
      ['query($a: String) { accounts(after: $a) { edges { cursor } } }', { a: eventCursor }],
      ['query($a: String) { accounts(after: $a, orderBy: { field: CREATED_AT, direction: DESC }) { edges { cursor } } }', { a: accountCursor }],
      ['query($a: String) { tasks(after: $a) { edges { cursor } } }', { a: accountCursor }],
      ['query($a: String) { tasks(after: $a) { edges { cursor } } }', { a: Buffer.from(JSON.stringify(['2026-02-3x', accountIds[0]])).toString('base64url') }],
      ['query($a: String) { tasks(after: $a) { edges { cursor } } }', { a: Buffer.from(JSON.stringify(['2026-02-30', accountIds[0]])).toString('base64url') }],
      ['query($a: String) { healthEvents(since: "2000-01-01T00:00:00Z", after: $a) { edges { cursor } } }', { a: accountCursor }],
      ['query($a: String) { healthEvents(since: "2000-01-01T00:00:00Z", after: $a) { edges { cursor } } }', { a: 'not-a-cursor' }],
      ['query($a: String) { healthEvents(since: "2000-01-01T00:00:00Z", after: $a) { edges { cursor } } }',
        { a: Buffer.from(JSON.stringify(['2026-13-01T00:00:00.000000Z', accountIds[0]])).toString('base64url') }],
      ['query($a: String) { scoringRuns(after: $a) { edges { cursor } } }', { a: Buffer.from('[1,2]').toString('base64url') }],
      ['{ healthEvents(since: "2000-01-01T00:00:00Z", first: 1001) { edges { cursor } } }', {}],
      ['{ scoringRuns(first: 0) { edges { cursor } } }', {}],
    ] as const) {
      const res = await t.gql(query, vars, ws.keys.ANALYST);
      expect({ query, code: res.errors?.[0].extensions?.code }).toEqual({ query, code: 'BAD_USER_INPUT' });
    }
  });
});
