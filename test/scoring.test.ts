/**
 * The spec's worked example (HEALTH-MODEL.md, source 000), every number derived by hand below.
 * Coin = WORKED_EXAMPLE_COIN (weights R: adoption 30, logins 20, days-since-login 15, tickets 15,
 * delinquency 20; P: pulse 40, last meeting 30, adherence 30; sides 50/50); journey = FOUR_STAGE_JOURNEY.
 * T = 2026-06-30T12:00:00Z.
 */
import { useTestServer } from './support/harness';
import { FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN } from './support/fixtures';
import { completeMilestone, daily, defaultClusterId, insertAccount, insertCoin, insertJourney, insertOutcome, insertSignals, scopeOf } from './scoring-seed';
import { scoreAccounts, type OutcomeHealthRow } from '../src/scoring/engine';

const T = '2026-06-30T12:00:00.000Z';

describe('scoring: the worked example', () => {
  const t = useTestServer();
  let ws: string;
  let managed: string;
  let tech: string;
  let outcome: string;
  let comp: Record<string, string>;
  let ms: Record<string, string>;

  beforeAll(async () => {
    ws = (await t.workspace()).id;
    const cluster = await defaultClusterId(t.db, ws);
    outcome = await insertOutcome(t.db, ws, cluster, 'Stakeholder intelligence');
    comp = await insertCoin(t.db, ws, outcome, WORKED_EXAMPLE_COIN);
    ms = await insertJourney(t.db, ws, outcome, FOUR_STAGE_JOURNEY);

    // Managed account: journey day 0 = 2026-04-01 → at T, d = 30 (Apr) + 31 (May) + 29 days + 12 h → 90 (Value stage starts that day).
    managed = await insertAccount(t.db, ws, cluster, 'managed-1', { managed: true, key_features: 5 }, '2026-04-01T00:00:00Z');
    await insertSignals(t.db, ws, managed, [
      { type: 'login', at: '2026-04-02T09:00:00Z' }, // first_login achieved (day 1)
      { type: 'login', at: '2026-05-31T12:00:00Z' }, // exactly T − 30 days: outside the login window
      ...daily('login', '2026-06-01T09:00:00Z', 12), // June 1..12 → 12 distinct days; newest 06-12 09:00
      { type: 'feature_used', subject: 'org_chart', at: '2026-05-10T10:00:00Z' },
      { type: 'feature_used', subject: 'org_chart', at: '2026-05-11T10:00:00Z' },
      { type: 'feature_used', subject: 'org_chart', at: '2026-05-12T10:00:00Z' }, // 3rd org_chart → org_chart_used achieved
      { type: 'feature_used', subject: 'org_chart', at: '2026-06-10T10:00:00Z' },
      { type: 'feature_used', subject: 'reports', at: '2026-06-15T10:00:00Z' },
      { type: 'feature_used', subject: 'search', at: '2026-06-20T10:00:00Z' }, // 3rd distinct feature → three_key_features
      { type: 'ticket_opened', at: '2026-06-05T10:00:00Z' },
      { type: 'ticket_opened', at: '2026-06-15T10:00:00Z' },
      { type: 'ticket_opened', at: '2026-06-25T10:00:00Z' },
      { type: 'ticket_opened', at: T }, // exactly T: inside
      { type: 'invoice_overdue', at: '2026-05-01T12:00:00Z' }, // exactly T − 60 days: outside
      { type: 'invoice_overdue', at: '2026-05-15T00:00:00Z' },
      { type: 'csm_pulse', at: '2026-04-10T00:00:00Z', value: 2 },
      { type: 'csm_pulse', at: '2026-06-01T00:00:00Z', value: 4 },
      { type: 'meeting', at: '2026-06-16T12:00:00Z' },
      { type: 'qbr', at: '2026-06-25T12:00:00Z' }, // first_qbr (due day 120) achieved early → AHEAD
      { type: 'login', at: '2026-07-01T09:00:00Z' }, // after T: ignored
    ]);
    await completeMilestone(t.db, ws, managed, ms.kickoff_call, '2026-04-05T15:00:00Z');

    // Tech-touch account: day 0 = 2026-05-01 → d = 31 + 29 days + 12 h → 60 (Adoption stage).
    tech = await insertAccount(t.db, ws, cluster, 'tech-1', { managed: false, key_features: 4 }, '2026-05-01T00:00:00Z');
    await insertSignals(t.db, ws, tech, [
      ...daily('login', '2026-06-20T08:00:00Z', 5), // 06-20..06-24 → 5 distinct days; first_login achieved 06-20
      { type: 'login', at: '2026-06-24T11:00:00Z' }, // same day again: still 5 days; newest login
      { type: 'feature_used', subject: 'org_chart', at: '2026-06-20T10:00:00Z' },
      { type: 'feature_used', subject: 'org_chart', at: '2026-06-21T10:00:00Z' },
      { type: 'feature_used', subject: 'dashboards', at: '2026-06-22T10:00:00Z' },
      { type: 'csm_pulse', at: '2026-06-01T00:00:00Z', value: 1 }, // pulse is managed-only: not applicable
    ]);
  });

  const driver = (row: OutcomeHealthRow, key: string) => row.drivers.find((d) => d.key === key)!;

  it('scores the managed account exactly as derived by hand', async () => {
    const r = await scoreAccounts(scopeOf(t.db, ws), { asOf: new Date(T), accountIds: [managed], persist: false });
    const row = r.outcomes![0];
    expect(row.journeyDay).toBe(90);
    expect(row.stageId).toBe(ms.value);
    // Reactive side:
    //  adoption: distinct features in (T−30d, T] = org_chart(06-10), reports, search = 3; / key_features 5 = 0.6; LINEAR 0→0.8: 0.6/0.8 = 75
    expect(driver(row, 'feature_adoption').rawValue).toBeCloseTo(0.6, 12);
    expect(driver(row, 'feature_adoption').score).toBeCloseTo(75, 10);
    //  logins: distinct days June 1..12 = 12 (05-31 12:00 is exactly T−30d, excluded); 12/20 = 60
    expect(driver(row, 'login_frequency').rawValue).toBe(12);
    expect(driver(row, 'login_frequency').score).toBeCloseTo(60, 10);
    //  days since login: newest 06-12 09:00 (the 07-01 one is after T) → 18 d 3 h → 18; LINEAR 30→0: (18−30)/(0−30) = 0.4 → 40
    expect(driver(row, 'days_since_login').rawValue).toBe(18);
    expect(driver(row, 'days_since_login').score).toBeCloseTo(40, 10);
    //  tickets: 06-05, 06-15, 06-25 and exactly T = 4; LINEAR 10→0: (4−10)/(0−10) = 0.6 → 60
    expect(driver(row, 'support_tickets').rawValue).toBe(4);
    expect(driver(row, 'support_tickets').score).toBeCloseTo(60, 10);
    //  delinquency: 05-15 only (05-01 12:00 is exactly T−60d) = 1 → band {1: 30}
    expect(driver(row, 'delinquency').rawValue).toBe(1);
    expect(driver(row, 'delinquency').score).toBe(30);
    //  R = (30·75 + 20·60 + 15·40 + 15·60 + 20·30) / 100 = (2250 + 1200 + 600 + 900 + 600) / 100 = 55.5
    expect(row.reactive).toBeCloseTo(55.5, 10);
    // Proactive side:
    //  pulse: newest in 90 days = 4 → (4−1)/(5−1) = 0.75 → 75
    expect(driver(row, 'csm_pulse').rawValue).toBe(4);
    expect(driver(row, 'csm_pulse').score).toBeCloseTo(75, 10);
    //  last meeting 06-16 12:00 → 14 days; LINEAR 60→7: (14−60)/(7−60) = 46/53 → 86.79245283018868
    expect(driver(row, 'last_meeting').rawValue).toBe(14);
    expect(driver(row, 'last_meeting').score).toBeCloseTo((46 / 53) * 100, 10);
    //  adherence: due by day 90: kickoff(w1, manual 04-05), first_login(w1, 04-02), three_key_features(w2, 06-20),
    //  org_chart_used(w2, 05-12) → 6/6 = 1 → 100
    expect(driver(row, 'journey_adherence').rawValue).toBe(1);
    expect(driver(row, 'journey_adherence').score).toBe(100);
    //  P = (40·75 + 30·86.79245… + 30·100) / 100 = (3000 + 2603.77358… + 3000) / 100 = 86.0377358490566
    expect(row.proactive).toBeCloseTo((3000 + 30 * (46 / 53) * 100 + 3000) / 100, 10);
    // Coin = (86.0377358… · 50 + 55.5 · 50) / 100 = 70.7688679245283 → GREEN (≥ 70)
    expect(row.score).toBeCloseTo(70.7688679245283, 10);
    expect(row.band).toBe('GREEN');
    expect(row.coverage).toBe(1);
    // Journey: nothing overdue, first_qbr (due day 120) achieved early → AHEAD; next = success_plan_review (150) in 60 days
    expect(row.journeyStatus).toBe('AHEAD');
    expect(row.overdueCount).toBe(0);
    expect(row.nextMilestoneId).toBe(ms.success_plan_review);
    expect(row.daysUntilDue).toBe(60);
    const achieved = Object.fromEntries(row.milestones.map((m) => [m.key, m.achievedAt]));
    expect(achieved).toEqual({
      first_login: '2026-04-02T09:00:00.000Z', kickoff_call: '2026-04-05T15:00:00.000Z',
      three_key_features: '2026-06-20T10:00:00.000Z', org_chart_used: '2026-05-12T10:00:00.000Z',
      first_qbr: '2026-06-25T12:00:00.000Z', success_plan_review: null, renewal_conversation: null,
    });
    // Drivers: effective weight = w/Σw(side) × 50/100; points lost = eff × (100 − score)
    //  delinquency 0.1 × 70 = 7; pulse 0.2 × 25 = 5; days since login 0.075 × 60 = 4.5; logins 0.1 × 40 = 4; adoption 0.15 × 25 = 3.75
    expect(driver(row, 'delinquency').effectiveWeight).toBeCloseTo(0.1, 12);
    expect(driver(row, 'delinquency').pointsLost).toBeCloseTo(7, 10);
    expect(driver(row, 'csm_pulse').pointsLost).toBeCloseTo(5, 10);
    expect(driver(row, 'days_since_login').pointsLost).toBeCloseTo(4.5, 10);
    const sumContribution = row.drivers.reduce((a, d) => a + d.contribution, 0);
    expect(sumContribution).toBeCloseTo(row.score!, 10);
    expect(r.accounts![0].score).toBeCloseTo(70.7688679245283, 10); // one outcome of weight 1
  });

  it('scores the tech-touch account: managed-only components not applicable, proactive = adherence alone', async () => {
    const r = await scoreAccounts(scopeOf(t.db, ws), { asOf: new Date(T), accountIds: [tech], persist: false });
    const row = r.outcomes![0];
    expect(row.journeyDay).toBe(60);
    expect(row.stageId).toBe(ms.adoption);
    // adoption: org_chart, dashboards = 2 / key_features 4 = 0.5 → 0.5/0.8 = 62.5
    expect(driver(row, 'feature_adoption').score).toBeCloseTo(62.5, 10);
    // logins: 5 distinct days → 5/20 = 25; days since: newest 06-24 11:00 → 6 d 1 h → 6 → (6−30)/(−30) = 80
    expect(driver(row, 'login_frequency').score).toBeCloseTo(25, 10);
    expect(driver(row, 'days_since_login').rawValue).toBe(6);
    expect(driver(row, 'days_since_login').score).toBeCloseTo(80, 10);
    // no tickets → COUNT 0 → (0−10)/(0−10) = 100; no overdue invoice → 0 → band {0: 100}
    expect(driver(row, 'support_tickets').rawValue).toBe(0);
    expect(driver(row, 'support_tickets').score).toBe(100);
    expect(driver(row, 'delinquency').score).toBe(100);
    // R = (30·62.5 + 20·25 + 15·80 + 15·100 + 20·100) / 100 = 7075 / 100 = 70.75
    expect(row.reactive).toBeCloseTo(70.75, 10);
    expect(driver(row, 'csm_pulse')).toMatchObject({ applicable: false, missing: false, score: null, effectiveWeight: 0 });
    expect(driver(row, 'last_meeting')).toMatchObject({ applicable: false, score: null, effectiveWeight: 0 });
    // adherence: due by day 60 = kickoff(1), first_login(1), three_key_features(2), org_chart_used(2) = 6; achieved first_login → 1/6
    expect(driver(row, 'journey_adherence').rawValue).toBeCloseTo(1 / 6, 12);
    expect(row.proactive).toBeCloseTo(100 / 6, 10);
    // Coin = (16.6667 · 50 + 70.75 · 50) / 100 = 43.7083333 → YELLOW
    expect(row.score).toBeCloseTo((100 / 6 + 70.75) / 2, 10);
    expect(row.band).toBe('YELLOW');
    expect(row.coverage).toBe(1); // every applicable component has a value
    // Journey: kickoff (53 days overdue), three_key_features (15), org_chart_used (due today, 0) overdue;
    // first_login achieved 06-20, within the last 30 days → BEHIND, not STUCK
    expect(row.journeyStatus).toBe('BEHIND');
    expect(row.overdueCount).toBe(3);
    expect(row.nextMilestoneId).toBe(ms.first_qbr);
    expect(row.daysUntilDue).toBe(60);
    // adherence lost 0.5 × (100 − 16.67) = 41.67 points: the top driver
    const top = [...row.drivers].sort((a, b) => b.pointsLost - a.pointsLost)[0];
    expect(top.key).toBe('journey_adherence');
    expect(top.pointsLost).toBeCloseTo(0.5 * (100 - 100 / 6), 10);
  });

  it('persists snapshots and current rows equal to the unsaved result, with the model version kept', async () => {
    const scope = scopeOf(t.db, ws);
    const dry = await scoreAccounts(scope, { asOf: new Date(T), persist: false });
    const saved = await scoreAccounts(scope, { asOf: new Date(T), persist: true });
    expect(saved.outcomeCount).toBe(2);
    expect(saved.accountCount).toBe(2);
    expect(saved.modelHash).toBe(dry.modelHash);
    const snaps = await t.db.query(`SELECT account_id, score, band, drivers, milestones, model_version_id FROM health_snapshots WHERE workspace_id = $1 ORDER BY account_id`, [ws]);
    expect(snaps.map((s: any) => s.score)).toEqual(dry.outcomes!.map((o) => o.score)); // bit-identical
    expect(snaps.map((s: any) => s.drivers)).toEqual(dry.outcomes!.map((o) => o.drivers));
    const cur = await t.db.query(`SELECT score FROM current_outcome_health WHERE workspace_id = $1 ORDER BY account_id`, [ws]);
    expect(cur.map((s: any) => s.score)).toEqual(dry.outcomes!.map((o) => o.score));
    const [mv] = await t.db.query(`SELECT hash, config FROM model_versions WHERE workspace_id = $1 AND id = $2`, [ws, snaps[0].model_version_id]);
    expect(mv.hash).toBe(dry.modelHash);
    expect(mv.config.outcomes[0].coin.components).toHaveLength(8);
    // the single-account path gives the same numbers as the full one
    const single = await scoreAccounts(scope, { asOf: new Date(T), accountIds: [tech], persist: false });
    expect(single.outcomes![0]).toEqual(dry.outcomes!.find((o) => o.accountId === tech));
  });
});
