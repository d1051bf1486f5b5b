/**
 * Backtests over HTTP on synthetic workspaces whose churn was generated from known rules:
 * - churn decided by one component (logins in the 30 days before D − 90): that component's AUC is 1, the random one
 *   (tickets) near 0.5, and the leakage warning fires; logins planted between D − 90 and D are never read;
 * - churn at random: the AUC's interval contains 0.5.
 * Coin: REACTIVE logins (COUNT login, 30 days, LINEAR 0 → 10, weight 3) and tickets (COUNT ticket_opened, 30 days,
 * LINEAR 0 → 10, weight 1).
 */
import { processBacktest } from '../src/backtests/backtest.service';
import { seededRandom } from '../src/backtests/statistics';
import { useTestServer, type TestWorkspace } from './support/harness';
import { defaultClusterId, insertCoin, insertOutcome, linear } from './scoring-seed';

const DAY = 86_400_000;
const REPORT = `state total done progress asOfDates horizonDays contractedAs modelSource modelVersion draftId modelHash error
  report { n churners auc aucLow aucHigh churnRate topDecileLift tooFew unscored minChurners warnings
    bands { band n churners churnRate } calibration { from to n churners churnRate }
    lifecycleKinds { kind n treatedAs meanScore }
    clusters { id name n churners auc } outcomes { id name n churners auc tooFew }
    components { key n auc missingShare notApplicable meanScoreChurned meanScoreRetained } }`;

interface Planted { accountId: string; logins: number; tickets: number; kind: string; d: string }

