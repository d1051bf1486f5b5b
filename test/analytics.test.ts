/**
 * Analyst queries on a small dataset of known snapshots (inserted directly), every expected figure
 * derived by hand in the comments.
 *
 * Cluster "Enterprise" (C): outcomes O1 "Stakeholder map" (weight 1, journey below), O2 "Adoption"
 * (weight 3, no journey), O3 (inactive: must be ignored). Journey of O1:
 *   onboarding (day 0): kickoff (expected by day 7), first-map (day 20); adoption (day 30): ten-maps (day 60)
 * Latest scoring at T = 2026-03-02T00:00Z. Accounts of C (journey start → day at T):
 *   A1 2026-01-01 → 60 · A2 2026-01-10 → 51 · A5 2026-01-26 → 34 · A3 2026-02-05 → 25 · A4 never scored
 * A6 is in the default cluster (must not count for C).
 */
import { scoreAccounts } from '../src/scoring/engine';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { HealthFixture } from './support/health-fixtures';

const T = '2026-03-02T00:00:00Z';
const close = (x: number) => expect.closeTo(x, 9);

describe('analyst queries', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let fx: HealthFixture;
  const id: Record<string, string> = {};
  let ms: Record<string, string>;
  let st: Record<string, string>;

  beforeAll(async () => {
    ws = await t.workspace('Acme');
    other = await t.workspace('Globex');
    fx = new HealthFixture(t.db, ws.id);
    id.C = await fx.cluster('Enterprise');
    id.D = await fx.defaultClusterId();
    id.O1 = await fx.outcome(id.C, 'Stakeholder map', 1);
    id.O2 = await fx.outcome(id.C, 'Adoption', 3);
    id.O3 = await fx.outcome(id.C, 'Retired outcome', 1);
    await t.db.query(`UPDATE outcomes SET active = false WHERE id = $1`, [id.O3]);
    ({ milestones: ms, stages: st } = await fx.journey(id.O1, [
      { key: 'onboarding', name: 'Onboarding', startDay: 0, milestones: [{ key: 'kickoff', expectedByDay: 7 }, { key: 'first-map', expectedByDay: 20 }] },
      { key: 'adoption', name: 'Adoption', startDay: 30, milestones: [{ key: 'ten-maps', expectedByDay: 60 }] },
    ]));
    const acc = (key: string, start: string, cluster = id.C) => fx.account({ externalId: key, name: `Account ${key}`, clusterId: cluster, journeyStartedAt: start });
    id.A1 = await acc('A1', '2026-01-01T00:00:00Z');
    id.A2 = await acc('A2', '2026-01-10T00:00:00Z');
    id.A3 = await acc('A3', '2026-02-05T00:00:00Z');
    id.A4 = await acc('A4', '2026-02-20T00:00:00Z');
    id.A5 = await acc('A5', '2026-01-26T00:00:00Z');
    id.A6 = await acc('A6', '2026-01-01T00:00:00Z', id.D);

    const m = (key: string, expectedByDay: number, achievedAt: string | null) => ({ milestoneId: ms[key], key, expectedByDay, achievedAt });
    const drivers = (logins: number, tickets: number, qbr: number) => [
      { componentId: '00000000-0000-4000-8000-000000000001', key: 'logins', name: 'Logins', side: 'REACTIVE', score: logins * 2, contribution: logins },
      { componentId: '00000000-0000-4000-8000-000000000002', key: 'tickets', name: 'Tickets', side: 'REACTIVE', score: tickets * 2, contribution: tickets },
      { componentId: '00000000-0000-4000-8000-000000000003', key: 'qbr', name: 'QBR', side: 'PROACTIVE', score: qbr * 2, contribution: qbr },
    ];

    // O1, current (T). Days to achieve: A1 kickoff 4 (Jan 5 12:00), first-map 24 (late); A2 5, 18, 46;
    // A3 kickoff 9 (late, due Feb 12); A5 kickoff 4.
    await fx.snapshot({ accountId: id.A1, outcomeId: id.O1, asOf: T, current: true, score: 55, proactive: 60, reactive: 50, coverage: 0.9,
      stageId: st.adoption, journeyDay: 60, journeyStatus: 'BEHIND', drivers: drivers(15, 25, 15),
      milestones: [m('kickoff', 7, '2026-01-05T12:00:00Z'), m('first-map', 20, '2026-01-25T00:00:00Z'), m('ten-maps', 60, null)] });
    await fx.snapshot({ accountId: id.A2, outcomeId: id.O1, asOf: T, current: true, score: 85, proactive: 90, reactive: 80, coverage: 1,
      stageId: st.adoption, journeyDay: 51, journeyStatus: 'AHEAD',
      milestones: [m('kickoff', 7, '2026-01-15T00:00:00Z'), m('first-map', 20, '2026-01-28T00:00:00Z'), m('ten-maps', 60, '2026-02-25T00:00:00Z')] });
    await fx.snapshot({ accountId: id.A3, outcomeId: id.O1, asOf: T, current: true, score: 30, proactive: 20, reactive: 40, coverage: 0.5,
      stageId: st.onboarding, journeyDay: 25, journeyStatus: 'STUCK',
      milestones: [m('kickoff', 7, '2026-02-14T00:00:00Z'), m('first-map', 20, null), m('ten-maps', 60, null)] });
    await fx.snapshot({ accountId: id.A5, outcomeId: id.O1, asOf: T, current: true, score: 45, proactive: 40, reactive: 50, coverage: 0.8,
      stageId: st.adoption, journeyDay: 34, journeyStatus: 'BEHIND',
      milestones: [m('kickoff', 7, '2026-01-30T00:00:00Z'), m('first-map', 20, null), m('ten-maps', 60, null)] });
    // O1 history of A1: Jan 31 (score 70, before the drop) and Feb 2 (40).
    await fx.snapshot({ accountId: id.A1, outcomeId: id.O1, asOf: '2026-01-31T00:00:00Z', score: 70, drivers: drivers(30, 20, 20), journeyDay: 30 });
    await fx.snapshot({ accountId: id.A1, outcomeId: id.O1, asOf: '2026-02-02T00:00:00Z', score: 40, stageId: st.adoption, journeyDay: 32,
      journeyStatus: 'ON_TRACK', milestones: [m('kickoff', 7, '2026-01-05T12:00:00Z'), m('first-map', 20, '2026-01-25T00:00:00Z'), m('ten-maps', 60, null)] });
    // O2 (no journey), current: A1 75, A2 95, A5 65; A3 has no row.
    await fx.snapshot({ accountId: id.A1, outcomeId: id.O2, asOf: T, current: true, score: 75, proactive: 70, reactive: 80, coverage: 1 });
    await fx.snapshot({ accountId: id.A2, outcomeId: id.O2, asOf: T, current: true, score: 95, proactive: 100, reactive: 90, coverage: 1 });
    await fx.snapshot({ accountId: id.A5, outcomeId: id.O2, asOf: T, current: true, score: 65, proactive: 60, reactive: 70, coverage: 0.7 });
    // A stale row of the inactive outcome: must not count anywhere.
    await fx.snapshot({ accountId: id.A1, outcomeId: id.O3, asOf: T, current: true, score: 0, proactive: 0, reactive: 0, coverage: 0 });

    // Account health = outcome-weighted mean: A1 (55 + 3·75)/4 = 70, A2 (85 + 3·95)/4 = 92.5, A3 30, A5 (45 + 3·65)/4 = 60.
    const ah = (accountId: string, asOf: string, score: number, coverage: number | null = null, current = false) =>
      fx.accountSnapshot({ accountId, asOf, score, coverage, current });
    await ah(id.A1, T, 70, 0.9, true);
    await ah(id.A2, T, 92.5, 1, true);
    await ah(id.A3, T, 30, 0.5, true);
    await ah(id.A5, T, 60, 0.8, true);
    await ah(id.A6, T, 10, 1, true);
    // History: A1 Jan 31 80, Feb 2 50; A2 Jan 20 60, Feb 1 90; A3 Feb 2 12:00 30; A5 Jan 30 75.
    await ah(id.A1, '2026-01-31T00:00:00Z', 80);
    await ah(id.A1, '2026-02-02T00:00:00Z', 50);
    await ah(id.A2, '2026-01-20T00:00:00Z', 60);
    await ah(id.A2, '2026-02-01T00:00:00Z', 90);
    await ah(id.A3, '2026-02-02T12:00:00Z', 30);
    await ah(id.A5, '2026-01-30T00:00:00Z', 75);

    // Another workspace with its own data: never visible.
    const ofx = new HealthFixture(t.db, other.id);
    const oc = await ofx.defaultClusterId();
    const oo = await ofx.outcome(oc, 'Stakeholder map');
    const oa = await ofx.account({ externalId: 'A1', clusterId: oc });
    await ofx.snapshot({ accountId: oa, outcomeId: oo, asOf: T, current: true, score: 1, journeyStatus: 'STUCK' });
    await ofx.accountSnapshot({ accountId: oa, asOf: T, score: 1, current: true });
  });

  const JOURNEY = `query($o: ID!, $asOf: DateTimeISO) { journeyProgress(outcomeId: $o, asOf: $asOf) {
    outcome { name } accounts statuses { onTrack ahead behind stuck }
    milestones { milestone { key } due achieved achievedOnTime overdue medianDaysToAchieve p90DaysToAchieve }
    stages { stage { key } byTime byAchievement } } }`;

  it('journeyProgress: per milestone, per stage and per status', async () => {
    const { journeyProgress: p } = await t.ok(JOURNEY, { o: id.O1 }, ws.keys.ANALYST);
    expect(p.outcome.name).toBe('Stakeholder map');
    expect(p.accounts).toBe(4);
    expect(p.statuses).toEqual({ onTrack: 0, ahead: 1, behind: 2, stuck: 1 });
    expect(p.milestones).toEqual([
      // kickoff: due for all 4; achieved by all; on time A1, A2, A5 (A3 on day 9 > 7); days [4, 4, 5, 9]:
      // median (4 + 5)/2 = 4.5; p90 at rank 0.9·3 = 2.7 → 5 + 0.7·(9 − 5) = 7.8
      { milestone: { key: 'kickoff' }, due: 4, achieved: 4, achievedOnTime: 3, overdue: 0, medianDaysToAchieve: 4.5, p90DaysToAchieve: close(7.8) },
      // first-map: due for all 4; achieved A1 (day 24, late) and A2 (day 18); overdue A3, A5; days [18, 24]: median 21, p90 18 + 0.9·6 = 23.4
      { milestone: { key: 'first-map' }, due: 4, achieved: 2, achievedOnTime: 1, overdue: 2, medianDaysToAchieve: 21, p90DaysToAchieve: close(23.4) },
      // ten-maps: due only for A1 (day 60), not achieved → overdue; A2 achieved it early (day 46)
      { milestone: { key: 'ten-maps' }, due: 1, achieved: 1, achievedOnTime: 1, overdue: 1, medianDaysToAchieve: 46, p90DaysToAchieve: 46 },
    ]);
    // By time: A3 (day 25) in onboarding, A1/A2/A5 in adoption. By achievement: first open milestone is in
    // onboarding for A3 and A5 (first-map), in adoption for A1 (ten-maps); A2 achieved all → last stage.
    expect(p.stages).toEqual([
      { stage: { key: 'onboarding' }, byTime: 1, byAchievement: 2 },
      { stage: { key: 'adoption' }, byTime: 3, byAchievement: 2 },
    ]);
  });

  it('journeyProgress as of an earlier time uses each account\'s newest snapshot at or before it', async () => {
    // 2026-02-15: only A1 has an O1 snapshot by then (Feb 2: day 32, kickoff day 4, first-map day 24, ON_TRACK).
    const { journeyProgress: p } = await t.ok(JOURNEY, { o: id.O1, asOf: '2026-02-15T00:00:00Z' }, ws.keys.ANALYST);
    expect(p.accounts).toBe(1);
    expect(p.statuses).toEqual({ onTrack: 1, ahead: 0, behind: 0, stuck: 0 });
    expect(p.milestones.map((x: any) => [x.milestone.key, x.due, x.achieved, x.achievedOnTime, x.overdue, x.medianDaysToAchieve])).toEqual([
      ['kickoff', 1, 1, 1, 0, 4], ['first-map', 1, 1, 0, 0, 24], ['ten-maps', 0, 0, 0, 0, null],
    ]);
    expect(p.stages.map((s: any) => [s.stage.key, s.byTime, s.byAchievement])).toEqual([['onboarding', 0, 0], ['adoption', 1, 1]]);
  });

  it('clusterHealth: distribution, percentiles, sides, coverage and per-outcome breakdown', async () => {
    const { clusterHealth: c } = await t.ok(`query($c: ID!) { clusterHealth(clusterId: $c) {
      cluster { name }
      overall { accounts scored bands { red yellow green unknown } meanScore p10 p50 p90 meanProactive meanReactive meanCoverage }
      outcomes { outcome { name } accounts scored bands { red yellow green unknown } meanScore p10 p50 p90 meanProactive meanReactive meanCoverage
                 statuses { onTrack ahead behind stuck } } } }`, { c: id.C }, ws.keys.CSM);
    expect(c.cluster.name).toBe('Enterprise');
    // Accounts A1..A5 (A4 never scored → UNKNOWN); scores [30, 60, 70, 92.5]:
    // mean 252.5/4 = 63.125; p10 rank 0.3 → 30 + 0.3·30 = 39; p50 rank 1.5 → 65; p90 rank 2.7 → 70 + 0.7·22.5 = 85.75.
    // Sides over the active outcome rows: proactive (60+90+20+40 + 70+100+60)/7 = 440/7, reactive (50+80+40+50 + 80+90+70)/7 = 460/7.
    // Coverage (account level): (0.9 + 1 + 0.5 + 0.8)/4 = 0.8.
    expect(c.overall).toEqual({
      accounts: 5, scored: 4, bands: { red: 1, yellow: 1, green: 2, unknown: 1 }, meanScore: close(63.125), p10: close(39), p50: close(65), p90: close(85.75),
      meanProactive: close(440 / 7), meanReactive: close(460 / 7), meanCoverage: close(0.8),
    });
    expect(c.outcomes).toEqual([
      // Adoption: scores [65, 75, 95] (A3, A4 without a row → UNKNOWN): p10 65 + 0.2·10 = 67, p50 75, p90 75 + 0.8·20 = 91
      { outcome: { name: 'Adoption' }, accounts: 5, scored: 3, bands: { red: 0, yellow: 1, green: 2, unknown: 2 }, meanScore: close(235 / 3),
        p10: close(67), p50: close(75), p90: close(91), meanProactive: close(230 / 3), meanReactive: close(80), meanCoverage: close(0.9),
        statuses: { onTrack: 0, ahead: 0, behind: 0, stuck: 0 } },
      // Stakeholder map: scores [30, 45, 55, 85]: mean 53.75, p10 30 + 0.3·15 = 34.5, p50 50, p90 55 + 0.7·30 = 76
      { outcome: { name: 'Stakeholder map' }, accounts: 5, scored: 4, bands: { red: 1, yellow: 2, green: 1, unknown: 1 }, meanScore: close(53.75),
        p10: close(34.5), p50: close(50), p90: close(76), meanProactive: close(52.5), meanReactive: close(55), meanCoverage: close(0.8),
        statuses: { onTrack: 0, ahead: 1, behind: 2, stuck: 1 } },
    ]);
  });

  it('healthTrend: the state of the accounts at each point, carried forward between scorings', async () => {
    const { healthTrend } = await t.ok(`query($s: HealthScopeInput) { healthTrend(scope: $s, from: "2026-02-01T00:00:00Z", to: "2026-02-03T00:00:00Z", interval: DAY) {
      at accounts meanScore bands { red yellow green unknown } } }`, { s: { clusterId: id.C } }, ws.keys.ANALYST);
    expect(healthTrend).toEqual([
      // Feb 1: A1 80 (Jan 31), A2 90 (Feb 1 00:00 counts), A5 75 (Jan 30) → mean 245/3
      { at: '2026-02-01T00:00:00.000Z', accounts: 3, meanScore: close(245 / 3), bands: { red: 0, yellow: 0, green: 3, unknown: 0 } },
      // Feb 2: A1 50 (Feb 2), A2 90, A5 75 (A3's Feb 2 12:00 is later) → mean 215/3
      { at: '2026-02-02T00:00:00.000Z', accounts: 3, meanScore: close(215 / 3), bands: { red: 0, yellow: 1, green: 2, unknown: 0 } },
      // Feb 3: + A3 30 → (50 + 90 + 75 + 30)/4 = 61.25
      { at: '2026-02-03T00:00:00.000Z', accounts: 4, meanScore: close(61.25), bands: { red: 1, yellow: 1, green: 2, unknown: 0 } },
    ]);
    // One outcome, weekly: A1's O1 score 70 (Jan 31) then 40 (Feb 2); the others were first scored on Mar 2.
    const { healthTrend: o } = await t.ok(`query($s: HealthScopeInput) { healthTrend(scope: $s, from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: WEEK) {
      at accounts meanScore } }`, { s: { outcomeId: id.O1 } }, ws.keys.ANALYST);
    expect(o.map((p: any) => [p.at.slice(0, 10), p.accounts, p.meanScore])).toEqual([
      ['2026-02-01', 1, 70], ['2026-02-08', 1, 40], ['2026-02-15', 1, 40], ['2026-02-22', 1, 40], ['2026-03-01', 1, 40],
    ]);
  });

  it('movers: biggest drops and rises against the snapshot N days earlier, with the components that moved them', async () => {
    const q = `query($s: HealthScopeInput, $d: Int!) { movers(scope: $s, days: $d, limit: 5) { days
      drops { account { externalId } score fromScore delta band fromBand fromAsOf topDrivers { outcomeName key side contributionDelta } }
      rises { account { externalId } score fromScore delta band fromBand } } }`;
    const { movers } = await t.ok(q, { s: { clusterId: id.C }, d: 30 }, ws.keys.ANALYST);
    // Compared with the newest snapshot at or before Mar 2 − 30 days = Jan 31: A1 80 → 70, A5 75 → 60, A2 60 → 92.5;
    // A3 has none that old. A1's O1 components since Jan 31 (contribution points × O1's share 1/(1 + 3) of the account health):
    // logins 30 → 15 (−3.75), qbr 20 → 15 (−1.25), tickets 20 → 25 (+1.25, not a reason for a drop).
    expect(movers.drops).toEqual([
      { account: { externalId: 'A5' }, score: 60, fromScore: 75, delta: -15, band: 'YELLOW', fromBand: 'GREEN', fromAsOf: '2026-01-30T00:00:00.000Z', topDrivers: [] },
      { account: { externalId: 'A1' }, score: 70, fromScore: 80, delta: -10, band: 'GREEN', fromBand: 'GREEN', fromAsOf: '2026-01-31T00:00:00.000Z',
        topDrivers: [
          { outcomeName: 'Stakeholder map', key: 'logins', side: 'REACTIVE', contributionDelta: close(-3.75) },
          { outcomeName: 'Stakeholder map', key: 'qbr', side: 'PROACTIVE', contributionDelta: close(-1.25) },
        ] },
    ]);
    expect(movers.rises).toEqual([{ account: { externalId: 'A2' }, score: 92.5, fromScore: 60, delta: 32.5, band: 'GREEN', fromBand: 'YELLOW' }]);

    // One outcome: A1's O1 score 70 (Jan 31) → 55, drivers in outcome points.
    const { movers: o } = await t.ok(q, { s: { outcomeId: id.O1 }, d: 30 }, ws.keys.ANALYST);
    expect(o.drops.map((d: any) => [d.account.externalId, d.delta, d.topDrivers.map((x: any) => [x.key, x.contributionDelta])]))
      .toEqual([['A1', -15, [['logins', -15], ['qbr', -5]]]]);
    expect(o.rises).toEqual([]);
  });

  it('timeToMilestone: cohort curves by start month', async () => {
    const { timeToMilestone: c } = await t.ok(`query($o: ID!) { timeToMilestone(outcomeId: $o, maxDay: 60, step: 10) {
      maxDay step milestones { milestone { key } cohorts { cohort accounts points { day observed reached share } } } } }`, { o: id.O1 }, ws.keys.ANALYST);
    expect(c.milestones.map((m: any) => m.milestone.key)).toEqual(['kickoff', 'first-map', 'ten-maps']);
    const curve = (key: string, cohort: string) => c.milestones.find((m: any) => m.milestone.key === key).cohorts.find((x: any) => x.cohort === cohort);
    const pts = (cv: any) => cv.points.map((p: any) => [p.day, p.observed, p.reached]);
    // January cohort: A1 (day 60), A2 (51), A5 (34) — observed at day N if their journey lasted N days.
    // kickoff reached on days 4, 5, 4.
    expect(curve('kickoff', '2026-01-01').accounts).toBe(3);
    expect(pts(curve('kickoff', '2026-01-01'))).toEqual([[0, 3, 0], [10, 3, 3], [20, 3, 3], [30, 3, 3], [40, 2, 2], [50, 2, 2], [60, 1, 1]]);
    // first-map reached on day 24 (A1) and 18 (A2), never by A5.
    const fm = curve('first-map', '2026-01-01');
    expect(pts(fm)).toEqual([[0, 3, 0], [10, 3, 0], [20, 3, 1], [30, 3, 2], [40, 2, 2], [50, 2, 2], [60, 1, 1]]);
    expect(fm.points[2].share).toBeCloseTo(1 / 3, 9);
    // February cohort: A3 (day 25), kickoff on day 9; nothing observed past day 25.
    expect(pts(curve('kickoff', '2026-02-01'))).toEqual([[0, 1, 0], [10, 1, 1], [20, 1, 1]]);
  });

  it('is scoped to the caller\'s workspace and validates its arguments', async () => {
    const foreign = await t.gql(JOURNEY, { o: id.O1 }, other.keys.ANALYST);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const foreignCluster = await t.gql(`query($c: ID!) { clusterHealth(clusterId: $c) { overall { accounts } } }`, { c: id.C }, other.keys.ADMIN);
    expect(foreignCluster.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const { movers } = await t.ok(`{ movers(days: 30) { drops { account { externalId } } rises { account { externalId } } } }`, {}, other.keys.ANALYST);
    expect(movers).toEqual({ drops: [], rises: [] });
    const badDays = await t.gql(`{ movers(days: 0) { days } }`, {}, ws.keys.ANALYST);
    expect(badDays.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'days' });
    const tooMany = await t.gql(`{ healthTrend(from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", interval: DAY) { at } }`, {}, ws.keys.ANALYST);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval' });
    const unauth = await t.gql(JOURNEY, { o: id.O1 });
    expect(unauth.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('end to end: model and completions through the API, scored by the real engine, then journeyProgress and clusterHealth', async () => {
    const e2e = await t.workspace('End to end');
    const k = e2e.keys;
    const { createCluster: c } = await t.ok(`mutation { createCluster(input: { name: "Managed", priority: 10,
      rule: { attribute: "managed", op: EQ, value: true } }) { id } }`, {}, k.OPS);
    const { createOutcome: o } = await t.ok(`mutation($c: ID!) { createOutcome(input: { clusterId: $c, name: "Onboarded" }) { id } }`, { c: c.id }, k.OPS);
    const { defineJourney: j } = await t.ok(`mutation($o: ID!) { defineJourney(outcomeId: $o, input: { stuckAfterDays: 30, stages: [
      { key: "onboarding", name: "Onboarding", startDay: 0, milestones: [
        { key: "kickoff", name: "Kick-off", expectedByDay: 7, completion: MANUAL },
        { key: "training", name: "Training", expectedByDay: 14, completion: MANUAL } ] } ] }) { stages { milestones { id key } } } }`, { o: o.id }, k.OPS);
    const mid = Object.fromEntries(j.stages[0].milestones.map((m: any) => [m.key, m.id]));
    await t.ok(`mutation($o: ID!) { defineCoin(outcomeId: $o, input: { components: [
      { key: "adherence", name: "Journey adherence", side: PROACTIVE, metric: { aggregation: JOURNEY_ADHERENCE }, scoring: { type: LINEAR, floor: 0, target: 1 } } ] }) { outcomeId } }`, { o: o.id }, k.OPS);
    const { upsertAccounts: u } = await t.ok(`mutation { upsertAccounts(accounts: [
      { externalId: "e1", name: "One", attributes: { managed: true }, journeyStartedAt: "2026-01-01T00:00:00Z" },
      { externalId: "e2", name: "Two", attributes: { managed: true }, journeyStartedAt: "2026-01-01T00:00:00Z" },
      { externalId: "e3", name: "Three", attributes: { managed: true }, journeyStartedAt: "2026-01-01T00:00:00Z" } ]) { accounts { id externalId } rejected { reason } } }`, {}, k.INGEST);
    expect(u.rejected).toEqual([]);
    const acc = Object.fromEntries(u.accounts.map((a: any) => [a.externalId, a.id]));
    const complete = (a: string, m: string, at: string) => t.ok(`mutation($a: ID!, $m: ID!, $at: DateTimeISO) {
      completeMilestone(accountId: $a, milestoneId: $m, achievedAt: $at) { __typename } }`, { a, m, at }, k.CSM);
    await complete(acc.e1, mid.kickoff, '2026-01-05T00:00:00Z'); // day 4, on time
    await complete(acc.e2, mid.kickoff, '2026-01-10T00:00:00Z'); // day 9, late
    await complete(acc.e2, mid.training, '2026-01-12T00:00:00Z'); // day 11, on time

    // Day 20: both milestones due. e1 BEHIND (training overdue, kickoff 16 days ago), e2 ON_TRACK, e3 STUCK (nothing ever).
    await scoreAccounts(TenantScope.system(t.db, e2e.id), { asOf: new Date('2026-01-21T00:00:00Z'), persist: true });

    const { journeyProgress: p } = await t.ok(JOURNEY, { o: o.id }, k.ANALYST);
    expect(p.accounts).toBe(3);
    expect(p.statuses).toEqual({ onTrack: 1, ahead: 0, behind: 1, stuck: 1 });
    expect(p.milestones).toEqual([
      // kickoff: days [4, 9]: median 6.5, p90 4 + 0.9·5 = 8.5
      { milestone: { key: 'kickoff' }, due: 3, achieved: 2, achievedOnTime: 1, overdue: 1, medianDaysToAchieve: 6.5, p90DaysToAchieve: close(8.5) },
      { milestone: { key: 'training' }, due: 3, achieved: 1, achievedOnTime: 1, overdue: 2, medianDaysToAchieve: 11, p90DaysToAchieve: 11 },
    ]);
    // Adherence: e1 1/2 → 50, e2 2/2 → 100, e3 0 → 0.
    const { clusterHealth: h } = await t.ok(`query($c: ID!) { clusterHealth(clusterId: $c) { overall { accounts scored bands { red yellow green unknown } meanScore p50 } } }`, { c: c.id }, k.ANALYST);
    expect(h.overall).toEqual({ accounts: 3, scored: 3, bands: { red: 1, yellow: 1, green: 1, unknown: 0 }, meanScore: close(50), p50: close(50) });
  });
});
