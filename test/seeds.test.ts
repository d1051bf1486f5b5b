/**
 * The demo seed, built on the test database through the GraphQL schema and then read back through
 * the real server over HTTP: the model (clusters, outcomes, journeys, coins), 200 accounts in the
 * clusters their attributes call for, signals and manual milestones stored, and — scored at the
 * end of the seed — every band and the BEHIND / STUCK journey statuses, each for the reason its
 * persona was generated with.
 */
import { deleteDemoWorkspaces, DEMO_WORKSPACE_NAME, HISTORY_WEEKS, seedDemo, type DemoSeedResult } from '../seeds/demo';
import { DAY } from '../seeds/data/generate';
import type { Persona } from '../seeds/data/generate';
import { scoreAccounts } from '../src/scoring/engine';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer } from './support/harness';

interface AccountNode {
  externalId: string;
  cluster: { name: string };
  health: { score: number | null; band: string };
  outcomes: Array<{
    outcome: { name: string };
    score: number | null;
    band: string;
    journey: { status: string; overdueMilestones: Array<{ daysOverdue: number }> };
    drivers: Array<{ key: string; rawValue: number | null; score: number | null; applicable: boolean }>;
  }>;
}

describe('demo seed', () => {
  const t = useTestServer();
  let seeded: DemoSeedResult;
  let key: string;

  beforeAll(async () => {
    seeded = await seedDemo(t.db);
    key = seeded.adminKey;
  }, 120_000);

  it('seeds 200 accounts (its time is reported by `npm start`, not asserted here)', () => {
    expect(seeded.stats.accounts).toBe(200);
  });

  it('defines two clusters, the enterprise one tried first by its rule, the default renamed', async () => {
    const { clusters } = await t.ok(`{ clusters { name isDefault priority ruleText accountCount outcomes { name weight } } }`, {}, key);
    expect(clusters.map((c: { name: string }) => c.name)).toEqual(['Managed enterprise', 'Self-serve tech-touch']);
    const [enterprise, selfServe] = clusters;
    expect(enterprise.isDefault).toBe(false);
    expect(enterprise.ruleText).toMatch(/managed/);
    expect(enterprise.ruleText).toMatch(/enterprise/);
    expect(selfServe.isDefault).toBe(true);
    // Expected membership from the generated attributes alone: managed = true AND plan IN [enterprise].
    const expectedEnterprise = seeded.data.accounts.filter((a) => a.attributes.managed === true && a.attributes.plan === 'enterprise').length;
    expect(expectedEnterprise).toBeGreaterThan(40);
    expect(enterprise.accountCount).toBe(expectedEnterprise);
    expect(selfServe.accountCount).toBe(200 - expectedEnterprise);
    // Three outcomes: two for enterprise (one after source 002's Acme Corp), one for self-serve.
    expect(enterprise.outcomes.map((o: { name: string }) => o.name).sort()).toEqual([
      'Build stakeholder intelligence +20% with the relationship map',
      'Grow opportunities +30% through whitespace identification',
    ]);
    expect(selfServe.outcomes.map((o: { name: string }) => o.name)).toEqual(['Run all account planning in one place']);
  });

  it('gives every outcome a 4-stage journey with 6-10 automatic and manual milestones, and a two-sided coin', async () => {
    const { outcomes } = await t.ok(`{ outcomes {
        name
        journey { stuckAfterDays stages { key startDay milestones { key completion rule { signalType aggregation atLeast } } } }
        coin { proactiveWeight reactiveWeight components { key side weight scoring { type } stageOverrides { stageKey } applicability { attribute op value } } }
      } }`, {}, key);
    expect(outcomes).toHaveLength(3);
    for (const o of outcomes) {
      expect(o.journey.stages.map((s: { key: string; startDay: number }) => [s.key, s.startDay]))
        .toEqual([['onboarding', 0], ['adoption', 30], ['value', 90], ['renewal', 300]]);
      const milestones = o.journey.stages.flatMap((s: { milestones: unknown[] }) => s.milestones);
      expect(milestones.length).toBeGreaterThanOrEqual(6);
      expect(milestones.length).toBeLessThanOrEqual(10);
      const kinds = new Set(milestones.map((m: { completion: string }) => m.completion));
      expect(kinds).toEqual(new Set(['AUTOMATIC', 'MANUAL']));
      for (const m of milestones) if (m.completion === 'AUTOMATIC') expect(m.rule.atLeast).toBeGreaterThan(0);

      // The worked example's components, managed-only ones carrying the applicability rule.
      const byKey = Object.fromEntries(o.coin.components.map((c: { key: string }) => [c.key, c]));
      for (const k of ['feature_adoption', 'login_frequency', 'days_since_login', 'support_tickets', 'delinquency']) expect(byKey[k].side).toBe('REACTIVE');
      for (const k of ['csm_pulse', 'last_meeting', 'journey_adherence']) expect(byKey[k].side).toBe('PROACTIVE');
      expect(byKey.csm_pulse.applicability).toEqual({ attribute: 'managed', op: 'EQ', value: true });
      expect(byKey.last_meeting.applicability).toEqual({ attribute: 'managed', op: 'EQ', value: true });
      expect(byKey.feature_adoption.stageOverrides).toEqual([{ stageKey: 'onboarding' }]);
      expect([o.coin.proactiveWeight, o.coin.reactiveWeight]).toEqual([50, 50]);
    }
    const percentile = outcomes.flatMap((o: { coin: { components: Array<{ key: string; scoring: { type: string } }> } }) => o.coin.components)
      .filter((c: { scoring: { type: string } }) => c.scoring.type === 'PERCENTILE');
    expect(percentile.map((c: { key: string }) => c.key)).toEqual(['opportunities_vs_peers']);
  });

  it('stores every generated account, signal and manual milestone, and Acme Corp lands in Managed enterprise', async () => {
    const { accounts } = await t.ok(`{ accounts(first: 10) { totalCount } }`, {}, key);
    expect(accounts.totalCount).toBe(200);
    const [{ n: signals }] = await t.db.query('SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1', [seeded.workspaceId]);
    expect(signals).toBe(seeded.data.signals.length);
    expect(signals).toBeGreaterThan(20_000);
    const [{ n: completions }] = await t.db.query('SELECT count(*)::int AS n FROM milestone_completions WHERE workspace_id = $1', [seeded.workspaceId]);
    expect(completions).toBe(seeded.data.completions.length);
    // Only the last 90 days of activity (the backdated milestone signals aside), never in the future.
    const [{ newest }] = await t.db.query('SELECT max(occurred_at) AS newest FROM signals WHERE workspace_id = $1', [seeded.workspaceId]);
    expect(new Date(newest).getTime()).toBeLessThanOrEqual(seeded.data.now.getTime());

    const { accountByExternalId: acme } = await t.ok(`{ accountByExternalId(externalId: "acme-corp") {
        name csmOwner attributes cluster { name } lifecycleOutcomes { kind } } }`, {}, key);
    expect(acme).toMatchObject({ name: 'Acme Corp', cluster: { name: 'Managed enterprise' }, lifecycleOutcomes: [{ kind: 'RENEWED' }] });
    expect(acme.attributes).toMatchObject({ plan: 'enterprise', managed: true, key_features: 8 });
    expect(acme.csmOwner).toBeTruthy();
    // An enterprise-plan account without a CSM fails the AND rule: tech-touch.
    const unmanaged = seeded.data.accounts.find((a) => a.attributes.plan === 'enterprise' && a.attributes.managed === false)!;
    const { accountByExternalId: u } = await t.ok(`query($e: String!) { accountByExternalId(externalId: $e) { cluster { name } } }`, { e: unmanaged.externalId }, key);
    expect(u.cluster.name).toBe('Self-serve tech-touch');
  });

  it('is scored: GREEN, YELLOW and RED accounts, BEHIND and STUCK journeys, each for its persona\'s reason', async () => {
    const nodes: AccountNode[] = [];
    let after: string | null = null;
    do {
      const page: any = await t.ok(`query($after: String) { accounts(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          edges { node {
            externalId cluster { name } health { score band }
            outcomes { outcome { name } score band journey { status overdueMilestones { daysOverdue } } drivers { key rawValue score applicable } }
          } }
        } }`, { after }, key);
      nodes.push(...page.accounts.edges.map((e: { node: AccountNode }) => e.node));
      after = page.accounts.pageInfo.hasNextPage ? page.accounts.pageInfo.endCursor : null;
    } while (after);
    expect(nodes).toHaveLength(200);

    const bands = new Set(nodes.map((n) => n.health.band));
    for (const band of ['GREEN', 'YELLOW', 'RED']) expect(bands).toContain(band);
    const statuses = new Set(nodes.flatMap((n) => n.outcomes.map((o) => o.journey.status)));
    for (const status of ['BEHIND', 'STUCK', 'ON_TRACK']) expect(statuses).toContain(status);

    // Every journey status is the one its persona was generated for (see seeds/data/generate.ts).
    const persona = new Map(seeded.data.plans.map((p) => [p.externalId, p.persona]));
    const expected: Record<Persona, string[]> = {
      thriving: ['ON_TRACK', 'AHEAD'], steady: ['ON_TRACK'], slipping: ['BEHIND'], at_risk: ['STUCK'], stalled_onboarding: ['STUCK'],
    };
    for (const n of nodes) {
      expect(n.outcomes).toHaveLength(n.cluster.name === 'Managed enterprise' ? 2 : 1);
      for (const o of n.outcomes) expect([n.externalId, expected[persona.get(n.externalId)!]]).toEqual([n.externalId, expect.arrayContaining([o.journey.status])]);
    }

    // At-risk accounts are RED, and the drivers say why: no login for 25+ days, 6+ tickets, an overdue
    // invoice (those that already churned, at their first renewal, have had no signals since).
    const churned = new Set(seeded.data.accounts.filter((a) => a.lifecycleOutcomes.some((l) => l.kind === 'CHURNED')).map((a) => a.externalId));
    const atRisk = nodes.filter((n) => persona.get(n.externalId) === 'at_risk');
    expect(atRisk.length).toBeGreaterThan(5);
    for (const n of atRisk) {
      expect(n.health.band).toBe('RED');
      if (churned.has(n.externalId)) continue;
      const drivers = Object.fromEntries(n.outcomes[0].drivers.map((d) => [d.key, d]));
      expect(drivers.days_since_login.rawValue).toBeGreaterThanOrEqual(25);
      expect(drivers.support_tickets.rawValue).toBeGreaterThanOrEqual(6);
      expect(drivers.delinquency.rawValue).toBeGreaterThanOrEqual(1);
    }
    // Thriving accounts are GREEN; tech-touch ones have no CSM components in play.
    for (const n of nodes.filter((x) => persona.get(x.externalId) === 'thriving')) expect(n.health.band).toBe('GREEN');
    const techTouch = nodes.find((n) => n.cluster.name === 'Self-serve tech-touch' && seeded.data.accounts.find((a) => a.externalId === n.externalId)!.attributes.managed === false)!;
    const pulse = techTouch.outcomes[0].drivers.find((d) => d.key === 'csm_pulse')!;
    expect(pulse.applicable).toBe(false);
  });

  it('journeyProgress now (the rows the engine keeps for it) equals journeyProgress at the scoring time (unpacked snapshots), also after a rescore', async () => {
    const Q = `query($o: ID!, $asOf: DateTimeISO) { journeyProgress(outcomeId: $o, asOf: $asOf) {
      accounts statuses { onTrack ahead behind stuck }
      milestones { milestone { key } due achieved achievedOnTime overdue medianDaysToAchieve p90DaysToAchieve }
      stages { stage { key } byTime byAchievement } } }`;
    const compareAll = async () => {
      const [{ t: asOf }] = await t.db.query(`SELECT max(as_of) AS t FROM current_outcome_health WHERE workspace_id = $1`, [seeded.workspaceId]);
      const outcomes: Array<{ id: string }> = await t.db.query(`SELECT id FROM outcomes WHERE workspace_id = $1 AND active`, [seeded.workspaceId]);
      const results = [];
      for (const { id } of outcomes) {
        const now = (await t.ok(Q, { o: id }, key)).journeyProgress;
        const then = (await t.ok(Q, { o: id, asOf: asOf.toISOString() }, key)).journeyProgress;
        expect(now).toEqual(then);
        results.push(now);
      }
      return results;
    };
    const before = await compareAll();
    // Not trivially equal: accounts on journeys, achieved and overdue milestones, more than one stage by achievement.
    expect(before.reduce((n, p) => n + p.accounts, 0)).toBeGreaterThan(150);
    const all = before.flatMap((p) => p.milestones);
    expect(all.some((m: { achieved: number }) => m.achieved > 0)).toBe(true);
    expect(all.some((m: { overdue: number }) => m.overdue > 0)).toBe(true);
    expect(before.some((p) => p.stages.filter((s: { byAchievement: number }) => s.byAchievement > 0).length > 1)).toBe(true);

    // A CSM completes an overdue milestone; the rescore rewrites that account's narrow rows.
    const [overdue] = await t.db.query(
      `SELECT p.account_id, p.milestone_id, m.outcome_id FROM current_milestone_progress p
         JOIN milestones m ON m.workspace_id = p.workspace_id AND m.id = p.milestone_id
        WHERE p.workspace_id = $1 AND p.due AND p.days_to_achieve IS NULL AND m.completion = 'MANUAL' LIMIT 1`, [seeded.workspaceId]);
    await t.ok(`mutation($a: ID!, $m: ID!) { completeMilestone(accountId: $a, milestoneId: $m) { achievedAt } }`,
      { a: overdue.account_id, m: overdue.milestone_id }, key);
    await scoreAccounts(TenantScope.system(t.db, seeded.workspaceId), { asOf: new Date(), accountIds: [overdue.account_id], persist: true });
    const [row] = await t.db.query(
      `SELECT days_to_achieve FROM current_milestone_progress WHERE workspace_id = $1 AND account_id = $2 AND milestone_id = $3`,
      [seeded.workspaceId, overdue.account_id, overdue.milestone_id]);
    expect(row.days_to_achieve).not.toBeNull();
    await compareAll();
  });

  it('has a past: weekly snapshots over the 90 days, so healthTrend, movers and change(days: 7) answer right after the seed', async () => {
    const now = seeded.data.now.getTime();
    // Every account has one snapshot per week since its journey began (of the last HISTORY_WEEKS) plus the one at the
    // seed time (the rescore in the test above came later).
    const perAccount: Array<{ external_id: string; started: Date; n: number }> = await t.db.query(
      `SELECT a.external_id, a.journey_started_at AS started, count(s.*)::int AS n
         FROM accounts a LEFT JOIN account_health_snapshots s ON s.workspace_id = a.workspace_id AND s.account_id = a.id AND s.as_of <= $2
        WHERE a.workspace_id = $1 GROUP BY a.external_id, a.journey_started_at`, [seeded.workspaceId, seeded.data.now]);
    for (const a of perAccount) {
      const weeks = Array.from({ length: HISTORY_WEEKS }, (_, i) => now - (i + 1) * 7 * DAY).filter((at) => new Date(a.started).getTime() <= at).length;
      expect([a.external_id, a.n]).toEqual([a.external_id, weeks + 1]);
    }
    expect(perAccount.filter((a) => a.n === HISTORY_WEEKS + 1).length).toBeGreaterThan(100);

    // healthTrend over the default range (the last 90 days): every weekly point has accounts, and the mean moves.
    const { healthTrend } = await t.ok(`{ healthTrend(interval: WEEK) { at accounts meanScore } }`, {}, key);
    const recent = healthTrend.filter((p: { at: string }) => new Date(p.at).getTime() >= now - HISTORY_WEEKS * 7 * DAY);
    expect(recent.length).toBeGreaterThanOrEqual(HISTORY_WEEKS);
    for (const p of recent) expect(p.accounts).toBeGreaterThan(100);
    expect(new Set(recent.map((p: { meanScore: number }) => p.meanScore.toFixed(3))).size).toBeGreaterThan(3);

    // movers: slipping accounts dropped over the last month, each drop explained by components.
    const { movers } = await t.ok(`{ movers(days: 30, limit: 5) { drops { account { externalId } delta topDrivers { key contributionDelta } } rises { delta } } }`, {}, key);
    expect(movers.drops.length).toBe(5);
    for (const d of movers.drops) {
      expect(d.delta).toBeLessThan(0);
      expect(d.topDrivers.length).toBeGreaterThan(0);
    }

    // change(days: 7) is there for every outcome of an account whose journey began more than a week ago.
    const old = perAccount.find((a) => a.n === HISTORY_WEEKS + 1)!;
    const { accountByExternalId: acct } = await t.ok(`query($e: String!) { accountByExternalId(externalId: $e) {
        outcomes { score change(days: 7) { fromAsOf fromScore delta } } } }`, { e: old.external_id }, key);
    for (const o of acct.outcomes) {
      expect(o.change).not.toBeNull();
      expect(new Date(o.change.fromAsOf).getTime()).toBe(now - 7 * DAY);
      expect(o.change.delta).toBeCloseTo(o.score - o.change.fromScore, 10);
    }
  });

  it('`npm run seed` removes the demo workspace with all its data before reloading', async () => {
    expect(await deleteDemoWorkspaces(t.db)).toBe(1);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM workspaces WHERE name = $1', [DEMO_WORKSPACE_NAME]);
    expect(n).toBe(0);
    for (const table of ['accounts', 'signals', 'clusters', 'milestone_completions', 'current_outcome_health']) {
      const [{ left }] = await t.db.query(`SELECT count(*)::int AS left FROM ${table} WHERE workspace_id = $1`, [seeded.workspaceId]);
      expect([table, left]).toEqual([table, 0]);
    }
  });
});
