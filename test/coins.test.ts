import { Role } from '../src/shared/auth';
import { TenantScope } from '../src/shared/tenant';
import { defineCoin } from '../src/coins/coin.service';
import { DomainError } from '../src/shared/errors';
import { useTestServer, type TestServer } from './support/harness';
import { COIN_FIELDS, DEFINE_COIN, DEFINE_JOURNEY, FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN, insertOutcome } from './support/fixtures';

const coinDoc = (): any => structuredClone(WORKED_EXAMPLE_COIN);
const READ_COIN = `query($o: ID!) { coin(outcomeId: $o) { ${COIN_FIELDS} } }`;

/** Everything coin-related of a workspace, to assert that a failed mutation changed nothing. */
async function coinRows(t: TestServer, workspaceId: string) {
  const q = (sql: string) => t.db.query(sql, [workspaceId]);
  return {
    coins: await q('SELECT outcome_id, proactive_weight, reactive_weight, updated_at FROM coins WHERE workspace_id = $1 ORDER BY outcome_id'),
    components: await q(`SELECT id, outcome_id, key, name, side, metric, scoring, weight, stage_overrides, applicability, position
                         FROM components WHERE workspace_id = $1 ORDER BY id`),
  };
}

/** The README's examples, verbatim (OUTCOME_ID replaced): documentation that works as written. */
const README_DEFINE_JOURNEY = `mutation {
  defineJourney(outcomeId: "OUTCOME_ID", input: {
    stuckAfterDays: 30
    stages: [
      { key: "onboarding", name: "Onboarding", startDay: 0, milestones: [
        { key: "kickoff_call", name: "Kickoff call held", expectedByDay: 7, completion: MANUAL }
        { key: "first_login", name: "First login", expectedByDay: 3, completion: AUTOMATIC,
          rule: { signalType: "login", aggregation: COUNT, atLeast: 1 } }
      ] }
      { key: "adoption", name: "Adoption", startDay: 30, milestones: [
        { key: "three_key_features", name: "Three key features used", expectedByDay: 45, weight: 2, completion: AUTOMATIC,
          rule: { signalType: "feature_used", aggregation: DISTINCT_SUBJECTS, atLeast: 3 } }
        { key: "org_chart_used", name: "Relationship map used 3 times", expectedByDay: 60, weight: 2, completion: AUTOMATIC,
          rule: { signalType: "feature_used", subject: "org_chart", aggregation: COUNT, atLeast: 3 } }
      ] }
      { key: "value", name: "Value", startDay: 90, milestones: [
        { key: "first_qbr", name: "First QBR", expectedByDay: 120, completion: AUTOMATIC,
          rule: { signalType: "qbr", aggregation: COUNT, atLeast: 1 } }
        { key: "success_plan_review", name: "Success plan reviewed", expectedByDay: 150, completion: MANUAL }
      ] }
      { key: "renewal", name: "Renewal", startDay: 300, milestones: [
        { key: "renewal_conversation", name: "Renewal conversation", expectedByDay: 330, completion: MANUAL }
      ] }
    ]
  }) {
    stuckAfterDays
    stages { id key name startDay milestones { id key expectedByDay weight completion rule { signalType subject aggregation atLeast } } }
  }
}
`;
const README_DEFINE_COIN = `mutation {
  defineCoin(outcomeId: "OUTCOME_ID", input: {
    proactiveWeight: 50
    reactiveWeight: 50
    components: [
      { key: "feature_adoption", name: "Feature adoption", side: REACTIVE, weight: 30,
        metric: { aggregation: DISTINCT_SUBJECTS, signalType: "feature_used", windowDays: 30, normalizeBy: "key_features" },
        scoring: { type: LINEAR, floor: 0, target: 0.8 } }
      { key: "login_frequency", name: "Login frequency", side: REACTIVE, weight: 20,
        metric: { aggregation: DISTINCT_DAYS, signalType: "login", windowDays: 30 },
        scoring: { type: LINEAR, floor: 0, target: 20 },
        stageOverrides: [{ stageKey: "onboarding", scoring: { type: LINEAR, floor: 0, target: 8 } }] }
      { key: "days_since_login", name: "Days since last login", side: REACTIVE, weight: 15,
        metric: { aggregation: DAYS_SINCE, signalType: "login" },
        scoring: { type: LINEAR, floor: 30, target: 0 } }
      { key: "support_tickets", name: "Support tickets", side: REACTIVE, weight: 15,
        metric: { aggregation: COUNT, signalType: "ticket_opened", windowDays: 30 },
        scoring: { type: LINEAR, floor: 10, target: 0 } }
      { key: "delinquency", name: "Delinquency", side: REACTIVE, weight: 20,
        metric: { aggregation: COUNT, signalType: "invoice_overdue", windowDays: 60 },
        scoring: { type: BANDS, bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] } }
      { key: "csm_pulse", name: "CSM pulse", side: PROACTIVE, weight: 40,
        metric: { aggregation: LATEST, signalType: "csm_pulse", windowDays: 90 },
        scoring: { type: LINEAR, floor: 1, target: 5 },
        applicability: { attribute: "managed", op: EQ, value: true } }
      { key: "last_meeting", name: "Last meeting", side: PROACTIVE, weight: 30,
        metric: { aggregation: DAYS_SINCE, signalType: "meeting" },
        scoring: { type: LINEAR, floor: 60, target: 7 },
        applicability: { attribute: "managed", op: EQ, value: true } }
      { key: "journey_adherence", name: "Journey adherence", side: PROACTIVE, weight: 30,
        metric: { aggregation: JOURNEY_ADHERENCE },
        scoring: { type: LINEAR, floor: 0, target: 1 } }
    ]
  }) {
    proactiveWeight reactiveWeight
    components { id key side weight metric { aggregation signalType windowDays normalizeBy }
      scoring { type floor target bands { min score } } stageOverrides { stageKey } applicability { attribute op value } }
  }
}
`;

