/**
 * Drivers are stored worst first (most points lost; ties in the coin's component order), so that `drivers(top: n)`
 * reads the first n stored: by the engine (current rows, snapshots, scoreAccount), and by the SortedDrivers
 * migration for rows written before in coin order.
 */
import { useTestServer, type TestWorkspace } from './support/harness';
import { defaultClusterId, insertAccount, insertCoin, insertOutcome, insertSignals, linear, scopeOf } from './scoring-seed';
import { scoreAccounts } from '../src/scoring/engine';
import { SortedDrivers1795449200000 } from '../migrations/1795449200000-SortedDrivers';

const T = '2026-06-30T12:00:00.000Z';

// All reactive, equal weights: the 4 present ones have effectiveWeight 0.25 each. Keys sort against the coin order,
// so that a tie broken by key (or by nothing) shows.
//   pos 0 y_full     1 login                 → 100 → pointsLost 0
//   pos 1 z_tie      5 tickets (10 → 0, 0)   →  50 → 12.5
//   pos 2 worst      2 overdue invoices      →   0 → 25
//   pos 3 a_tie      the same as z_tie       →  50 → 12.5 (bit for bit: the same computation)
//   pos 4 b_missing  no pulse                → missing, effectiveWeight 0 → 0
const COIN = {
  proactiveWeight: 50, reactiveWeight: 50,
  components: [
    linear('y_full', 'REACTIVE', 25, { aggregation: 'COUNT', signalType: 'login', windowDays: 30 }, 0, 1),
    linear('z_tie', 'REACTIVE', 25, { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 }, 10, 0),
    { key: 'worst', name: 'worst', side: 'REACTIVE', weight: 25, metric: { aggregation: 'COUNT', signalType: 'invoice_overdue', windowDays: 60 },
      scoring: { type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] } },
    linear('a_tie', 'REACTIVE', 25, { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 }, 10, 0),
    linear('b_missing', 'REACTIVE', 25, { aggregation: 'LATEST', signalType: 'csm_pulse', windowDays: 90 }, 1, 5),
  ],
};
const COIN_ORDER = ['y_full', 'z_tie', 'worst', 'a_tie', 'b_missing'];
const WORST_FIRST = ['worst', 'z_tie', 'a_tie', 'y_full', 'b_missing'];

