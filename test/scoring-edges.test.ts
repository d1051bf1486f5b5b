/**
 * Every aggregation and scoring function at its edges: no signals, one signal, a signal exactly at
 * T − window (out) and exactly at T (in), normalizeBy missing or 0, the day a stage starts, all
 * components missing, PERCENTILE with a single account and with ties; journey statuses and
 * achievedAt; account health weighting and workspace thresholds; coverage.
 */
import { useTestServer } from './support/harness';
import { bareWorkspace, completeMilestone, insertAccount, insertCluster, insertCoin, insertJourney, insertOutcome, insertSignals, linear, scopeOf, type Sig } from './scoring-seed';
import { scoreAccount, scoreAccounts, type OutcomeHealthRow } from '../src/scoring/engine';
import { percentileScore } from '../src/scoring/formulas';
import { createRun, processRun } from '../src/scoring/runs.service';

const T = '2026-03-10T00:00:00.000Z';
const daysBefore = (n: number, iso = T) => new Date(new Date(iso).getTime() - n * 86_400_000).toISOString();

describe('scoring edge cases', () => {
  const t = useTestServer();

  async function score(ws: string, accountIds?: string[], asOf = T) {
    return await scoreAccounts(scopeOf(t.db, ws), { asOf: new Date(asOf), accountIds: accountIds ?? null, persist: false });
  }
  const rowOf = (rows: OutcomeHealthRow[], account: string, outcome?: string) => rows.find((r) => r.accountId === account && (!outcome || r.outcomeId === outcome))!;
  const drv = (row: OutcomeHealthRow, key: string) => row.drivers.find((d) => d.key === key)!;

  it('aggregations: window bounds, no signals, one signal, normalizeBy missing or 0', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    const m = (aggregation: string, extra: Record<string, unknown> = {}) => ({ aggregation, signalType: 'ev', windowDays: 10, ...extra });
    // LINEAR 0 → 100: score = value clamped, so scores are easy to read
    await insertCoin(t.db, ws, outcome, { components: [
      linear('count', 'REACTIVE', 1, m('COUNT')),
      linear('days', 'REACTIVE', 1, m('DISTINCT_DAYS')),
      linear('subjects', 'REACTIVE', 1, m('DISTINCT_SUBJECTS')),
      linear('sum', 'REACTIVE', 1, m('SUM')),
      linear('avg', 'REACTIVE', 1, m('AVG')),
      linear('min', 'REACTIVE', 1, m('MIN')),
      linear('max', 'REACTIVE', 1, m('MAX')),
      linear('latest', 'REACTIVE', 1, m('LATEST')),
      linear('since', 'REACTIVE', 1, m('DAYS_SINCE')), // window ignored
      linear('count_a_ever', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev', subject: 'a' }),
      linear('sum_per_seat', 'REACTIVE', 1, m('SUM', { normalizeBy: 'seats' })),
    ] });
    // x: day 0 = 2026-03-01 → d = 9 at T; window (T − 10 d, T] = (02-28 00:00, 03-10 00:00]
    const x = await insertAccount(t.db, ws, cluster, 'x', { seats: 3 }, '2026-03-01T00:00:00Z');
    await insertSignals(t.db, ws, x, [
      { type: 'ev', at: '2026-02-28T00:00:00Z', subject: 'a', value: 100 }, // exactly T − 10 days: out of the window
      { type: 'ev', at: '2026-03-01T10:00:00Z', subject: 'a', value: 5 },
      { type: 'ev', at: '2026-03-01T20:00:00Z', subject: 'b', value: 1 },
      { type: 'ev', at: '2026-03-05T00:00:00Z' }, // no subject, no value
      { type: 'ev', at: T, subject: 'c', value: 3 }, // exactly T: in
      { type: 'ev', at: '2026-03-11T00:00:00Z', subject: 'd', value: 1000 }, // after T: ignored
      { type: 'other', at: '2026-03-02T00:00:00Z', value: 50 }, // other type: ignored
    ]);
    const y = await insertAccount(t.db, ws, cluster, 'y', {}, '2026-03-01T00:00:00Z'); // no signals, no seats
    const z = await insertAccount(t.db, ws, cluster, 'z', { seats: 0 }, '2026-03-01T00:00:00Z');
    await insertSignals(t.db, ws, z, [{ type: 'ev', at: '2026-03-09T12:00:00Z', subject: 'a', value: 7 }]); // one signal, 12 h before T

    const r = await score(ws);
    const vals = (id: string) => Object.fromEntries(rowOf(r.outcomes!, id).drivers.map((d) => [d.key, d.rawValue]));
    // x: count 4 (03-01 ×2, 03-05, T); days 03-01, 03-05, 03-10 = 3; subjects a, b, c = 3 (null not counted);
    //    sum 5 + 1 + 3 = 9; avg over the 3 values = 3; min 1; max 5; latest = the signal at T = 3; since 0;
    //    subject a ever (≤ T, no window) = 2; sum per seat 9 / 3 = 3
    expect(vals(x)).toEqual({ count: 4, days: 3, subjects: 3, sum: 9, avg: 3, min: 1, max: 5, latest: 3, since: 0, count_a_ever: 2, sum_per_seat: 3 });
    // y: counts and sums 0; AVG/MIN/MAX/LATEST missing; never seen → DAYS_SINCE = d = 9; no seats → missing
    expect(vals(y)).toEqual({ count: 0, days: 0, subjects: 0, sum: 0, avg: null, min: null, max: null, latest: null, since: 9, count_a_ever: 0, sum_per_seat: null });
    // z: one signal; seats = 0 → missing
    expect(vals(z)).toEqual({ count: 1, days: 1, subjects: 1, sum: 7, avg: 7, min: 7, max: 7, latest: 7, since: 0, count_a_ever: 1, sum_per_seat: null });
    const ry = rowOf(r.outcomes!, y);
    expect(drv(ry, 'avg')).toMatchObject({ missing: true, applicable: true, score: null, effectiveWeight: 0, pointsLost: 0 });
    // y's present components: count 0, days 0, subjects 0, sum 0, since 9, count_a_ever 0 → R = 9/6 = 1.5; 5 of 11 weights missing
    expect(ry.reactive).toBeCloseTo(1.5, 12);
    expect(ry.score).toBeCloseTo(1.5, 12); // the proactive side is missing: the coin is the reactive side alone
    expect(ry.proactive).toBeNull();
    expect(ry.coverage).toBeCloseTo(6 / 11, 12);
  });

  it('all components missing → null score, UNKNOWN band, coverage 0; account health UNKNOWN', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertCoin(t.db, ws, outcome, { components: [
      linear('pulse', 'PROACTIVE', 1, { aggregation: 'LATEST', signalType: 'csm_pulse' }, 1, 5),
      linear('nps', 'REACTIVE', 1, { aggregation: 'AVG', signalType: 'nps', windowDays: 90 }, 0, 10),
    ] });
    const a = await insertAccount(t.db, ws, cluster, 'a', {}, '2026-01-01T00:00:00Z');
    const r = await score(ws);
    expect(rowOf(r.outcomes!, a)).toMatchObject({ score: null, band: 'UNKNOWN', proactive: null, reactive: null, coverage: 0, journeyStatus: null, stageId: null });
    expect(r.accounts![0]).toMatchObject({ accountId: a, score: null, band: 'UNKNOWN' });
  });

  it('LINEAR clamps and reverses, BANDS is 0 below every band', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertCoin(t.db, ws, outcome, { components: [
      linear('above', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev' }, 0, 2), // 3 ≥ target → 100
      linear('lower_better', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev' }, 4, 0), // (3 − 4)/(0 − 4) = 0.25 → 25
      linear('past_floor', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev' }, 2, 0), // below floor side → 0
      { key: 'bands_below', name: 'b', side: 'REACTIVE', weight: 1, metric: { aggregation: 'COUNT', signalType: 'ev' },
        scoring: { type: 'BANDS', bands: [{ min: 5, score: 80 }, { min: 10, score: 100 }] } }, // 3 < 5 → 0
      { key: 'bands_mid', name: 'b', side: 'REACTIVE', weight: 1, metric: { aggregation: 'COUNT', signalType: 'ev' },
        scoring: { type: 'BANDS', bands: [{ min: 3, score: 60 }, { min: 0, score: 10 }, { min: 4, score: 90 }] } }, // unsorted; 3 → 60
    ] });
    const a = await insertAccount(t.db, ws, cluster, 'a', {}, '2026-01-01T00:00:00Z');
    await insertSignals(t.db, ws, a, [{ type: 'ev', at: '2026-03-01T00:00:00Z' }, { type: 'ev', at: '2026-03-02T00:00:00Z' }, { type: 'ev', at: '2026-03-03T00:00:00Z' }]);
    const row = (await score(ws)).outcomes![0];
    expect(Object.fromEntries(row.drivers.map((d) => [d.key, d.score]))).toEqual({ above: 100, lower_better: 25, past_floor: 0, bands_below: 0, bands_mid: 60 });
    expect(row.score).toBeCloseTo((100 + 25 + 0 + 0 + 60) / 5, 12);
  });

  it('PERCENTILE among the accounts of the same cluster at T: ties, lower-is-better, single account = 50, missing values excluded', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const other = await insertCluster(t.db, ws, 'Solo', 1, { attribute: 'solo', op: 'EQ', value: true });
    const pct = (higherIsBetter: boolean) => ({ type: 'PERCENTILE', higherIsBetter });
    const coin = { components: [
      { key: 'up', name: 'up', side: 'REACTIVE', weight: 1, metric: { aggregation: 'MAX', signalType: 'v' }, scoring: pct(true) },
      { key: 'down', name: 'down', side: 'PROACTIVE', weight: 1, metric: { aggregation: 'MAX', signalType: 'v' }, scoring: pct(false) },
    ] };
    const o1 = await insertOutcome(t.db, ws, cluster, 'o1');
    await insertCoin(t.db, ws, o1, coin);
    const o2 = await insertOutcome(t.db, ws, other, 'o2');
    await insertCoin(t.db, ws, o2, coin);
    const ids: string[] = [];
    for (const [i, v] of [1, 2, 2, 5].entries()) {
      const id = await insertAccount(t.db, ws, cluster, `p${i}`, {}, '2026-01-01T00:00:00Z');
      await insertSignals(t.db, ws, id, [{ type: 'v', at: '2026-03-01T00:00:00Z', value: v }]);
      ids.push(id);
    }
    const none = await insertAccount(t.db, ws, cluster, 'none', {}, '2026-01-01T00:00:00Z'); // no value: not a peer
    const solo = await insertAccount(t.db, ws, other, 'solo', { solo: true }, '2026-01-01T00:00:00Z');
    await insertSignals(t.db, ws, solo, [{ type: 'v', at: '2026-03-01T00:00:00Z', value: 1000 }]);
    const r = await score(ws);
    // 4 peers with a value (n − 1 = 3). value 1: worse 0 → 0; value 2: worse 1 + ½·1 equal → 50; value 5: worse 3 → 100.
    // Lower is better: 1 → 3/3 = 100; 2 → (1 + ½)/3 = 50; 5 → 0.
    const got = ids.map((id) => { const row = rowOf(r.outcomes!, id); return [drv(row, 'up').score, drv(row, 'down').score]; });
    expect(got).toEqual([[0, 100], [50, 50], [50, 50], [100, 0]]);
    expect(drv(rowOf(r.outcomes!, none), 'up')).toMatchObject({ missing: true, score: null });
    // alone in its cluster (the other cluster's accounts are not peers) → 50
    expect(drv(rowOf(r.outcomes!, solo), 'up').score).toBe(50);
    // scoring one account alone still ranks it among its cluster's peers
    const single = await score(ws, [ids[3]]);
    expect(single.outcomes).toHaveLength(1);
    expect(single.outcomes![0]).toEqual(rowOf(r.outcomes!, ids[3]));
  });

  // With a PERCENTILE over JOURNEY_ADHERENCE, a targeted rescore scores the peers' journeys with its targets (the
  // "scored" peers of engine.percentile.ts), and reads the peers' signals in a pass of their own beside the targets'.
  it.each([['lean', false], ['scored', true]] as const)('PERCENTILE in a targeted rescore (%s peers): every account scored alone (and persisted) gets exactly its full-rescore row', async (_peers, adherence) => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const other = await insertCluster(t.db, ws, 'Other', 1, { attribute: 'other', op: 'EQ', value: true });
    const pct = (key: string, metric: Record<string, unknown>, higherIsBetter = true, extra: Record<string, unknown> = {}) =>
      ({ key, name: key, side: 'REACTIVE', weight: 1, metric: { signalType: 'ev', windowDays: 10, ...metric }, scoring: { type: 'PERCENTILE', higherIsBetter }, ...extra });
    const coin = { components: [
      pct('count', { aggregation: 'COUNT' }),
      pct('days', { aggregation: 'DISTINCT_DAYS' }, false),
      pct('subjects', { aggregation: 'DISTINCT_SUBJECTS' }),
      pct('sum', { aggregation: 'SUM' }),
      pct('avg', { aggregation: 'AVG' }, false),
      pct('min', { aggregation: 'MIN' }),
      pct('max', { aggregation: 'MAX', windowDays: 3 }),
      pct('latest', { aggregation: 'LATEST' }),
      pct('since', { aggregation: 'DAYS_SINCE' }, false),
      pct('count_a_ever', { aggregation: 'COUNT', subject: 'a', windowDays: null }),
      pct('sum_per_seat', { aggregation: 'SUM', normalizeBy: 'seats' }), // seats missing or 0: missing
      pct('managed_only', { aggregation: 'COUNT' }, true, { applicability: { attribute: 'managed', op: 'EQ', value: true } }),
      // PERCENTILE only in a later stage: its values still rank among all the cluster's accounts
      linear('staged', 'PROACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev', windowDays: 10 }, 0, 5,
        { stageOverrides: [{ stageKey: 'late', scoring: { type: 'PERCENTILE', higherIsBetter: true } }] }),
      linear('plain', 'PROACTIVE', 1, { aggregation: 'COUNT', signalType: 'other', windowDays: 10 }, 0, 5),
      ...(adherence ? [{ key: 'adherence', name: 'adherence', side: 'PROACTIVE', weight: 1, metric: { aggregation: 'JOURNEY_ADHERENCE' },
        scoring: { type: 'PERCENTILE', higherIsBetter: true } }] : []),
    ] };
    const o1 = await insertOutcome(t.db, ws, cluster, 'o1');
    await insertJourney(t.db, ws, o1, { stages: [{ key: 'early', startDay: 0 }, { key: 'late', startDay: 30 }] });
    await insertCoin(t.db, ws, o1, coin);
    const o2 = await insertOutcome(t.db, ws, cluster, 'o2'); // a second outcome of the cluster, without PERCENTILE
    await insertCoin(t.db, ws, o2, { components: [linear('n', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'ev', windowDays: 10 }, 0, 5)] });
    const o3 = await insertOutcome(t.db, ws, other, 'o3'); // the other cluster: not peers
    await insertCoin(t.db, ws, o3, coin);
    const ids: string[] = [];
    const add = async (name: string, clusterId: string, attrs: Record<string, unknown>, startedDaysAgo: number, sigs: Sig[]) => {
      const id = await insertAccount(t.db, ws, clusterId, name, attrs, daysBefore(startedDaysAgo));
      await insertSignals(t.db, ws, id, sigs);
      ids.push(id);
      return id;
    };
    const ev = (daysAgo: number, subject: string | null, value: number | null): Sig => ({ type: 'ev', at: daysBefore(daysAgo), subject, value });
    await add('ties1', cluster, { seats: 2, managed: true }, 40, [ev(1, 'a', 3), ev(2, 'b', 1)]);
    await add('ties2', cluster, { seats: 2, managed: true }, 5, [ev(1, 'a', 3), ev(2, 'b', 1)]); // the same values, another stage
    await add('busy', cluster, { seats: 3, managed: false }, 60, [ev(0, 'a', -2), ev(0.5, 'c', 7.25), ev(1, 'a', null), ev(9.5, 'd', 0.1),
      ev(10, 'a', 100), ev(-1, 'a', 5), { type: 'other', at: daysBefore(1), value: 1 }]); // exactly T − 10 days: out; after T: ignored
    await add('old', cluster, { seats: 0 }, 90, [ev(20, 'a', 4), ev(30, 'b', 2)]); // only outside the window; seats 0
    await add('none', cluster, {}, 15, []); // no signals, no seats
    await add('none2', cluster, { managed: true }, 35, []);
    await add('value-less', cluster, { seats: 1 }, 45, [ev(3, null, null), ev(4, null, null)]);
    await add('elsewhere', other, { other: true, seats: 2, managed: true }, 40, [ev(1, 'a', 1000)]);
    const full = await score(ws);
    expect(full.outcomes).toHaveLength(15);
    // the values are spread and tied as intended: several distinct scores per PERCENTILE component
    for (const key of ['count', 'sum', 'avg', 'since', 'count_a_ever']) {
      expect(new Set(ids.slice(0, 7).map((id) => drv(rowOf(full.outcomes!, id, o1), key).score)).size).toBeGreaterThan(2);
    }
    expect(drv(rowOf(full.outcomes!, ids[4], o1), 'sum_per_seat')).toMatchObject({ missing: true, score: null });
    expect(drv(rowOf(full.outcomes!, ids[2], o1), 'managed_only')).toMatchObject({ applicable: false, score: null });
    const scope = scopeOf(t.db, ws);
    for (const id of ids) {
      const alone = await score(ws, [id]);
      const want = full.outcomes!.filter((r) => r.accountId === id);
      expect(alone.outcomes).toEqual(want);
      expect(alone.accounts).toEqual(full.accounts!.filter((a) => a.accountId === id));
      // persisted by a targeted rescore (the incremental path): the same drivers, bit for bit
      await scoreAccounts(scope, { asOf: new Date(T), accountIds: [id], persist: true });
      const snaps: any[] = await t.db.query(
        `SELECT outcome_id, score, coverage, drivers FROM health_snapshots WHERE workspace_id = $1 AND account_id = $2 AND as_of = $3 ORDER BY outcome_id`, [ws, id, T]);
      expect(snaps.map((s) => ({ outcomeId: s.outcome_id, score: s.score, coverage: s.coverage, drivers: s.drivers })))
        .toEqual(want.map((r) => ({ outcomeId: r.outcomeId, score: r.score, coverage: r.coverage, drivers: r.drivers })));
    }
    // two accounts of different clusters in one targeted call: each ranked among its own cluster
    const pair = await score(ws, [ids[2], ids[7]]);
    expect(pair.outcomes).toEqual(full.outcomes!.filter((r) => r.accountId === ids[2] || r.accountId === ids[7]));
  });

  it('PERCENTILE over counts and sums only: the lean pass counts the peers without signals instead of listing them, with the same ranks', async () => {
    // Every PERCENTILE component counts or sums signals, with no applicability rule or normalizeBy: a targeted rescore
    // lists only the peers with a signal in the window and weighs the others as one value 0 (engine.percentile.ts).
    const { ws, cluster } = await bareWorkspace(t.db);
    const other = await insertCluster(t.db, ws, 'Other', 1, { attribute: 'other', op: 'EQ', value: true });
    const pct = (key: string, metric: Record<string, unknown>, higherIsBetter = true) =>
      ({ key, name: key, side: 'REACTIVE', weight: 1, metric: { signalType: 'ev', windowDays: 10, ...metric }, scoring: { type: 'PERCENTILE', higherIsBetter } });
    const coin = { components: [
      pct('count', { aggregation: 'COUNT' }),
      pct('days', { aggregation: 'DISTINCT_DAYS' }, false),
      pct('subjects', { aggregation: 'DISTINCT_SUBJECTS' }),
      pct('sum', { aggregation: 'SUM' }), // sums of zero and below zero among the listed peers
      pct('count_a_ever', { aggregation: 'COUNT', subject: 'a', windowDays: null }),
      linear('plain', 'PROACTIVE', 1, { aggregation: 'COUNT', signalType: 'other', windowDays: 10 }, 0, 5),
    ] };
    const o1 = await insertOutcome(t.db, ws, cluster, 'o1');
    await insertCoin(t.db, ws, o1, coin);
    const o3 = await insertOutcome(t.db, ws, other, 'o3'); // the other cluster: not peers
    await insertCoin(t.db, ws, o3, coin);
    const ev = (daysAgo: number, subject: string | null, value: number | null): Sig => ({ type: 'ev', at: daysBefore(daysAgo), subject, value });
    const ids: string[] = [];
    const add = async (name: string, clusterId: string, sigs: Sig[], attrs: Record<string, unknown> = {}) => {
      const id = await insertAccount(t.db, ws, clusterId, name, attrs, daysBefore(60));
      await insertSignals(t.db, ws, id, sigs);
      ids.push(id);
    };
    await add('ties1', cluster, [ev(1, 'a', 3), ev(2, 'b', 1)]);
    await add('ties2', cluster, [ev(1, 'a', 3), ev(2, 'b', 1)]);
    await add('busy', cluster, [ev(0, 'a', -2), ev(0.5, 'c', 7.25), ev(1, 'a', null), ev(9.5, 'd', 0.1), ev(10, 'a', 100), ev(-1, 'a', 5)]);
    await add('zero-sum', cluster, [ev(2, 'b', 4), ev(3, 'b', -4)]); // listed, with the value 0 of those not listed
    await add('old', cluster, [ev(20, 'a', 4), ev(30, 'b', 2)]); // only outside the window (but counted by count_a_ever)
    for (let i = 0; i < 6; i++) await add(`quiet-${i}`, cluster, []); // no signals: counted, not listed
    await add('elsewhere', other, [ev(1, 'a', 1000)], { other: true });
    const full = await score(ws);
    for (const key of ['count', 'days', 'sum', 'count_a_ever']) {
      expect(new Set(ids.slice(0, 10).map((id) => drv(rowOf(full.outcomes!, id, o1), key).score)).size).toBeGreaterThan(2);
    }
    for (const id of ids) {
      const alone = await score(ws, [id]);
      expect(alone.outcomes).toEqual(full.outcomes!.filter((r) => r.accountId === id));
    }
    // several targets at once, of both clusters: the same rows again
    const some = [ids[0], ids[3], ids[6], ids[11]];
    expect((await score(ws, some)).outcomes).toEqual(full.outcomes!.filter((r) => some.includes(r.accountId)));
  });

  it('PERCENTILE in a run of chunks: the chunks share one peer distribution and give exactly the one-pass scores and scoreAccount', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertCoin(t.db, ws, outcome, { components: [
      { key: 'up', name: 'up', side: 'REACTIVE', weight: 2, metric: { aggregation: 'COUNT', signalType: 'v', windowDays: 30 }, scoring: { type: 'PERCENTILE', higherIsBetter: true } },
      { key: 'per_seat', name: 'per_seat', side: 'REACTIVE', weight: 1, metric: { aggregation: 'SUM', signalType: 'v', windowDays: 30, normalizeBy: 'seats' },
        scoring: { type: 'PERCENTILE', higherIsBetter: false }, applicability: { attribute: 'seats', op: 'GT', value: 1 } },
      { key: 'bands', name: 'bands', side: 'PROACTIVE', weight: 1, metric: { aggregation: 'MAX', signalType: 'v', windowDays: 30 },
        scoring: { type: 'BANDS', bands: [{ min: 0.1, score: 10 }, { min: 2, score: 60 }, { min: 2, score: 70 }, { min: 4.5, score: 100 }] } },
    ] });
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const id = await insertAccount(t.db, ws, cluster, `a${i}`, { seats: i % 4 }, '2026-01-01T00:00:00Z');
      // values with ties (i % 3 signals) and thirds per seat
      await insertSignals(t.db, ws, id, Array.from({ length: i % 3 }, (_, k) => ({ type: 'v', at: daysBefore(k + 1), value: (i + k) / 3 })));
      ids.push(id);
    }
    const onePass = await score(ws);
    const scope = scopeOf(t.db, ws);
    const run = await createRun(scope, {}, { chunkSize: 2, asOf: new Date(T) });
    const stored: number[] = [];
    const afterChunkScored = async () => {
      stored.push((await t.db.query(`SELECT count(*)::int AS n FROM scoring_peer_distributions WHERE run_id = $1`, [run.id]))[0].n);
    };
    expect(await processRun(t.db, ws, run.id, { concurrency: 2, afterChunkScored })).toBe('SUCCEEDED');
    // 9 accounts in 5 chunks: the first chunk (alone) computes and stores the distribution of both PERCENTILE components
    // (visible to the others once it committed), the later chunks, two at a time, read it; the run deletes it when it succeeds
    expect(stored).toEqual([0, 2, 2, 2, 2]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM scoring_peer_distributions WHERE run_id = $1`, [run.id]))[0].n).toBe(0);
    const snaps: any[] = await t.db.query(
      `SELECT account_id, score, proactive, reactive, coverage, drivers FROM health_snapshots WHERE workspace_id = $1 AND run_id = $2`, [ws, run.id]);
    expect(snaps).toHaveLength(ids.length);
    for (const s of snaps) {
      const want = rowOf(onePass.outcomes!, s.account_id);
      expect({ score: s.score, proactive: s.proactive, reactive: s.reactive, coverage: s.coverage, drivers: s.drivers })
        .toEqual({ score: want.score, proactive: want.proactive, reactive: want.reactive, coverage: want.coverage, drivers: want.drivers });
      const one = await scoreAccount(scope, s.account_id, new Date(T));
      expect(one.outcomes[0].drivers).toEqual(s.drivers);
      expect(one.outcomes[0].score).toBe(s.score);
    }
    expect(new Set(snaps.map((s) => drv(s, 'up').score)).size).toBeGreaterThan(1);
    expect(drv(rowOf(onePass.outcomes!, ids[4]), 'bands').score).toBe(10); // max 4/3: the band with min 0.1
    expect(drv(rowOf(onePass.outcomes!, ids[8]), 'bands').score).toBe(70); // max 3: min 2, the higher score of the tie
  });

  // COUNT takes the lean peers statement, JOURNEY_ADHERENCE the path that scores the peers' journeys.
  it.each(['COUNT', 'JOURNEY_ADHERENCE'] as const)('PERCENTILE (%s) in a run of chunks: a cluster with no account in the first chunk is still ranked among its own peers', async (aggregation) => {
    // The first chunk (one account here) stores the distribution every later chunk reads: it must cover every
    // cluster with a PERCENTILE component, not only the clusters of its own accounts.
    const { ws, cluster } = await bareWorkspace(t.db);
    const other = await insertCluster(t.db, ws, 'Other', 1, { attribute: 'other', op: 'EQ', value: true });
    const ids: string[] = [];
    for (const [c, name, attrs] of [[cluster, 'main', {}], [other, 'other', { other: true }]] as const) {
      const outcome = await insertOutcome(t.db, ws, c, name);
      // account i has i signals, so it achieved i of the 3 milestones (all due): adherence i/3
      await insertJourney(t.db, ws, outcome, { stages: [{ key: 's', startDay: 0, milestones: [1, 2, 3].map((k) => (
        { key: `m${k}`, expectedByDay: k, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'v', aggregation: 'COUNT', atLeast: k } })) }] });
      const metric = aggregation === 'COUNT' ? { aggregation, signalType: 'v', windowDays: 30 } : { aggregation };
      await insertCoin(t.db, ws, outcome, { components: [
        { key: 'up', name: 'up', side: 'REACTIVE', weight: 1, metric, scoring: { type: 'PERCENTILE', higherIsBetter: true } },
      ] });
      for (let i = 0; i < 4; i++) {
        const id = await insertAccount(t.db, ws, c, `${name}${i}`, attrs, '2026-01-01T00:00:00Z');
        await insertSignals(t.db, ws, id, Array.from({ length: i }, (_, k) => ({ type: 'v', at: daysBefore(k + 1) })));
        ids.push(id);
      }
    }
    const onePass = await score(ws);
    // 0, 1, 2 and 3 signals (and milestones) in each cluster: ranks 0, 33.3, 66.7 and 100 among the 4 accounts of the same cluster
    expect(onePass.outcomes!.map((o) => Math.round(o.score!)).sort((a, b) => a - b)).toEqual([0, 0, 33, 33, 67, 67, 100, 100]);
    const run = await createRun(scopeOf(t.db, ws), {}, { chunkSize: 1, asOf: new Date(T) });
    expect(await processRun(t.db, ws, run.id, { concurrency: 2 })).toBe('SUCCEEDED');
    const snaps: { account_id: string; score: number }[] = await t.db.query(
      `SELECT account_id, score FROM health_snapshots WHERE workspace_id = $1 AND run_id = $2`, [ws, run.id]);
    expect(new Map(snaps.map((s) => [s.account_id, s.score])))
      .toEqual(new Map(ids.map((id) => [id, rowOf(onePass.outcomes!, id).score])));
  });

  it('PERCENTILE in a run of chunks: an account whose value changed after the first chunk is ranked among the stored peers', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertCoin(t.db, ws, outcome, { components: [
      { key: 'up', name: 'up', side: 'REACTIVE', weight: 1, metric: { aggregation: 'COUNT', signalType: 'v', windowDays: 30 }, scoring: { type: 'PERCENTILE', higherIsBetter: true } },
    ] });
    // By id order (chunks follow it), so that the account of the last chunk is known: 0 signals, 4 after the first
    // chunk. Its new value (4) then ties with no stored value: a stored distribution holds values, not whose they
    // are, so a changed value equal to another peer's is ranked as if that entry were its own (half a rank off).
    const counts = [1, 2, 2, 3, 5, 0];
    const ids: string[] = [];
    for (const i of counts.keys()) ids.push(await insertAccount(t.db, ws, cluster, `a${i}`, {}, '2026-01-01T00:00:00Z'));
    ids.sort();
    for (const [i, id] of ids.entries()) {
      await insertSignals(t.db, ws, id, Array.from({ length: counts[i] }, (_, k) => ({ type: 'v', at: daysBefore(k + 1) })));
    }
    const late = ids[ids.length - 1]; // scored in the last chunk
    const before = counts[ids.length - 1];
    const run = await createRun(scopeOf(t.db, ws), {}, { chunkSize: 2, asOf: new Date(T) });
    const afterChunkScored = async ({ chunk }: { chunk: number }) => {
      // a late signal (before asOf) lands while the run is under way: 4 more for the account of the last chunk
      if (chunk === 1) await insertSignals(t.db, ws, late, Array.from({ length: 4 }, (_, k) => ({ type: 'v', at: daysBefore(k + 2) })));
    };
    expect(await processRun(t.db, ws, run.id, { afterChunkScored })).toBe('SUCCEEDED');
    const [snap] = await t.db.query(`SELECT drivers FROM health_snapshots WHERE workspace_id = $1 AND run_id = $2 AND account_id = $3`, [ws, run.id, late]);
    // the peers as the first chunk saw them (its old value included), plus its new value
    expect(snap.drivers[0].rawValue).toBe(before + 4);
    expect(snap.drivers[0].score).toBe(percentileScore(before + 4, [...counts, before + 4]));
  });

  it('stage overrides switch on the day the stage starts', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertJourney(t.db, ws, outcome, { stages: [{ key: 'onboarding', startDay: 0 }, { key: 'adoption', startDay: 30 }] });
    await insertCoin(t.db, ws, outcome, { components: [
      linear('logins', 'REACTIVE', 1, { aggregation: 'DISTINCT_DAYS', signalType: 'login', windowDays: 30 }, 0, 20,
        { stageOverrides: [{ stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: 5 } }] }),
    ] });
    const d29 = await insertAccount(t.db, ws, cluster, 'd29', {}, daysBefore(29.5)); // d = floor(29.5) = 29 → onboarding
    const d30 = await insertAccount(t.db, ws, cluster, 'd30', {}, daysBefore(30)); // exactly 30 days → adoption starts today
    for (const a of [d29, d30]) {
      await insertSignals(t.db, ws, a, [1, 2, 3, 4, 5].map((i) => ({ type: 'login', at: daysBefore(i) })));
    }
    const r = await score(ws);
    const r29 = rowOf(r.outcomes!, d29);
    const r30 = rowOf(r.outcomes!, d30);
    expect([r29.journeyDay, r30.journeyDay]).toEqual([29, 30]);
    expect(drv(r29, 'logins').score).toBe(100); // onboarding override: 5 / 5
    expect(drv(r30, 'logins').score).toBe(25); // default: 5 / 20
  });

  it('journey: ON_TRACK, AHEAD, BEHIND, STUCK and achievedAt of COUNT / SUM / DISTINCT_DAYS rules', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    const ms = await insertJourney(t.db, ws, outcome, { stuckAfterDays: 10, stages: [{ key: 's', startDay: 0, milestones: [
      { key: 'two_logins', expectedByDay: 5, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'login', aggregation: 'COUNT', atLeast: 2 } },
      { key: 'spend_100', expectedByDay: 20, weight: 2, completion: 'AUTOMATIC', rule: { signalType: 'purchase', aggregation: 'SUM', atLeast: 100 } },
      { key: 'three_days', expectedByDay: 40, weight: 1, completion: 'AUTOMATIC', rule: { signalType: 'login', aggregation: 'DISTINCT_DAYS', atLeast: 3 } },
      { key: 'signed', expectedByDay: 60, weight: 1, completion: 'MANUAL' },
    ] }] });
    await insertCoin(t.db, ws, outcome, { components: [linear('adherence', 'PROACTIVE', 1, { aggregation: 'JOURNEY_ADHERENCE' }, 0, 1)] });
    const start = daysBefore(25); // d = 25 for all: two_logins (5) and spend_100 (20) are due
    const at = (day: number, hour = 9) => new Date(new Date(start).getTime() + day * 86_400_000 + hour * 3_600_000).toISOString();
    const mk = async (name: string, signals: Array<{ type: string; at: string; value?: number }>) => {
      const id = await insertAccount(t.db, ws, cluster, name, {}, start);
      await insertSignals(t.db, ws, id, signals);
      return id;
    };
    const onTrack = await mk('on_track', [
      { type: 'login', at: daysBefore(30) }, // before journey start: does not count
      { type: 'login', at: at(1) }, { type: 'login', at: at(1, 15) }, // 2nd login, same day → two_logins at day 1 15:00
      { type: 'purchase', at: at(3), value: 60 }, { type: 'purchase', at: at(8), value: 50 }, // 110 ≥ 100 at day 8
    ]);
    const ahead = await mk('ahead', [
      { type: 'login', at: at(1) }, { type: 'login', at: at(1, 15) }, { type: 'login', at: at(2) }, { type: 'login', at: at(4) }, // 3rd day: day 4
      { type: 'purchase', at: at(2), value: 100 },
    ]);
    const behind = await mk('behind', [{ type: 'login', at: at(16) }, { type: 'login', at: at(17) }]); // two_logins late (day 17, 8 days ago)
    const stuck = await mk('stuck', [{ type: 'login', at: at(1) }, { type: 'login', at: at(2) }]); // last achievement 23 days ago > 10
    const never = await mk('never', []);
    await completeMilestone(t.db, ws, ahead, ms.signed, at(20));
    const r = await score(ws);
    const ach = (id: string) => Object.fromEntries(rowOf(r.outcomes!, id).milestones.map((m) => [m.key, m.achievedAt]));
    expect(rowOf(r.outcomes!, onTrack)).toMatchObject({ journeyStatus: 'ON_TRACK', overdueCount: 0, nextMilestoneId: ms.three_days, daysUntilDue: 15 });
    expect(ach(onTrack)).toEqual({ two_logins: at(1, 15), spend_100: at(8), three_days: null, signed: null });
    // ahead: three_days (due 40) achieved at day 4 with the 3rd distinct day; signed (manual, due 60) on day 20
    expect(rowOf(r.outcomes!, ahead)).toMatchObject({ journeyStatus: 'AHEAD', nextMilestoneId: null, daysUntilDue: null });
    expect(ach(ahead)).toEqual({ two_logins: at(1, 15), spend_100: at(2), three_days: at(4), signed: at(20) });
    // behind: spend_100 overdue (due 20, d 25), last achievement 8 days ago (< 10) → BEHIND; adherence 1/3
    expect(rowOf(r.outcomes!, behind)).toMatchObject({ journeyStatus: 'BEHIND', overdueCount: 1 });
    expect(drv(rowOf(r.outcomes!, behind), 'adherence').rawValue).toBeCloseTo(1 / 3, 12);
    expect(rowOf(r.outcomes!, stuck)).toMatchObject({ journeyStatus: 'STUCK', overdueCount: 1 });
    expect(rowOf(r.outcomes!, never)).toMatchObject({ journeyStatus: 'STUCK', overdueCount: 2 });
    expect(drv(rowOf(r.outcomes!, never), 'adherence').rawValue).toBe(0);
    // before any milestone is due (T − 24 days → d = 1): adherence 1, ON_TRACK
    const early = await score(ws, [never], daysBefore(24));
    expect(early.outcomes![0]).toMatchObject({ journeyDay: 1, journeyStatus: 'ON_TRACK' });
    expect(drv(early.outcomes![0], 'adherence').rawValue).toBe(1);
  });

  it('account health = outcome-weighted mean of the non-null outcome scores; bands follow the workspace thresholds', async () => {
    const { ws, cluster } = await bareWorkspace(t.db, { redBelow: 50, yellowBelow: 75 });
    const heavy = await insertOutcome(t.db, ws, cluster, 'heavy', 3);
    const light = await insertOutcome(t.db, ws, cluster, 'light', 1);
    const empty = await insertOutcome(t.db, ws, cluster, 'no coin', 5); // null score: left out
    const inactive = await insertOutcome(t.db, ws, cluster, 'inactive', 10, false); // not scored at all
    await insertCoin(t.db, ws, heavy, { components: [linear('c', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'a' }, 0, 10)] });
    await insertCoin(t.db, ws, light, { components: [linear('c', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'b' }, 0, 10)] });
    await insertCoin(t.db, ws, inactive, { components: [linear('c', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'b' }, 0, 10)] });
    const acc = await insertAccount(t.db, ws, cluster, 'acc', {}, '2026-01-01T00:00:00Z');
    await insertSignals(t.db, ws, acc, [
      ...Array.from({ length: 8 }, (_, i) => ({ type: 'a', at: daysBefore(i + 1) })), // heavy: 8/10 → 80
      ...Array.from({ length: 4 }, (_, i) => ({ type: 'b', at: daysBefore(i + 1) })), // light: 4/10 → 40
    ]);
    const r = await score(ws);
    expect(r.outcomes!.map((o) => o.outcomeId).sort()).toEqual([heavy, light, empty].sort());
    expect(rowOf(r.outcomes!, acc, heavy)).toMatchObject({ score: 80, band: 'GREEN' }); // ≥ 75
    expect(rowOf(r.outcomes!, acc, light)).toMatchObject({ score: 40, band: 'RED' }); // < 50
    expect(rowOf(r.outcomes!, acc, empty)).toMatchObject({ score: null, band: 'UNKNOWN', drivers: [] });
    // (3·80 + 1·40) / (3 + 1) = 280 / 4 = 70 → YELLOW with thresholds 50 / 75 (GREEN under the default 70)
    expect(r.accounts![0]).toMatchObject({ score: 70, band: 'YELLOW' });
  });

  it('coverage scales each side by its side weight; renormalisation over present components', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    await insertCoin(t.db, ws, outcome, { proactiveWeight: 25, reactiveWeight: 75, components: [
      linear('r_present', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'a' }, 0, 10),
      linear('r_missing', 'REACTIVE', 3, { aggregation: 'LATEST', signalType: 'nps' }, 0, 10),
      linear('p_present', 'PROACTIVE', 2, { aggregation: 'COUNT', signalType: 'qbr' }, 0, 1),
      linear('p_not_applicable', 'PROACTIVE', 5, { aggregation: 'COUNT', signalType: 'qbr' }, 0, 1,
        { applicability: { attribute: 'managed', op: 'EQ', value: true } }),
    ] });
    const acc = await insertAccount(t.db, ws, cluster, 'acc', { managed: false }, '2026-01-01T00:00:00Z');
    await insertSignals(t.db, ws, acc, [{ type: 'a', at: daysBefore(1) }, { type: 'a', at: daysBefore(2) }]); // 2/10 → 20; no qbr → 0
    const row = (await score(ws)).outcomes![0];
    // R = 20 (r_missing left out), P = 0 (p_not_applicable left out); coin = (0·25 + 20·75)/100 = 15
    expect(row).toMatchObject({ reactive: 20, proactive: 0, score: 15, band: 'RED' });
    // coverage = (75 · 1/(1+3) + 25 · 2/2) / (75 + 25) = (18.75 + 25) / 100 = 0.4375
    expect(row.coverage).toBeCloseTo(0.4375, 12);
    expect(drv(row, 'r_present').effectiveWeight).toBeCloseTo(0.75, 12);
    expect(drv(row, 'p_present').effectiveWeight).toBeCloseTo(0.25, 12);
    expect(drv(row, 'p_not_applicable')).toMatchObject({ applicable: false, missing: false, effectiveWeight: 0 });
  });

  it('records one model version per distinct configuration, with the configuration kept', async () => {
    const { ws, cluster } = await bareWorkspace(t.db);
    const outcome = await insertOutcome(t.db, ws, cluster, 'o');
    const comp = await insertCoin(t.db, ws, outcome, { components: [linear('c', 'REACTIVE', 1, { aggregation: 'COUNT', signalType: 'a' }, 0, 10)] });
    await insertAccount(t.db, ws, cluster, 'acc', {}, '2026-01-01T00:00:00Z');
    const scope = scopeOf(t.db, ws);
    const first = await scoreAccounts(scope, { asOf: new Date(T), persist: true });
    const again = await scoreAccounts(scope, { asOf: new Date(daysBefore(-1)), persist: true });
    expect(again.modelVersionId).toBe(first.modelVersionId); // same configuration → same version
    await t.db.query(`UPDATE components SET weight = 2 WHERE workspace_id = $1 AND id = $2`, [ws, comp.c]);
    const changed = await scoreAccounts(scope, { asOf: new Date(daysBefore(-2)), persist: true });
    expect(changed.modelVersionId).not.toBe(first.modelVersionId);
    const versions = await t.db.query(`SELECT id, config FROM model_versions WHERE workspace_id = $1 ORDER BY created_at`, [ws]);
    expect(versions).toHaveLength(2);
    expect(versions.map((v: any) => v.config.outcomes[0].coin.components[0].weight).sort()).toEqual([1, 2]);
    const snaps = await t.db.query(`SELECT model_version_id FROM health_snapshots WHERE workspace_id = $1 ORDER BY as_of`, [ws]);
    expect(snaps.map((r: any) => r.model_version_id)).toEqual([first.modelVersionId, first.modelVersionId, changed.modelVersionId]);
    // the current row follows the newest asOf; an older backfill does not overwrite it
    await scoreAccounts(scope, { asOf: new Date(daysBefore(30)), persist: true });
    const [cur] = await t.db.query(`SELECT as_of FROM current_outcome_health WHERE workspace_id = $1`, [ws]);
    expect(cur.as_of.toISOString()).toBe(daysBefore(-2));
  });
});