describe('backtests', () => {
  const t = useTestServer();

  /** N accounts; account i: logins and tickets in the 30 days before its as-of, an outcome on day D, and 20 logins after the as-of. */
  async function synthetic(ws: TestWorkspace, n: number, seed: number, churns: (logins: number, r: () => number) => boolean): Promise<{ outcomeId: string; cases: Planted[] }> {
    const cluster = await defaultClusterId(t.db, ws.id);
    const outcomeId = await insertOutcome(t.db, ws.id, cluster, 'Adoption');
    await insertCoin(t.db, ws.id, outcomeId, { components: [
      linear('logins', 'REACTIVE', 3, { aggregation: 'COUNT', signalType: 'login', windowDays: 30 }, 0, 10),
      linear('tickets', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 }, 0, 10),
    ] });
    const random = seededRandom(seed);
    const cases: Planted[] = [];
    const accounts: unknown[] = [];
    const signals: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const d = new Date(Date.UTC(2026, 2, 1) + (i % 45) * DAY);
      const asOf = d.getTime() - 90 * DAY;
      const logins = Math.floor(random() * 11);
      const tickets = Math.floor(random() * 11);
      const churned = churns(logins, random);
      const kind = churned ? 'CHURNED' : i % 10 === 0 ? 'CONTRACTED' : i % 3 === 0 ? 'EXPANDED' : 'RENEWED';
      const ext = `acc-${i}`;
      accounts.push({ ext, start: new Date(asOf - 400 * DAY).toISOString(), d: d.toISOString().slice(0, 10), kind });
      // inside the window (asOf − 30 d, asOf]: the one at exactly asOf counts
      for (let k = 0; k < logins; k++) signals.push({ ext, type: 'login', at: new Date(asOf - k * DAY).toISOString() });
      for (let k = 0; k < tickets; k++) signals.push({ ext, type: 'ticket_opened', at: new Date(asOf - k * DAY - 3_600_000).toISOString() });
      // planted after D − horizon (from one second after the as-of up to D): a backtest must never read them
      for (let k = 0; k < 20; k++) signals.push({ ext, type: 'login', at: new Date(asOf + 1000 + k * 4 * DAY).toISOString() });
      cases.push({ accountId: ext, logins, tickets, kind, d: d.toISOString().slice(0, 10) });
    }
    const ids: Array<{ id: string; external_id: string }> = await t.db.query(
      `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
       SELECT $1, x.ext, x.ext, x.start::timestamptz, $2 FROM jsonb_to_recordset($3::jsonb) AS x(ext text, start text) RETURNING id, external_id`,
      [ws.id, cluster, JSON.stringify(accounts)]);
    const byExt = new Map(ids.map((r) => [r.external_id, r.id]));
    await t.db.query(
      `INSERT INTO lifecycle_outcomes (workspace_id, account_id, kind, occurred_on)
       SELECT $1, a.id, x.kind, x.d::date FROM jsonb_to_recordset($2::jsonb) AS x(ext text, d text, kind text)
       JOIN accounts a ON a.workspace_id = $1 AND a.external_id = x.ext`, [ws.id, JSON.stringify(accounts)]);
    await t.db.query(
      `INSERT INTO signals (workspace_id, account_id, type, occurred_at)
       SELECT $1, a.id, x.type, x.at::timestamptz FROM jsonb_to_recordset($2::jsonb) AS x(ext text, type text, at text)
       JOIN accounts a ON a.workspace_id = $1 AND a.external_id = x.ext`, [ws.id, JSON.stringify(signals)]);
    for (const c of cases) c.accountId = byExt.get(c.accountId)!;
    return { outcomeId, cases };
  }

  /** The test server runs no job worker: the test processes the backtest itself (what the BACKTEST job does), then reads it. */
  const finished = async (key: string, id: string) => {
    const ws = (await t.db.query(`SELECT workspace_id FROM backtests WHERE id = $1`, [id]))[0].workspace_id;
    expect(await processBacktest(t.db, ws, id)).toBe('SUCCEEDED');
    return (await t.ok(`query($id: ID!) { backtest(id: $id) { ${REPORT} } }`, { id }, key)).backtest;
  };

  it('churn from one component: its AUC is 1, the other near 0.5, leakage flagged; signals after D − horizon are never read', async () => {
    const ws = await t.workspace();
    const { outcomeId, cases } = await synthetic(ws, 240, 1, (logins) => logins < 5);
    const started = (await t.ok(`mutation { runBacktest(input: { horizonDays: 90 }) { id state total asOfDates } }`, {}, ws.keys.ANALYST)).runBacktest;
    expect(started).toMatchObject({ total: 240, asOfDates: 45 });
    const bt = await finished(ws.keys.ANALYST, started.id);
    expect(bt).toMatchObject({ state: 'SUCCEEDED', done: 240, progress: 1, horizonDays: 90, contractedAs: 'RETAINED', error: null });

    // every case saw exactly the logins of its 30 days before the as-of, none of the 20 planted after it
    const raw: Array<{ account_id: string; occurred_on: string; logins: number; as_of: Date }> = await t.db.query(
      `SELECT s.account_id, s.occurred_on::text, c.as_of, (SELECT (d->>'rawValue')::float8 FROM jsonb_array_elements(s.drivers) d WHERE d->>'key' = 'logins') AS logins
       FROM backtest_outcome_scores s JOIN backtest_cases c USING (workspace_id, backtest_id, account_id, occurred_on)
       WHERE s.workspace_id = $1 AND s.backtest_id = $2`, [ws.id, started.id]);
    expect(raw).toHaveLength(240);
    const expected = new Map(cases.map((c) => [c.accountId, c]));
    for (const r of raw) {
      const c = expected.get(r.account_id)!;
      expect(r.logins).toBe(c.logins);
      expect(r.as_of.getTime()).toBe(Date.parse(`${c.d}T00:00:00Z`) - 90 * 86_400_000);
    }

    const report = bt.report;
    const churners = cases.filter((c) => c.kind === 'CHURNED').length;
    expect(report).toMatchObject({ n: 240, churners, tooFew: false, unscored: 0, minChurners: 30 });
    const logins = report.components.find((c: any) => c.key === 'logins');
    const tickets = report.components.find((c: any) => c.key === 'tickets');
    expect(logins).toMatchObject({ n: 240, auc: 1, missingShare: 0, notApplicable: 0 });
    expect(Math.abs(tickets.auc - 0.5)).toBeLessThan(0.1);
    expect(logins.meanScoreChurned).toBeLessThan(50);
    expect(logins.meanScoreRetained).toBeGreaterThanOrEqual(50);
    expect(report.auc).toBeGreaterThan(0.85);
    expect(report.aucLow).toBeLessThanOrEqual(report.auc);
    expect(report.aucHigh).toBeGreaterThanOrEqual(report.auc);
    expect(report.warnings.join('\n')).toMatch(/logins separates churned from retained almost perfectly/);
    // bands and calibration add up to the cases; churn concentrates in RED
    expect(report.bands.reduce((s: number, b: any) => s + b.n, 0)).toBe(240);
    expect(report.calibration.reduce((s: number, b: any) => s + b.churners, 0)).toBe(churners);
    const red = report.bands.find((b: any) => b.band === 'RED');
    expect(red.churnRate).toBeGreaterThan(report.churnRate);
    expect(report.topDecileLift).toBeGreaterThan(1.5);
    // CONTRACTED counted as retained, and reported apart
    const contracted = report.lifecycleKinds.find((k: any) => k.kind === 'CONTRACTED');
    expect(contracted).toMatchObject({ n: cases.filter((c) => c.kind === 'CONTRACTED').length, treatedAs: 'RETAINED' });
    expect(report.outcomes).toEqual([expect.objectContaining({ id: outcomeId, n: 240, churners })]);
    expect(report.clusters).toHaveLength(1);
    expect(report.clusters[0]).toMatchObject({ n: 240, churners, auc: report.auc });

    // suggested weights: logins carry all the evidence, tickets none; out of sample the suggestion beats 3:1
    const SUGGEST = `query($b: ID!, $o: ID!, $learn: Boolean!) { suggestWeights(backtestId: $b, outcomeId: $o, folds: 4, learnScoring: $learn) {
      n churners folds cvAuc cvAucCurrent cvAucPerFold reactiveWeight proactiveWeight coin warnings components { key currentWeight suggestedWeight noEvidence scoring } } }`;
    const s = (await t.ok(SUGGEST, { b: started.id, o: outcomeId, learn: false }, ws.keys.ANALYST)).suggestWeights;
    expect(s).toMatchObject({ n: 240, churners, folds: 4, reactiveWeight: 100, proactiveWeight: 0 });
    expect(s.components.map((c: any) => [c.key, c.currentWeight, c.noEvidence])).toEqual([['logins', 75, false], ['tickets', 25, true]]);
    expect(s.components[0].suggestedWeight).toBeGreaterThan(99);
    expect(s.cvAucPerFold).toHaveLength(4);
    expect(s.cvAuc).toBeGreaterThan(0.99);
    expect(s.cvAuc).toBeGreaterThan(s.cvAucCurrent);
    expect(s.coin.components.map((c: any) => c.key)).toEqual(['logins']);
    // the suggested coin is a valid coin document, and learned scoring too
    const learned = (await t.ok(SUGGEST, { b: started.id, o: outcomeId, learn: true }, ws.keys.OPS)).suggestWeights;
    expect(learned.components[0].scoring.type).toBe('BANDS');
    expect(learned.cvAuc).toBeGreaterThan(0.95); // ten quantile bins of 180 training cases may pool the logins 4 and 5 at the cut
    // as a draft: backtesting the draft scores the suggested coin (logins alone, learned bands)
    const drafted = (await t.ok(`mutation($b: ID!, $o: ID!) { draftSuggestedWeights(backtestId: $b, outcomeId: $o, folds: 4, learnScoring: true) { draftId suggestion { cvAuc } } }`,
      { b: started.id, o: outcomeId }, ws.keys.OPS)).draftSuggestedWeights;
    const draftRun = (await t.ok(`mutation($d: ID) { runBacktest(input: { model: { draftId: $d } }) { id modelSource draftId modelHash } }`, { d: drafted.draftId }, ws.keys.ANALYST)).runBacktest;
    expect(draftRun).toMatchObject({ modelSource: 'DRAFT', draftId: drafted.draftId });
    expect(draftRun.modelHash).not.toBe(bt.modelHash);
    const draftReport = (await finished(ws.keys.ANALYST, draftRun.id)).report;
    expect(draftReport.components.map((c: any) => c.key)).toEqual(['logins']);
    expect(draftReport.auc).toBeGreaterThan(report.auc);
    await t.ok(`mutation($o: ID!, $input: CoinInput!) { defineCoin(outcomeId: $o, input: $input) { outcomeId } }`, { o: outcomeId, input: learned.coin }, ws.keys.OPS);
    await t.ok(`mutation($o: ID!, $input: CoinInput!) { defineCoin(outcomeId: $o, input: $input) { outcomeId } }`, { o: outcomeId, input: s.coin }, ws.keys.OPS);
    const forbidden = await t.gql(SUGGEST, { b: started.id, o: outcomeId, learn: false }, ws.keys.CSM);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // the version the first one scored, named by its number: the same model, the same figures (side by side)
    expect(bt).toMatchObject({ modelSource: 'LIVE', draftId: null });
    expect(bt.modelVersion).toBeGreaterThanOrEqual(1);
    const again = (await t.ok(`mutation($v: Int) { runBacktest(input: { contractedAs: EXCLUDED, model: { version: $v } }) { id modelSource modelVersion modelHash } }`,
      { v: bt.modelVersion }, ws.keys.OPS)).runBacktest;
    expect(again).toMatchObject({ modelSource: 'VERSION', modelVersion: bt.modelVersion, modelHash: bt.modelHash });
    const bt2 = await finished(ws.keys.ANALYST, again.id);
    expect(bt2.report.n).toBe(240 - contracted.n);
    expect(bt2.report.lifecycleKinds.find((k: any) => k.kind === 'CONTRACTED').treatedAs).toBe('EXCLUDED');
    const listed = (await t.ok(`{ backtests { id } }`, {}, ws.keys.CSM)).backtests.map((b: any) => b.id);
    expect(listed).toEqual([again.id, draftRun.id, started.id]);
  }, 240_000); // three backtests of 45 dates and two 4-fold fits on 2 shared cores (125 s at load 35)

  it('random churn: the interval of the AUC contains 0.5', async () => {
    const ws = await t.workspace();
    await synthetic(ws, 300, 2, (_, r) => r() < 0.3);
    const started = (await t.ok(`mutation { runBacktest { id } }`, {}, ws.keys.OPS)).runBacktest;
    const { report } = await finished(ws.keys.ANALYST, started.id);
    expect(report.churners).toBeGreaterThanOrEqual(30);
    expect(report.aucLow).toBeLessThan(0.5);
    expect(report.aucHigh).toBeGreaterThan(0.5);
    for (const c of report.components) expect(Math.abs(c.auc - 0.5)).toBeLessThan(0.12);
    expect(report.warnings.join('\n')).not.toMatch(/almost perfectly|implausibly/);
  }, 90_000);

  it('a draft that moves accounts to another cluster reports them under the draft\'s cluster, not the stored one', async () => {
    const ws = await t.workspace();
    const { cases } = await synthetic(ws, 120, 4, (logins) => logins < 5);
    // Every account is stored in the default cluster; the even ones are on the enterprise plan.
    await t.db.query(`UPDATE accounts SET attributes = jsonb_build_object('plan', CASE WHEN substring(external_id FROM 5)::int % 2 = 0 THEN 'enterprise' ELSE 'growth' END)
      WHERE workspace_id = $1`, [ws.id]);
    const { createModelDraft: draft } = await t.ok(`mutation { createModelDraft(input: { name: "Enterprise apart" }) { id document } }`, {}, ws.keys.OPS);
    const doc = structuredClone(draft.document);
    const [defaultCluster] = doc.clusters;
    doc.clusters.push({ key: 'enterprise', name: 'Enterprise', description: null, priority: 1, isDefault: false, rule: { attribute: 'plan', op: 'EQ', value: 'enterprise' } });
    doc.outcomes.push({ ...doc.outcomes[0], key: 'adoption_enterprise', cluster: 'enterprise', name: 'Adoption (enterprise)' });
    doc.coins.push({ ...doc.coins[0], outcome: 'adoption_enterprise' });
    await t.ok(`mutation($id: ID!, $d: JSONObject!) { updateModelDraft(id: $id, document: $d) { id } }`, { id: draft.id, d: doc }, ws.keys.OPS);

    const started = (await t.ok(`mutation($d: ID) { runBacktest(input: { model: { draftId: $d } }) { id } }`, { d: draft.id }, ws.keys.ANALYST)).runBacktest;
    const { report } = await finished(ws.keys.ANALYST, started.id);
    const even = cases.filter((_, i) => i % 2 === 0), odd = cases.filter((_, i) => i % 2 === 1);
    const churners = (cs: Planted[]) => cs.filter((c) => c.kind === 'CHURNED').length;
    expect(report.clusters.map((c: any) => [c.name, c.n, c.churners]).sort()).toEqual([
      [`Cluster ${defaultCluster.name}`, 60, churners(odd)],
      ['Cluster Enterprise', 60, churners(even)],
    ].sort());
    // each cluster's accounts are scored on that cluster's own outcome
    expect(report.outcomes.map((o: any) => `${o.name}: ${o.n}`).sort()).toEqual(['Outcome Adoption (enterprise): 60', 'Outcome Adoption: 60'].sort());
    // the stored clusters did not move
    const [{ clusters }] = await t.db.query(`SELECT count(DISTINCT cluster_id)::int AS clusters FROM accounts WHERE workspace_id = $1`, [ws.id]);
    expect(clusters).toBe(1);
  }, 180_000); // a backtest of 45 dates on 2 shared cores

  it('period and scope select the cases; too few churners is a warning; bad input is refused and creates nothing', async () => {
    const ws = await t.workspace();
    await synthetic(ws, 60, 3, (logins) => logins < 5);
    const bt = (await t.ok(`mutation { runBacktest(input: { from: "2026-03-01", to: "2026-03-10" }) { id total } }`, {}, ws.keys.OPS)).runBacktest;
    expect(bt.total).toBe(20); // D = March 1 + (i % 45) days: i in 0..9 and 45..54
    const done = await finished(ws.keys.OPS, bt.id);
    expect(done.report.tooFew).toBe(true);
    expect(done.report.warnings[0]).toMatch(/below 30 of either/);

    const backwards = await t.gql(`mutation { runBacktest(input: { from: "2026-03-10", to: "2026-03-01" }) { id } }`, {}, ws.keys.OPS);
    expect(backwards.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.to' } });
    const negative = await t.gql(`mutation { runBacktest(input: { horizonDays: -1 }) { id } }`, {}, ws.keys.OPS);
    expect(negative.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const refused = await t.gql(`mutation { runBacktest { id } }`, {}, ws.keys.CSM);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM backtests WHERE workspace_id = $1`, [ws.id]);
    expect(n).toBe(1);
  });
});
