/**
 * Property tests (fast-check): random coins, accounts and signals, scored by the SQL engine, checked
 * against the formulas written independently in TypeScript (src/scoring/formulas.ts + a reference
 * aggregator below): scores in [0, 100]; metric values; component scores; side score = the
 * renormalised formula over the drivers; coin; contributions add up; snapshot = scoreAccount.
 */
import fc from 'fast-check';
import { useTestServer } from './support/harness';
import { bareWorkspace, insertAccount, insertCoin, insertOutcome, insertSignals, scopeOf, type Sig } from './scoring-seed';
import { scoreAccounts } from '../src/scoring/engine';
import { applyScoring, bandOf, bandsScore, coinScore, linearScore, percentileScore, sideScore } from '../src/scoring/formulas';
import type { ScoringFn } from '../src/scoring/model-config';

const T = new Date('2026-05-01T00:00:00.000Z');
const DAY = 86_400_000;

describe('scoring formulas (pure)', () => {
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  it('LINEAR, BANDS and PERCENTILE stay in [0, 100]', () => {
    fc.assert(fc.property(finite, finite, finite, (v, f, t) => {
      const s = linearScore(v, f, t);
      return s >= 0 && s <= 100;
    }));
    fc.assert(fc.property(finite, fc.array(fc.record({ min: finite, score: fc.integer({ min: 0, max: 100 }) }), { maxLength: 5 }), (v, bands) => {
      const s = bandsScore(v, bands);
      return s >= 0 && s <= 100;
    }));
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (values, hib) =>
      values.every((v) => { const s = percentileScore(v, values, hib); return s >= 0 && s <= 100; })));
  });
  it('PERCENTILE: the best value scores 100 and the worst 0 when values are distinct', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer(), { minLength: 2, maxLength: 20 }), (values) => {
      const max = Math.max(...values);
      const min = Math.min(...values);
      return percentileScore(max, values) === 100 && percentileScore(min, values) === 0 && percentileScore(min, values, false) === 100;
    }));
  });
});

type Agg = 'COUNT' | 'DISTINCT_DAYS' | 'DISTINCT_SUBJECTS' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'LATEST' | 'DAYS_SINCE';
interface Comp { key: string; side: 'PROACTIVE' | 'REACTIVE'; weight: number; metric: { aggregation: Agg; signalType: string; windowDays?: number }; scoring: ScoringFn }

/** Reference aggregation, written from the spec independently of the SQL. */
function refMetric(signals: Sig[], comp: Comp, d: number): number | null {
  const m = comp.metric;
  const t = T.getTime();
  const upToT = signals.filter((s) => s.type === m.signalType && new Date(s.at).getTime() <= t);
  if (m.aggregation === 'DAYS_SINCE') {
    if (!upToT.length) return d;
    return Math.floor((t - Math.max(...upToT.map((s) => new Date(s.at).getTime()))) / DAY);
  }
  const inWin = upToT.filter((s) => m.windowDays === undefined || new Date(s.at).getTime() > t - m.windowDays * DAY);
  const values = inWin.map((s) => s.value).filter((v): v is number => v !== null && v !== undefined);
  switch (m.aggregation) {
    case 'COUNT': return inWin.length;
    case 'DISTINCT_DAYS': return new Set(inWin.map((s) => s.at.slice(0, 10))).size;
    case 'DISTINCT_SUBJECTS': return new Set(inWin.map((s) => s.subject).filter((x) => x)).size;
    case 'SUM': return values.reduce((a, b) => a + b, 0);
    case 'AVG': return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    case 'MIN': return values.length ? Math.min(...values) : null;
    case 'MAX': return values.length ? Math.max(...values) : null;
    case 'LATEST': {
      const withV = inWin.filter((s) => s.value !== null && s.value !== undefined).sort((a, b) => a.at.localeCompare(b.at));
      return withV.length ? withV[withV.length - 1].value! : null;
    }
  }
}

const scoringArb: fc.Arbitrary<ScoringFn> = fc.oneof(
  fc.record({ type: fc.constant('LINEAR' as const), floor: fc.integer({ min: 0, max: 20 }), target: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ type: fc.constant('BANDS' as const), bands: fc.uniqueArray(fc.record({ min: fc.integer({ min: 0, max: 10 }), score: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 4, selector: (b) => b.min }) }),
  fc.record({ type: fc.constant('PERCENTILE' as const), higherIsBetter: fc.boolean() }),
);
const compArb = (i: number): fc.Arbitrary<Comp> => fc.record({
  key: fc.constant(`c${i}`),
  side: fc.constantFrom('PROACTIVE' as const, 'REACTIVE' as const),
  weight: fc.integer({ min: 1, max: 50 }),
  metric: fc.record({
    aggregation: fc.constantFrom<Agg>('COUNT', 'DISTINCT_DAYS', 'DISTINCT_SUBJECTS', 'SUM', 'AVG', 'MIN', 'MAX', 'LATEST', 'DAYS_SINCE'),
    signalType: fc.constantFrom('a', 'b'),
    windowDays: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  }),
  scoring: scoringArb,
});
// Signals on whole-minute times in the 60 days before T (some exactly at window edges), values 0..10 or none.
const sigArb: fc.Arbitrary<Sig> = fc.record({
  type: fc.constantFrom('a', 'b'),
  at: fc.oneof(fc.integer({ min: 0, max: 60 * 24 * 60 }).map((m) => new Date(T.getTime() - m * 60_000).toISOString()),
    fc.integer({ min: 0, max: 40 }).map((days) => new Date(T.getTime() - days * DAY).toISOString())),
  subject: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: null }),
  value: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
});
const modelArb = fc.record({
  wp: fc.integer({ min: 0, max: 100 }),
  wr: fc.integer({ min: 1, max: 100 }),
  comps: fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => compArb(i)))),
  accounts: fc.array(fc.record({ startDaysAgo: fc.integer({ min: 0, max: 200 }), signals: fc.array(sigArb, { maxLength: 12 }) }), { minLength: 1, maxLength: 5 }),
});

