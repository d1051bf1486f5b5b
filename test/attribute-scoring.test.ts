/**
 * Scoring on what an account is: ATTRIBUTE (a numeric attribute, or any value with CATEGORICAL scoring), JOURNEY_DAY
 * (tenure), CATEGORICAL with a default and per-stage overrides, PERCENTILE over an attribute; and the coin validation.
 * T = 2026-06-30T00:00:00Z; journeys start 2026-06-20 (d = 10, stage "onboarding") or 2026-01-01 (d = 180, "value").
 */
import { scoreAccounts } from '../src/scoring/engine';
import { DEFINE_COIN } from './support/fixtures';
import { useTestServer } from './support/harness';
import { defaultClusterId, insertAccount, insertJourney, insertOutcome, scopeOf } from './scoring-seed';

const T = new Date('2026-06-30T00:00:00Z');

describe('scoring on account attributes and tenure', () => {
  const t = useTestServer();

  const coin = {
    proactiveWeight: 50, reactiveWeight: 50,
    components: [
      { key: 'arr', name: 'ARR', side: 'REACTIVE', weight: 1, metric: { aggregation: 'ATTRIBUTE', attribute: 'arr' }, scoring: { type: 'LINEAR', floor: 0, target: 100000 } },
      { key: 'tenure', name: 'Tenure', side: 'REACTIVE', weight: 1, metric: { aggregation: 'JOURNEY_DAY' }, scoring: { type: 'LINEAR', floor: 0, target: 360 } },
      { key: 'contract', name: 'Contract', side: 'PROACTIVE', weight: 1, metric: { aggregation: 'ATTRIBUTE', attribute: 'contract' },
        scoring: { type: 'CATEGORICAL', categories: [{ value: 'Two year', score: 100 }, { value: 'One year', score: 70 }, { value: 'Month-to-month', score: 10 }], defaultScore: 40 },
        // in onboarding a monthly contract is normal
        stageOverrides: [{ stageKey: 'onboarding', scoring: { type: 'CATEGORICAL', categories: [{ value: 'Month-to-month', score: 60 }] } }] },
      { key: 'seats', name: 'Seats', side: 'PROACTIVE', weight: 1, metric: { aggregation: 'ATTRIBUTE', attribute: 'seats' }, scoring: { type: 'PERCENTILE', higherIsBetter: true } },
    ],
  };

  it('scores attributes, tenure and categories, with stage overrides and PERCENTILE among the cluster', async () => {
    const ws = await t.workspace();
    const cluster = await defaultClusterId(t.db, ws.id);
    const outcome = await insertOutcome(t.db, ws.id, cluster, 'Retention');
    await insertJourney(t.db, ws.id, outcome, { stages: [{ key: 'onboarding', startDay: 0 }, { key: 'value', startDay: 90 }] });
    const defined = await t.ok(DEFINE_COIN, { outcomeId: outcome, input: coin }, ws.keys.OPS);
    expect(defined.defineCoin).toBeTruthy();
    const a = await insertAccount(t.db, ws.id, cluster, 'a', { arr: 50000, contract: 'Two year', seats: 10 }, '2026-01-01T00:00:00Z');
    const b = await insertAccount(t.db, ws.id, cluster, 'b', { arr: '50000', contract: 'Month-to-month', seats: 5 }, '2026-06-20T00:00:00Z');
    const c = await insertAccount(t.db, ws.id, cluster, 'c', { contract: 'Month-to-month', seats: 20 }, '2026-01-01T00:00:00Z');
    const d = await insertAccount(t.db, ws.id, cluster, 'd', { contract: 'Lifetime' }, '2026-01-01T00:00:00Z');
    const e = await insertAccount(t.db, ws.id, cluster, 'e', {}, '2026-06-20T00:00:00Z');

    const r = await scoreAccounts(scopeOf(t.db, ws.id), { asOf: T, persist: false });
    const drivers = (id: string) => Object.fromEntries(r.outcomes!.find((o) => o.accountId === id)!.drivers.map((x) => [x.key, { v: x.rawValue, s: x.score }]));
    // a: arr 50,000 → 50; tenure 180 → 50; Two year → 100; seats 10 among 5, 10, 20 → 50
    expect(drivers(a)).toEqual({ arr: { v: 50000, s: 50 }, tenure: { v: 180, s: 50 }, contract: { v: null, s: 100 }, seats: { v: 10, s: 50 } });
    // b: arr is text → missing; d = 10 → 10/360·100; onboarding override: Month-to-month → 60; seats 5 lowest → 0
    expect(drivers(b)).toEqual({ arr: { v: null, s: null }, tenure: { v: 10, s: (10 / 360) * 100 }, contract: { v: null, s: 60 }, seats: { v: 5, s: 0 } });
    // c: value stage → Month-to-month 10; seats 20 highest → 100
    expect(drivers(c).contract.s).toBe(10);
    expect(drivers(c).seats.s).toBe(100);
    // d: not listed → default 40; e: no contract at all, and the onboarding override has no default → missing
    expect(drivers(d).contract.s).toBe(40);
    expect(drivers(e).contract.s).toBeNull();
    // targeted scoring ranks among the same peers (the lean peer statement reads their attributes)
    const one = await scoreAccounts(scopeOf(t.db, ws.id), { asOf: T, accountIds: [a], persist: false });
    expect(one.outcomes![0].drivers.find((x) => x.key === 'seats')!.score).toBe(50);
    expect(r.outcomes!.find((o) => o.accountId === a)!.score).toBeCloseTo((50 + 50) / 2 * 0.5 + (100 + 50) / 2 * 0.5, 10);
  });

  it('validates the new metrics and CATEGORICAL scoring', async () => {
    const ws = await t.workspace();
    const cluster = await defaultClusterId(t.db, ws.id);
    const outcome = await insertOutcome(t.db, ws.id, cluster, 'Retention');
    const one = (component: Record<string, unknown>) => ({ components: [{ key: 'x', name: 'X', side: 'REACTIVE', weight: 1, ...component }] });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ metric: { aggregation: 'ATTRIBUTE' }, scoring: { type: 'LINEAR', floor: 0, target: 1 } }, 'input.components[0].metric.attribute'],
      [{ metric: { aggregation: 'ATTRIBUTE', attribute: 'arr', signalType: 'login' }, scoring: { type: 'LINEAR', floor: 0, target: 1 } }, 'input.components[0].metric.signalType'],
      [{ metric: { aggregation: 'JOURNEY_DAY', windowDays: 30 }, scoring: { type: 'LINEAR', floor: 0, target: 1 } }, 'input.components[0].metric.windowDays'],
      [{ metric: { aggregation: 'COUNT', signalType: 'login', attribute: 'arr' }, scoring: { type: 'LINEAR', floor: 0, target: 1 } }, 'input.components[0].metric.attribute'],
      [{ metric: { aggregation: 'COUNT', signalType: 'login' }, scoring: { type: 'CATEGORICAL', categories: [{ value: 'a', score: 1 }] } }, 'input.components[0].scoring.type'],
      [{ metric: { aggregation: 'ATTRIBUTE', attribute: 'plan' }, scoring: { type: 'CATEGORICAL', categories: [] } }, 'input.components[0].scoring.categories'],
      [{ metric: { aggregation: 'ATTRIBUTE', attribute: 'plan' }, scoring: { type: 'CATEGORICAL', categories: [{ value: 'a', score: 1 }, { value: 'a', score: 2 }] } }, 'input.components[0].scoring.categories[1].value'],
      [{ metric: { aggregation: 'ATTRIBUTE', attribute: 'plan' }, scoring: { type: 'LINEAR', floor: 0, target: 1, defaultScore: 3 } }, 'input.components[0].scoring.defaultScore'],
      [{ metric: { aggregation: 'ATTRIBUTE', attribute: 'plan' }, scoring: { type: 'CATEGORICAL', categories: [{ value: 'a', score: 101 }] } }, 'input.components[0].scoring.categories[0].score'],
    ];
    for (const [component, field] of cases) {
      const res = await t.gql(DEFINE_COIN, { outcomeId: outcome, input: one(component) }, ws.keys.OPS);
      expect({ field, code: res.errors?.[0]?.extensions?.code, got: res.errors?.[0]?.extensions?.field }).toEqual({ field, code: 'BAD_USER_INPUT', got: field });
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM components WHERE workspace_id = $1`, [ws.id]);
    expect(n).toBe(0);
  });
});