const NO_OVERRIDES = { stageOverrides: [] };
const linear = (floor: number, target: number) => ({ type: 'LINEAR', floor, target, bands: null, higherIsBetter: null });
const metric = (aggregation: string, signalType: string | null, windowDays: number | null, normalizeBy: string | null = null) =>
  ({ aggregation, signalType, subject: null, windowDays, normalizeBy });
const MANAGED = { attribute: 'managed', op: 'EQ', value: true, all: null, any: null };

describe('coins: defineCoin and coin(outcomeId)', () => {
  const t = useTestServer();

  it('defines the spec\'s worked-example coin and reads it back (null before)', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Worked example');
    expect((await t.ok(READ_COIN, { o: outcomeId }, ws.keys.CSM)).coin).toBeNull();

    const defined = (await t.ok(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys.OPS)).defineCoin;
    const coin = (await t.ok(READ_COIN, { o: outcomeId }, ws.keys.ANALYST)).coin;
    expect(coin).toEqual(defined);
    expect(coin).toMatchObject({ outcomeId, proactiveWeight: 50, reactiveWeight: 50 });
    const strip = ({ id, ...rest }: any) => { expect(id).toEqual(expect.any(String)); return rest; };
    expect(coin.components.map(strip)).toEqual([
      { key: 'feature_adoption', name: 'Feature adoption', side: 'REACTIVE', weight: 30, ...NO_OVERRIDES, applicability: null,
        metric: metric('DISTINCT_SUBJECTS', 'feature_used', 30, 'key_features'), scoring: linear(0, 0.8) },
      { key: 'login_frequency', name: 'Login frequency', side: 'REACTIVE', weight: 20, ...NO_OVERRIDES, applicability: null,
        metric: metric('DISTINCT_DAYS', 'login', 30), scoring: linear(0, 20) },
      { key: 'days_since_login', name: 'Days since last login', side: 'REACTIVE', weight: 15, ...NO_OVERRIDES, applicability: null,
        metric: metric('DAYS_SINCE', 'login', null), scoring: linear(30, 0) },
      { key: 'support_tickets', name: 'Support tickets', side: 'REACTIVE', weight: 15, ...NO_OVERRIDES, applicability: null,
        metric: metric('COUNT', 'ticket_opened', 30), scoring: linear(10, 0) },
      { key: 'delinquency', name: 'Delinquency', side: 'REACTIVE', weight: 20, ...NO_OVERRIDES, applicability: null,
        metric: metric('COUNT', 'invoice_overdue', 60),
        scoring: { type: 'BANDS', floor: null, target: null, higherIsBetter: null, bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] } },
      { key: 'csm_pulse', name: 'CSM pulse', side: 'PROACTIVE', weight: 40, ...NO_OVERRIDES, applicability: MANAGED,
        metric: metric('LATEST', 'csm_pulse', 90), scoring: linear(1, 5) },
      { key: 'last_meeting', name: 'Last meeting', side: 'PROACTIVE', weight: 30, ...NO_OVERRIDES, applicability: MANAGED,
        metric: metric('DAYS_SINCE', 'meeting', null), scoring: linear(60, 7) },
      { key: 'journey_adherence', name: 'Journey adherence', side: 'PROACTIVE', weight: 30, ...NO_OVERRIDES, applicability: null,
        metric: metric('JOURNEY_ADHERENCE', null, null), scoring: linear(0, 1) },
    ]);

    // Stored as the scoring engine reads it: normalised JSON with only the chosen scoring type's parameters.
    const rows = await coinRows(t, ws.id);
    expect(rows.coins).toHaveLength(1);
    const byKey = Object.fromEntries(rows.components.map((c: any) => [c.key, c]));
    expect(byKey.delinquency.scoring).toEqual({ type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] });
    expect(byKey.days_since_login.scoring).toEqual({ type: 'LINEAR', floor: 30, target: 0 });
    expect(byKey.csm_pulse.applicability).toEqual({ attribute: 'managed', op: 'EQ', value: true });
    expect(byKey.journey_adherence.metric).toEqual({ aggregation: 'JOURNEY_ADHERENCE', signalType: null, subject: null, windowDays: null, normalizeBy: null });
    expect(rows.components.map((c: any) => [c.position, c.key]).sort((a: any, b: any) => a[0] - b[0]).map((x: any) => x[1]))
      .toEqual(WORKED_EXAMPLE_COIN.components.map((c) => c.key));
  });

  it('applies defaults: side weights 50/50 and component weight 1', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Defaults');
    const input = { components: [{ key: 'logins', name: 'Logins', side: 'REACTIVE',
      metric: { aggregation: 'COUNT', signalType: 'login', windowDays: 7 }, scoring: { type: 'PERCENTILE', higherIsBetter: true } }] };
    const coin = (await t.ok(DEFINE_COIN, { outcomeId, input }, ws.keys.OPS)).defineCoin;
    expect(coin).toMatchObject({ proactiveWeight: 50, reactiveWeight: 50 });
    expect(coin.components[0]).toMatchObject({ weight: 1, scoring: { type: 'PERCENTILE', higherIsBetter: true, floor: null } });
  });

  it('redefines by key: matched components keep their ids, unlisted ones are deleted, new ones created', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Redefine');
    const first = (await t.ok(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys.OPS)).defineCoin;
    const idOf = Object.fromEntries(first.components.map((c: any) => [c.key, c.id]));

    const doc = coinDoc();
    doc.proactiveWeight = 40;
    doc.reactiveWeight = 60;
    doc.components = doc.components.filter((c: any) => c.key !== 'support_tickets');                // removed
    const adoption = doc.components.shift();                                                        // moved to the end, changed
    adoption.scoring = { type: 'PERCENTILE', higherIsBetter: true };
    adoption.name = 'Breadth of adoption';
    doc.components.push(adoption);
    doc.components.push({ key: 'nps', name: 'NPS', side: 'REACTIVE', weight: 10,                  // new
      metric: { aggregation: 'AVG', signalType: 'nps', windowDays: 180 }, scoring: { type: 'LINEAR', floor: 0, target: 10 } });

    const second = (await t.ok(DEFINE_COIN, { outcomeId, input: doc }, ws.keys.OPS)).defineCoin;
    expect(second).toMatchObject({ proactiveWeight: 40, reactiveWeight: 60 });
    expect(second.components.map((c: any) => c.key)).toEqual([
      'login_frequency', 'days_since_login', 'delinquency', 'csm_pulse', 'last_meeting', 'journey_adherence', 'feature_adoption', 'nps']);
    for (const c of second.components.slice(0, 7)) expect(c.id).toBe(idOf[c.key]);
    expect(Object.values(idOf)).not.toContain(second.components[7].id);
    expect(second.components[6]).toMatchObject({ name: 'Breadth of adoption', scoring: { type: 'PERCENTILE', higherIsBetter: true, floor: null, target: null } });

    const rows = await coinRows(t, ws.id);
    expect(rows.components.map((c: any) => c.key).sort()).toEqual(second.components.map((c: any) => c.key).sort());
    expect(rows.components.find((c: any) => c.key === 'feature_adoption').scoring).toEqual({ type: 'PERCENTILE', higherIsBetter: true });
  });

  it('stores stage overrides that name stages of the outcome\'s journey', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Overrides');
    const noJourney = coinDoc();
    noJourney.components[1].stageOverrides = [{ stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: 8 } }];
    const refused = await t.gql(DEFINE_COIN, { outcomeId, input: noJourney }, ws.keys.OPS);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.components[1].stageOverrides[0].stageKey' });
    expect(refused.errors?.[0].message).toContain('defineJourney');
    expect((await coinRows(t, ws.id)).coins).toEqual([]);

    await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS);
    const doc = coinDoc();
    // Early on, fewer login days are expected; at renewal, compare with peers.
    doc.components[1].stageOverrides = [
      { stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: 8 } },
      { stageKey: 'renewal', scoring: { type: 'PERCENTILE', higherIsBetter: true } },
    ];
    const coin = (await t.ok(DEFINE_COIN, { outcomeId, input: doc }, ws.keys.OPS)).defineCoin;
    expect(coin.components[1].stageOverrides).toEqual([
      { stageKey: 'onboarding', scoring: linear(0, 8) },
      { stageKey: 'renewal', scoring: { type: 'PERCENTILE', higherIsBetter: true, floor: null, target: null, bands: null } },
    ]);
    const [row] = await t.db.query(`SELECT stage_overrides FROM components WHERE workspace_id = $1 AND key = 'login_frequency'`, [ws.id]);
    expect(row.stage_overrides).toEqual([
      { stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: 8 } },
      { stageKey: 'renewal', scoring: { type: 'PERCENTILE', higherIsBetter: true } },
    ]);
  });

  it('runs the README examples as written (journey first: the coin has an override on its onboarding stage)', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'README');
    const journey = (await t.ok(README_DEFINE_JOURNEY.replace('OUTCOME_ID', outcomeId), {}, ws.keys.OPS)).defineJourney;
    expect(journey.stages.map((s: any) => s.milestones.length)).toEqual([2, 2, 2, 1]);
    expect(journey.stages[0].milestones[0].weight).toBe(1); // default
    const fixture = (await t.ok(`query($o: ID!) { journey(outcomeId: $o) { stages { key startDay milestones { key expectedByDay weight completion rule { signalType subject aggregation atLeast } } } } }`,
      { o: outcomeId }, ws.keys.OPS)).journey;
    const expected = FOUR_STAGE_JOURNEY.stages.map((s: any) => ({ key: s.key, startDay: s.startDay, milestones: s.milestones.map((m: any) => ({
      key: m.key, expectedByDay: m.expectedByDay, weight: m.weight, completion: m.completion,
      rule: m.rule ? { subject: null, ...m.rule } : null })) }));
    expect(fixture.stages).toEqual(expected); // the README journey is the fixture journey

    const coin = (await t.ok(README_DEFINE_COIN.replace('OUTCOME_ID', outcomeId), {}, ws.keys.OPS)).defineCoin;
    expect(coin.components.map((c: any) => [c.key, c.side, c.weight])).toEqual(
      WORKED_EXAMPLE_COIN.components.map((c) => [c.key, c.side, c.weight]));
    expect(coin.components[1].stageOverrides).toEqual([{ stageKey: 'onboarding' }]);
    expect(coin.components[5].applicability).toEqual({ attribute: 'managed', op: 'EQ', value: true });
  });

  it('validates plain documents passed to the service without GraphQL (seeds, CLIs) the same way', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Service');
    const scope = TenantScope.system(t.db, ws.id);
    const bad = coinDoc();
    bad.components[2].weight = 0;
    const err = await defineCoin(scope, outcomeId, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'input.components[2].weight' } });
    expect(await coinRows(t, ws.id)).toEqual({ coins: [], components: [] });

    const plain = coinDoc();
    delete plain.proactiveWeight;
    delete plain.components[0].weight;
    const coin = await defineCoin(scope, outcomeId, plain);
    expect(coin.proactiveWeight).toBe(50);
    const rows = await coinRows(t, ws.id);
    expect(rows.components).toHaveLength(8);
    expect(rows.components.find((c: any) => c.key === 'feature_adoption').weight).toBe(1);
  });

  describe('validation: BAD_USER_INPUT with the field path, nothing written', () => {
    const bad = (over: Record<string, unknown>) => (d: any) => Object.assign(d, over);
    const cases: Array<[string, string, (d: any) => void]> = [
      ['proactive weight 0', 'input.proactiveWeight', bad({ proactiveWeight: 0 })],
      ['negative reactive weight', 'input.reactiveWeight', bad({ reactiveWeight: -5 })],
      ['no components', 'input.components', bad({ components: [] })],
      ['component key not a slug', 'input.components[0].key', (d) => { d.components[0].key = 'Feature adoption'; }],
      ['duplicate component key', 'input.components[1].key', (d) => { d.components[1].key = 'feature_adoption'; }],
      ['duplicate component name (any case)', 'input.components[3].name', (d) => { d.components[3].name = 'login FREQUENCY'; }],
      ['blank component name', 'input.components[2].name', (d) => { d.components[2].name = ' '; }],
      ['component weight 0', 'input.components[0].weight', (d) => { d.components[0].weight = 0; }],
      ['negative component weight', 'input.components[6].weight', (d) => { d.components[6].weight = -1; }],
      ['JOURNEY_ADHERENCE with a signal type', 'input.components[7].metric.signalType', (d) => { d.components[7].metric.signalType = 'login'; }],
      ['JOURNEY_ADHERENCE with a window', 'input.components[7].metric.windowDays', (d) => { d.components[7].metric.windowDays = 30; }],
      ['COUNT without a signal type', 'input.components[3].metric.signalType', (d) => { delete d.components[3].metric.signalType; }],
      ['LATEST without a signal type', 'input.components[5].metric.signalType', (d) => { d.components[5].metric.signalType = null; }],
      ['invalid signal type name', 'input.components[1].metric.signalType', (d) => { d.components[1].metric.signalType = 'Login!'; }],
      ['window 0 days', 'input.components[0].metric.windowDays', (d) => { d.components[0].metric.windowDays = 0; }],
      ['negative window', 'input.components[3].metric.windowDays', (d) => { d.components[3].metric.windowDays = -30; }],
      ['window on DAYS_SINCE', 'input.components[2].metric.windowDays', (d) => { d.components[2].metric.windowDays = 30; }],
      ['normalizeBy not an attribute name', 'input.components[0].metric.normalizeBy', (d) => { d.components[0].metric.normalizeBy = 'key features!'; }],
      ['LINEAR without target', 'input.components[0].scoring.target', (d) => { delete d.components[0].scoring.target; }],
      ['LINEAR without floor', 'input.components[1].scoring.floor', (d) => { d.components[1].scoring.floor = null; }],
      ['LINEAR floor = target', 'input.components[2].scoring.target', (d) => { d.components[2].scoring.target = 30; }],
      ['LINEAR with bands', 'input.components[0].scoring.bands', (d) => { d.components[0].scoring.bands = [{ min: 0, score: 0 }]; }],
      ['BANDS without bands', 'input.components[4].scoring.bands', (d) => { d.components[4].scoring.bands = []; }],
      ['BANDS not sorted', 'input.components[4].scoring.bands[2].min', (d) => { d.components[4].scoring.bands[2].min = 0.5; }],
      ['BANDS with equal mins', 'input.components[4].scoring.bands[1].min', (d) => { d.components[4].scoring.bands[1].min = 0; }],
      ['BANDS score above 100', 'input.components[4].scoring.bands[0].score', (d) => { d.components[4].scoring.bands[0].score = 120; }],
      ['BANDS score below 0', 'input.components[4].scoring.bands[2].score', (d) => { d.components[4].scoring.bands[2].score = -1; }],
      ['BANDS with a floor', 'input.components[4].scoring.floor', (d) => { d.components[4].scoring.floor = 0; }],
      ['PERCENTILE without higherIsBetter', 'input.components[1].scoring.higherIsBetter', (d) => { d.components[1].scoring = { type: 'PERCENTILE' }; }],
      ['PERCENTILE with floor/target', 'input.components[1].scoring.floor', (d) => { d.components[1].scoring = { type: 'PERCENTILE', higherIsBetter: true, floor: 0, target: 1 }; }],
      ['override of an unknown stage', 'input.components[1].stageOverrides[0].stageKey',
        (d) => { d.components[1].stageOverrides = [{ stageKey: 'expansion', scoring: { type: 'LINEAR', floor: 0, target: 5 } }]; }],
      ['two overrides for one stage', 'input.components[1].stageOverrides[1].stageKey',
        (d) => { d.components[1].stageOverrides = [0, 1].map(() => ({ stageKey: 'adoption', scoring: { type: 'LINEAR', floor: 0, target: 5 } })); }],
      ['override with an invalid scoring', 'input.components[1].stageOverrides[0].scoring.target',
        (d) => { d.components[1].stageOverrides = [{ stageKey: 'adoption', scoring: { type: 'LINEAR', floor: 5, target: 5 } }]; }],
      ['applicability IN with an empty list', 'input.components[5].applicability.value',
        (d) => { d.components[5].applicability = { attribute: 'plan', op: 'IN', value: [] }; }],
      ['applicability with two forms', 'input.components[6].applicability',
        (d) => { d.components[6].applicability = { attribute: 'managed', op: 'EQ', value: true, all: [{ attribute: 'x', op: 'EXISTS' }] }; }],
      ['applicability GT on a string', 'input.components[6].applicability.all[1].value',
        (d) => { d.components[6].applicability = { all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'arr', op: 'GT', value: 'big' }] }; }],
      ['applicability attribute not a name', 'input.components[5].applicability.attribute',
        (d) => { d.components[5].applicability = { attribute: 'is managed?', op: 'EQ', value: true }; }],
    ];

    let ws: Awaited<ReturnType<TestServer['workspace']>>;
    let outcomeId: string;
    let before: Awaited<ReturnType<typeof coinRows>>;
    beforeAll(async () => {
      ws = await t.workspace();
      outcomeId = await insertOutcome(t.db, ws.id, 'Validation');
      await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS);
      await t.ok(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys.OPS);
      before = await coinRows(t, ws.id);
    });

    it.each(cases)('%s -> %s', async (_name, field, mutate) => {
      const doc = coinDoc();
      doc.components[0].name = 'Changed, but must not land';
      mutate(doc);
      const res = await t.gql(DEFINE_COIN, { outcomeId, input: doc }, ws.keys.OPS);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.data).toBeNull();
      expect(await coinRows(t, ws.id)).toEqual(before);
    });
  });

  it('answers NOT_FOUND for outcomes of another workspace and changes nothing', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bOutcome = await insertOutcome(t.db, b.id, 'B outcome');
    await t.ok(DEFINE_COIN, { outcomeId: bOutcome, input: WORKED_EXAMPLE_COIN }, b.keys.OPS);
    const bBefore = await coinRows(t, b.id);
    const doc = coinDoc();
    doc.proactiveWeight = 10;
    for (const outcomeId of [bOutcome, 'nope']) {
      const res = await t.gql(DEFINE_COIN, { outcomeId, input: doc }, a.adminKey);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const read = await t.gql(READ_COIN, { o: outcomeId }, a.keys.ANALYST);
      expect(read.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(await coinRows(t, b.id)).toEqual(bBefore);
    expect(await coinRows(t, a.id)).toEqual({ coins: [], components: [] });
  });

  it('lets only OPS and ADMIN define; ANALYST, CSM and INGEST get FORBIDDEN and change nothing', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Roles');
    for (const role of [Role.ANALYST, Role.CSM, Role.INGEST]) {
      const res = await t.gql(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(await coinRows(t, ws.id)).toEqual({ coins: [], components: [] });
    }
    for (const role of [Role.OPS, Role.ADMIN]) {
      expect((await t.gql(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys[role])).errors).toBeUndefined();
    }
    expect((await coinRows(t, ws.id)).components).toHaveLength(8);
  });
});