describe('scoring engine properties', () => {
  const t = useTestServer();

  it('matches the TypeScript formulas on random models, and the snapshot equals scoreAccount', async () => {
    await fc.assert(fc.asyncProperty(modelArb, async (model) => {
      const { ws, cluster } = await bareWorkspace(t.db);
      const outcome = await insertOutcome(t.db, ws, cluster, 'o');
      await insertCoin(t.db, ws, outcome, { proactiveWeight: model.wp, reactiveWeight: model.wr, components: model.comps });
      const ids: string[] = [];
      for (const [i, a] of model.accounts.entries()) {
        const id = await insertAccount(t.db, ws, cluster, `a${i}`, {}, new Date(T.getTime() - a.startDaysAgo * DAY).toISOString());
        await insertSignals(t.db, ws, id, a.signals);
        ids.push(id);
      }
      const scope = scopeOf(t.db, ws);
      await scoreAccounts(scope, { asOf: T, persist: true });
      const snaps: any[] = await t.db.query(
        `SELECT account_id, score, band, proactive, reactive, coverage, drivers FROM health_snapshots WHERE workspace_id = $1`, [ws]);
      expect(snaps).toHaveLength(ids.length);
      const byAccount = new Map(snaps.map((s) => [s.account_id, s]));
      // reference metric values, and the peers of every component (for PERCENTILE)
      const ref = ids.map((id, i) => model.comps.map((c) => refMetric(model.accounts[i].signals, c, model.accounts[i].startDaysAgo)));
      for (const [i, id] of ids.entries()) {
        const s = byAccount.get(id);
        // stored worst first (most points lost), ties in the coin's order (insertCoin: position = index)
        expect(s.drivers).toHaveLength(model.comps.length);
        const position = new Map(model.comps.map((c, j) => [c.key, j]));
        for (let k = 1; k < s.drivers.length; k++) {
          const [a, b] = [s.drivers[k - 1], s.drivers[k]];
          expect(a.pointsLost > b.pointsLost || (a.pointsLost === b.pointsLost && position.get(a.key)! < position.get(b.key)!)).toBe(true);
        }
        for (const [j, c] of model.comps.entries()) {
          const d = s.drivers.find((x: any) => x.key === c.key);
          expect(d).toBeDefined();
          const want = ref[i][j];
          if (want === null) expect(d.rawValue).toBeNull();
          else expect(d.rawValue).toBeCloseTo(want, 9);
          if (want === null) expect(d.score).toBeNull();
          else {
            const peers = ref.map((r) => r[j]).filter((v): v is number => v !== null);
            expect(d.score).toBeCloseTo(applyScoring(c.scoring, want, peers), 9);
            expect(d.score).toBeGreaterThanOrEqual(0);
            expect(d.score).toBeLessThanOrEqual(100);
          }
        }
        // sides and coin from the drivers, by the spec's formulas
        const drivers = s.drivers.map((d: any) => ({ ...d, missing: d.missing }));
        const p = sideScore(drivers, 'PROACTIVE');
        const r = sideScore(drivers, 'REACTIVE');
        p === null ? expect(s.proactive).toBeNull() : expect(s.proactive).toBeCloseTo(p, 9);
        r === null ? expect(s.reactive).toBeNull() : expect(s.reactive).toBeCloseTo(r, 9);
        const coin = coinScore(p, r, model.wp, model.wr);
        if (coin === null) expect(s.score).toBeNull();
        else {
          expect(s.score).toBeCloseTo(coin, 9);
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(100);
          expect(drivers.reduce((a: number, d: any) => a + d.contribution, 0)).toBeCloseTo(s.score, 9);
        }
        expect(s.band).toBe(bandOf(s.score));
      }
      // the snapshot equals scoreAccount (exactly) for one account
      const pick = ids[model.accounts.length - 1];
      const one = await scoreAccounts(scope, { asOf: T, accountIds: [pick], persist: false });
      const snap = byAccount.get(pick);
      expect(one.outcomes![0].score).toBe(snap.score);
      expect(one.outcomes![0].coverage).toBe(snap.coverage);
      expect(one.outcomes![0].drivers).toEqual(snap.drivers);
    }), { numRuns: 25 });
  }, 120_000);
});
