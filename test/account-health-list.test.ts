/**
 * The front-end list: `accounts` filtered and sorted by health (issue 4 item 2), over HTTP, on
 * snapshots with known scores. Expected orders are written out by hand from the fixture below.
 */
import { HealthFixture } from './support/health-fixtures';
import { TestWorkspace, useTestServer } from './support/harness';

const LIST = `query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { node { externalId } } pageInfo { hasNextPage endCursor }
  }
}`;

describe('accounts list: health filters and sorts', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let outcomeId: string;
  let adoptionStage: string;
  let otherClusterOutcome: string;

  // a: GREEN 85 ON_TRACK (was 60 ten days ago: +25) · b: YELLOW 55 BEHIND (was 70: −15)
  // c: RED 20 STUCK (was 30: −10) · d: never scored · e: other cluster, GREEN 90
  beforeAll(async () => {
    ws = await t.workspace();
    const f = new HealthFixture(t.db, ws.id);
    const cluster = await f.cluster('Managed');
    const other = await f.cluster('Self-serve', 20);
    outcomeId = await f.outcome(cluster, 'Stakeholder intelligence');
    otherClusterOutcome = await f.outcome(other, 'Planning');
    const j = await f.journey(outcomeId, [
      { key: 'onboarding', startDay: 0, milestones: [{ key: 'kickoff', expectedByDay: 7 }] },
      { key: 'adoption', startDay: 30, milestones: [{ key: 'maps', expectedByDay: 45 }] },
    ]);
    adoptionStage = j.stages.adoption;
    const acc = async (id: string, c: string) => await f.account({ externalId: id, name: id.toUpperCase(), clusterId: c });
    const [a, b, c] = [await acc('a', cluster), await acc('b', cluster), await acc('c', cluster)];
    await acc('d', cluster);
    const e = await acc('e', other);
    const past = '2026-03-01T00:00:00Z';
    const now = '2026-03-11T00:00:00Z';
    const rows: Array<[string, string, number, number, string, string | null]> = [
      [a, outcomeId, 60, 85, 'ON_TRACK', j.stages.onboarding],
      [b, outcomeId, 70, 55, 'BEHIND', adoptionStage],
      [c, outcomeId, 30, 20, 'STUCK', adoptionStage],
      [e, otherClusterOutcome, 90, 90, 'ON_TRACK', null], // the other outcome has no journey
    ];
    for (const [account, outcome, before, score, status, stage] of rows) {
      await f.snapshot({ accountId: account, outcomeId: outcome, asOf: past, score: before, journeyStatus: status, stageId: stage });
      await f.snapshot({ accountId: account, outcomeId: outcome, asOf: now, score, journeyStatus: status, stageId: stage, current: true });
      await f.accountSnapshot({ accountId: account, asOf: past, score: before, worstJourneyStatus: status });
      await f.accountSnapshot({ accountId: account, asOf: now, score, worstJourneyStatus: status, current: true });
    }
  });

  const ids = (data: any) => data.accounts.edges.map((e: any) => e.node.externalId);
  const list = async (variables: Record<string, unknown>) => await t.ok(LIST, variables, ws.keys.ANALYST);

  it('filters by band, journey status, score range, stage and outcome', async () => {
    expect(ids(await list({ filter: { bands: ['GREEN'] } }))).toEqual(['a', 'e']);
    expect(ids(await list({ filter: { bands: ['UNKNOWN'] } }))).toEqual(['d']);
    expect(ids(await list({ filter: { journeyStatuses: ['BEHIND', 'STUCK'] } }))).toEqual(['b', 'c']);
    expect(ids(await list({ filter: { scoreMin: 50, scoreMax: 85 } }))).toEqual(['a', 'b']);
    expect(ids(await list({ filter: { stageId: adoptionStage } }))).toEqual(['b', 'c']);
    // With an outcome: only its cluster's accounts (d, never scored, included), its health read.
    const byOutcome = await list({ filter: { outcomeId } });
    expect(ids(byOutcome)).toEqual(['a', 'b', 'c', 'd']);
    expect(byOutcome.accounts.totalCount).toBe(4);
    expect(ids(await list({ filter: { outcomeId, bands: ['RED', 'YELLOW'] } }))).toEqual(['b', 'c']);
  });

  it('sorts by score and by change over N days, never-scored last, with stable cursors', async () => {
    expect(ids(await list({ orderBy: { field: 'SCORE', direction: 'DESC' } }))).toEqual(['e', 'a', 'b', 'c', 'd']);
    expect(ids(await list({ orderBy: { field: 'SCORE', direction: 'ASC' } }))).toEqual(['c', 'b', 'a', 'e', 'd']);
    // change over 10 days: a +25, e 0, c −10, b −15; d has no history.
    expect(ids(await list({ orderBy: { field: 'SCORE_CHANGE', direction: 'ASC', changeDays: 10 } }))).toEqual(['b', 'c', 'e', 'a', 'd']);
    // Page through by score two at a time: same order, no duplicates.
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await list({ orderBy: { field: 'SCORE', direction: 'DESC' }, first: 2, after });
      seen.push(...ids(page));
      if (!page.accounts.pageInfo.hasNextPage) break;
      after = page.accounts.pageInfo.endCursor;
    }
    expect(seen).toEqual(['e', 'a', 'b', 'c', 'd']);
  });

  it('rejects a bad score range and unknown ids clearly', async () => {
    const range = await t.gql(LIST, { filter: { scoreMin: 80, scoreMax: 20 } }, ws.adminKey);
    expect(range.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.scoreMax' });
    const days = await t.gql(LIST, { orderBy: { field: 'SCORE_CHANGE', changeDays: 0 } }, ws.adminKey);
    expect(days.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy.changeDays' });
    const other = await t.workspace('Other');
    const foreign = await t.gql(LIST, { filter: { outcomeId } }, other.adminKey);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