describe('drivers stored worst first', () => {
  const t = useTestServer();
  let w: TestWorkspace;
  let cluster: string;
  let outcome: string;
  let account: string;

  const keys = (drivers: Array<{ key: string }>) => drivers.map((d) => d.key);
  const stored = async (table: string, id = account) => (await t.db.query(
    `SELECT drivers FROM ${table} WHERE workspace_id = $1 AND account_id = $2 AND outcome_id = $3`, [w.id, id, outcome]))[0].drivers;

  beforeAll(async () => {
    w = await t.workspace();
    cluster = await defaultClusterId(t.db, w.id);
    outcome = await insertOutcome(t.db, w.id, cluster, 'Ties');
    await insertCoin(t.db, w.id, outcome, COIN);
    account = await insertAccount(t.db, w.id, cluster, 'tied', {}, '2026-05-01T00:00:00Z');
    await insertSignals(t.db, w.id, account, [
      { type: 'login', at: '2026-06-29T08:00:00Z' },
      ...[1, 2, 3, 4, 5].map((d) => ({ type: 'ticket_opened', at: `2026-06-2${d}T08:00:00Z` })),
      { type: 'invoice_overdue', at: '2026-06-10T08:00:00Z' }, { type: 'invoice_overdue', at: '2026-06-11T08:00:00Z' },
    ]);
    await scoreAccounts(scopeOf(t.db, w.id), { asOf: new Date(T), persist: true });
  });

  it('the engine stores them worst first, ties in coin order: current row, snapshot, scoreAccount', async () => {
    const current = await stored('current_outcome_health');
    expect(current.map((d: any) => [d.key, d.pointsLost])).toEqual([['worst', 25], ['z_tie', 12.5], ['a_tie', 12.5], ['y_full', 0], ['b_missing', 0]]);
    expect(current.find((d: any) => d.key === 'b_missing')).toMatchObject({ missing: true, effectiveWeight: 0 });
    expect(keys(await stored('health_snapshots'))).toEqual(WORST_FIRST);
    const dry = await scoreAccounts(scopeOf(t.db, w.id), { asOf: new Date(T), accountIds: [account], persist: false });
    expect(dry.outcomes![0].drivers).toEqual(current);
  });

  const ALIASES = `none: drivers(top: 0) { key } one: drivers(top: 1) { key } two: drivers(top: 2) { key }
    many: drivers(top: 50) { key } nul: drivers(top: null) { key } all: drivers { key }`;
  const expectTops = (o: any) => {
    expect(o.none).toEqual([]);
    expect(keys(o.one)).toEqual(['worst']);
    expect(keys(o.two)).toEqual(['worst', 'z_tie']);
    expect(keys(o.many)).toEqual(WORST_FIRST);
    expect(keys(o.nul)).toEqual(WORST_FIRST);
    expect(keys(o.all)).toEqual(WORST_FIRST);
  };

  it('drivers(top: n) through the loader (several tops), the page statement (one top) and scoreAccount', async () => {
    const one = await t.ok(`query($id: ID!) { account(id: $id) { outcomes { ${ALIASES} } } }`, { id: account }, w.keys.ANALYST);
    expectTops(one.account.outcomes[0]);
    // A page whose drivers selections all ask for the same top reads them in its own statement (a literal top).
    for (const [top, want] of [[0, []], [1, ['worst']], [3, WORST_FIRST.slice(0, 3)], [50, WORST_FIRST], [null, WORST_FIRST]] as const) {
      const page = await t.ok(`query($c: ID!, $top: Int) { accounts(filter: { clusterId: $c }, first: 5) { edges { node { outcomes { drivers(top: $top) { key } } } } } }`,
        { c: cluster, top }, w.keys.ANALYST);
      expect(keys(page.accounts.edges[0].node.outcomes[0].drivers)).toEqual(want);
    }
    const page = await t.ok(`query($c: ID!) { accounts(filter: { clusterId: $c }, first: 5) { edges { node { outcomes { drivers { key } } } } } }`,
      { c: cluster }, w.keys.ANALYST);
    expect(keys(page.accounts.edges[0].node.outcomes[0].drivers)).toEqual(WORST_FIRST);
    const dry = await t.ok(`query($id: ID!) { scoreAccount(accountId: $id, asOf: "${T}") { outcomes { ${ALIASES} } } }`, { id: account }, w.keys.ANALYST);
    expectTops(dry.scoreAccount.outcomes[0]);
  });

  it('the SortedDrivers migration re-sorts rows stored in coin order, and rewrites no row already sorted', async () => {
    const other = await insertAccount(t.db, w.id, cluster, 'old-order', {}, '2026-05-01T00:00:00Z');
    const blank = await insertAccount(t.db, w.id, cluster, 'no-drivers', {}, '2026-05-01T00:00:00Z');
    // Rows as written before: the account's drivers in coin order, after a driver lacking pointsLost (counts as 0,
    // ties keep the stored order), and a row without drivers.
    const current = await stored('current_outcome_health');
    const coinOrder = COIN_ORDER.map((k) => current.find((d: any) => d.key === k));
    const noLost = { ...coinOrder[4], key: 'no_lost', pointsLost: undefined };
    const insert = (id: string, drivers: unknown[]) => t.db.query(
      `INSERT INTO current_outcome_health (workspace_id, account_id, outcome_id, score, band, journey_day, overdue_count, drivers, milestones, model_version_id, as_of)
       SELECT workspace_id, $2, outcome_id, score, band, journey_day, overdue_count, $3::jsonb, milestones, model_version_id, as_of
         FROM current_outcome_health WHERE workspace_id = $1 AND account_id = $4 AND outcome_id = $5`,
      [w.id, id, JSON.stringify(drivers), account, outcome]);
    await insert(other, [noLost, ...coinOrder]);
    await insert(blank, []);
    expect(keys(await stored('current_outcome_health', other))).toEqual(['no_lost', ...COIN_ORDER]);
    const xmin = async (id: string) => (await t.db.query(
      `SELECT xmin::text AS x FROM current_outcome_health WHERE workspace_id = $1 AND account_id = $2`, [w.id, id]))[0].x;
    const sortedBefore = await xmin(account);

    const runner = t.db.createQueryRunner();
    try {
      await new SortedDrivers1795449200000().up(runner);
    } finally {
      await runner.release();
    }

    expect(keys(await stored('current_outcome_health', other))).toEqual(['worst', 'z_tie', 'a_tie', 'no_lost', 'y_full', 'b_missing']);
    expect(await stored('current_outcome_health', other)).toEqual(expect.arrayContaining([noLost, ...coinOrder]));
    expect(await stored('current_outcome_health', blank)).toEqual([]);
    expect(await xmin(account)).toBe(sortedBefore);
    const read = await t.ok(`query($id: ID!) { account(id: $id) { outcomes { one: drivers(top: 1) { key } two: drivers(top: 2) { key } } } }`,
      { id: other }, w.keys.ANALYST);
    expect(read.account.outcomes[0]).toEqual({ one: [{ key: 'worst' }], two: [{ key: 'worst' }, { key: 'z_tie' }] });
  });
});
