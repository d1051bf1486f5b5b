/** Reading health through GraphQL: Account.health/outcomes/journey/drivers/change/healthHistory, scoreAccount, no N+1. */
import { statementsDuring } from './support/statements';
import { useTestServer, type TestWorkspace } from './support/harness';
import { FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN } from './support/fixtures';
import { daily, defaultClusterId, insertAccount, insertCoin, insertJourney, insertOutcome, insertSignals, scopeOf } from './scoring-seed';
import { scoreAccounts } from '../src/scoring/engine';

const T = '2026-06-30T12:00:00.000Z';
const WEEK_AGO = '2026-06-23T12:00:00.000Z';

const ACCOUNT_HEALTH = `query($id: ID!) { account(id: $id) {
  health { score band coverage asOf }
  outcomes { outcome { id name } score band proactive reactive coverage stage { key } day asOf modelVersion
    journey { status overdueMilestones { milestone { key } daysOverdue } nextMilestone { key } daysUntilDue
              milestones { milestone { key } achievedAt expectedByDay } }
    drivers { component { key } key side rawValue score effectiveWeight contribution pointsLost applicable missing }
    change(days: 7) { delta fromScore fromAsOf movers { component { key } key delta } } }
  healthHistory { asOf score band } } }`;

describe('scoring: reading health through GraphQL', () => {
  const t = useTestServer();
  let w: TestWorkspace;
  let tech: string;
  let outcome: string;
  const accounts: string[] = [];

  beforeAll(async () => {
    w = await t.workspace();
    const cluster = await defaultClusterId(t.db, w.id);
    outcome = await insertOutcome(t.db, w.id, cluster, 'Stakeholder intelligence');
    await insertCoin(t.db, w.id, outcome, WORKED_EXAMPLE_COIN);
    await insertJourney(t.db, w.id, outcome, FOUR_STAGE_JOURNEY);
    // The tech-touch account of the worked example (d = 60 at T) …
    tech = await insertAccount(t.db, w.id, cluster, 'tech-1', { managed: false, key_features: 4 }, '2026-05-01T00:00:00Z');
    await insertSignals(t.db, w.id, tech, [
      ...daily('login', '2026-06-20T08:00:00Z', 5),
      { type: 'login', at: '2026-06-24T11:00:00Z' },
      { type: 'feature_used', subject: 'org_chart', at: '2026-06-20T10:00:00Z' },
      { type: 'feature_used', subject: 'org_chart', at: '2026-06-21T10:00:00Z' },
      { type: 'feature_used', subject: 'dashboards', at: '2026-06-22T10:00:00Z' },
    ]);
    accounts.push(tech);
    // … and 5 more accounts for the N+1 check.
    for (let i = 0; i < 5; i++) {
      const id = await insertAccount(t.db, w.id, cluster, `acc-${i}`, { managed: i % 2 === 0, key_features: 5 }, '2026-03-01T00:00:00Z');
      await insertSignals(t.db, w.id, id, daily('login', '2026-06-01T08:00:00Z', 3 + i));
      accounts.push(id);
    }
    const scope = scopeOf(t.db, w.id);
    await scoreAccounts(scope, { asOf: new Date(WEEK_AGO), persist: true });
    await scoreAccounts(scope, { asOf: new Date(T), persist: true });
  });

  it('reads the tech-touch account: health, outcome, journey, drivers sorted by points lost, change over 7 days', async () => {
    const { account } = await t.ok(ACCOUNT_HEALTH, { id: tech }, w.keys.ANALYST);
    // Coin at T (see scoring.test.ts): (100/6 · 50 + 70.75 · 50) / 100 = 43.7083…
    const score = (100 / 6 + 70.75) / 2;
    expect(account.health.score).toBeCloseTo(score, 10);
    expect(account.health.band).toBe('YELLOW');
    expect(account.health.asOf).toBe(T);
    const [o] = account.outcomes;
    expect(o).toMatchObject({ outcome: { id: outcome }, band: 'YELLOW', stage: { key: 'adoption' }, day: 60, asOf: T, coverage: 1 });
    expect(o.modelVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(o.journey.status).toBe('BEHIND');
    expect(o.journey.overdueMilestones).toEqual([
      { milestone: { key: 'kickoff_call' }, daysOverdue: 53 },
      { milestone: { key: 'three_key_features' }, daysOverdue: 15 },
      { milestone: { key: 'org_chart_used' }, daysOverdue: 0 },
    ]);
    expect(o.journey.nextMilestone).toEqual({ key: 'first_qbr' });
    expect(o.journey.daysUntilDue).toBe(60);
    expect(o.journey.milestones.find((m: any) => m.milestone.key === 'first_login').achievedAt).toBe('2026-06-20T08:00:00.000Z');
    const lost = o.drivers.map((d: any) => d.pointsLost);
    expect(lost).toEqual([...lost].sort((a, b) => b - a));
    expect(o.drivers[0]).toMatchObject({ key: 'journey_adherence', component: { key: 'journey_adherence' }, side: 'PROACTIVE', effectiveWeight: 0.5 });
    expect(o.drivers.find((d: any) => d.key === 'csm_pulse')).toMatchObject({ applicable: false, missing: false, score: null, pointsLost: 0 });
    // drivers(top: n): the n that cost the most, what a list screen shows; a negative top is refused.
    const top = await t.ok(`query($id: ID!) { account(id: $id) { outcomes { a: drivers(top: 2) { key } b: drivers(top: 0) { key } } } }`, { id: tech }, w.keys.ANALYST);
    expect(top.account.outcomes[0].a.map((d: any) => d.key)).toEqual(o.drivers.slice(0, 2).map((d: any) => d.key));
    expect(top.account.outcomes[0].b).toEqual([]);
    const bad = await t.gql(`query($id: ID!) { account(id: $id) { outcomes { drivers(top: -1) { key } } } }`, { id: tech }, w.keys.ANALYST);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'top' });
    // A week earlier (06-23 12:00, d = 53): logins 06-20..06-23 08:00 = 4 days → 4/20 → 20; newest login 06-23 08:00 → 4 h → 0 days →
    // (0−30)/(−30) = 100; adoption: org_chart + dashboards (06-22 10:00) = 2/4 → 62.5; no tickets/invoices → 100, 100;
    // R = (30·62.5 + 20·20 + 15·100 + 15·100 + 20·100)/100 = (1875 + 400 + 1500 + 1500 + 2000)/100 = 72.75;
    // adherence: due by day 53 = kickoff(1), first_login(1), three_key_features(2) = 4, achieved first_login → 1/4 → 25.
    // Score = (25 · 50 + 72.75 · 50)/100 = 48.875. Change = 43.7083… − 48.875.
    expect(o.change.fromScore).toBeCloseTo(48.875, 10);
    expect(o.change.fromAsOf).toBe(WEEK_AGO);
    expect(o.change.delta).toBeCloseTo(score - 48.875, 10);
    // Movers by contribution: adherence 0.5·(16.67 − 25) = −4.1667; days since 0.075·(80 − 100) = −1.5; logins 0.1·(25 − 20) = +0.5
    expect(o.change.movers[0]).toMatchObject({ key: 'journey_adherence', component: { key: 'journey_adherence' } });
    expect(o.change.movers[0].delta).toBeCloseTo(0.5 * (100 / 6 - 25), 10);
    const sumMoves = o.change.movers.reduce((a: number, m: any) => a + m.delta, 0);
    expect(sumMoves).toBeCloseTo(o.change.delta, 10);
    expect(account.healthHistory.map((p: any) => p.asOf)).toEqual([WEEK_AGO, T]);
    expect(account.healthHistory[0].score).toBeCloseTo(48.875, 10);
  });

  it('healthHistory of one outcome within a range, and change is null without an earlier snapshot', async () => {
    const { account } = await t.ok(`query($id: ID!, $o: ID!, $from: DateTimeISO) { account(id: $id) {
      healthHistory(outcomeId: $o, from: $from) { asOf outcomeId score band }
      outcomes { change(days: 30) { delta } } } }`, { id: tech, o: outcome, from: '2026-06-24T00:00:00Z' }, w.keys.CSM);
    expect(account.healthHistory).toHaveLength(1);
    expect(account.healthHistory[0]).toMatchObject({ asOf: T, outcomeId: outcome, band: 'YELLOW' });
    expect(account.outcomes[0].change).toBeNull();
  });

  it('scoreAccount at T agrees exactly with the stored snapshot, and at an earlier time with the earlier one', async () => {
    const q = `query($id: ID!, $asOf: DateTimeISO!) { scoreAccount(accountId: $id, asOf: $asOf) {
      asOf modelVersion account { id } health { score band }
      outcomes { score band proactive reactive coverage day drivers { key score rawValue contribution } journey { status } } } }`;
    const { account } = await t.ok(ACCOUNT_HEALTH, { id: tech }, w.keys.ANALYST);
    const now = (await t.ok(q, { id: tech, asOf: T }, w.keys.ANALYST)).scoreAccount;
    expect(now.account.id).toBe(tech);
    expect(now.modelVersion).toBe(account.outcomes[0].modelVersion);
    expect(now.health.score).toBe(account.health.score); // exact, not close
    expect(now.outcomes[0].score).toBe(account.outcomes[0].score);
    expect(now.outcomes[0].drivers.map((d: any) => [d.key, d.score, d.contribution]))
      .toEqual(account.outcomes[0].drivers.map((d: any) => [d.key, d.score, d.contribution]));
    const before = (await t.ok(q, { id: tech, asOf: WEEK_AGO }, w.keys.ANALYST)).scoreAccount;
    expect(before.outcomes[0].score).toBe(account.healthHistory[0].score);
    // nothing was saved by scoreAccount
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM health_snapshots WHERE workspace_id = $1`, [w.id]);
    expect(n).toBe(12);
  });

  it('scoreAccount: NOT_FOUND for an unknown account or another workspace\'s', async () => {
    const other = await t.workspace('Other');
    const res = await t.gql(`query($id: ID!) { scoreAccount(accountId: $id, asOf: "${T}") { asOf } }`, { id: tech }, other.keys.ANALYST);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const unauth = await t.gql(`query($id: ID!) { scoreAccount(accountId: $id, asOf: "${T}") { asOf } }`, { id: tech });
    expect(unauth.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a page of accounts with health, outcomes, drivers, journey and change costs a constant number of statements', async () => {
    const q = `{ accounts(first: 50) { edges { node { id health { score } outcomes { outcome { name } stage { key }
      drivers { component { key } score } journey { status nextMilestone { key } milestones { milestone { key } } } change(days: 7) { delta } } } } } }`;
    const count = async () => {
      const { statements, result: data } = await statementsDuring(() => t.ok(q, {}, w.keys.ANALYST));
      return { n: statements.length, data };
    };
    const { n, data } = await count();
    expect(data.accounts.edges).toHaveLength(6);
    for (const e of data.accounts.edges) expect(e.node.outcomes).toHaveLength(1);
    // add 6 more scored accounts: the statement count must not grow
    const cluster = await defaultClusterId(t.db, w.id);
    const more: string[] = [];
    for (let i = 0; i < 6; i++) more.push(await insertAccount(t.db, w.id, cluster, `more-${i}`, { managed: true, key_features: 3 }, '2026-04-01T00:00:00Z'));
    await scoreAccounts(scopeOf(t.db, w.id), { asOf: new Date(T), accountIds: more, persist: true });
    const again = await count();
    expect(again.data.accounts.edges).toHaveLength(12);
    expect(again.n).toBe(n);
  });

  it('the README example works as written', async () => {
    const data = await t.ok(`query {
      accountByExternalId(externalId: "tech-1") {
        name
        health { score band coverage asOf }
        outcomes {
          outcome { name }
          score band proactive reactive coverage
          stage { key name } day
          journey { status daysUntilDue nextMilestone { key name }
            overdueMilestones { milestone { key } daysOverdue } milestones { milestone { key } achievedAt expectedByDay } }
          drivers { key side rawValue score effectiveWeight contribution pointsLost applicable missing }
          change(days: 7) { delta fromScore movers { key delta } }
        }
        healthHistory { asOf score band }
      }
    }`, {}, w.keys.ANALYST);
    const a = data.accountByExternalId;
    expect(a.health.band).toBe('YELLOW');
    expect(a.outcomes[0]).toMatchObject({ outcome: { name: 'Stakeholder intelligence' }, stage: { key: 'adoption' }, day: 60,
      journey: { status: 'BEHIND', nextMilestone: { key: 'first_qbr' } } });
    expect(a.outcomes[0].drivers).toHaveLength(8);
    expect(a.healthHistory).toHaveLength(2);
  });
});
