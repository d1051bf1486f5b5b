import { statementsDuring } from './support/statements';
import { Role } from '../src/shared/auth';
import { useTestServer, type TestServer } from './support/harness';
import { DEFINE_COIN, DEFINE_JOURNEY, FOUR_STAGE_JOURNEY, JOURNEY_FIELDS, WORKED_EXAMPLE_COIN, insertOutcome } from './support/fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are edited freely to make them invalid
type Doc = any;
const journeyDoc = (): Doc => structuredClone(FOUR_STAGE_JOURNEY);

/** Everything journey-related of a workspace, to assert that a failed mutation changed nothing. */
async function journeyRows(t: TestServer, workspaceId: string) {
  const q = (sql: string) => t.db.query(sql, [workspaceId]);
  return {
    journeys: await q('SELECT outcome_id, stuck_after_days, updated_at FROM journeys WHERE workspace_id = $1 ORDER BY outcome_id'),
    stages: await q('SELECT id, outcome_id, key, name, start_day FROM journey_stages WHERE workspace_id = $1 ORDER BY id'),
    milestones: await q(`SELECT id, outcome_id, stage_id, key, name, expected_by_day, weight, completion, rule, position
                         FROM milestones WHERE workspace_id = $1 ORDER BY id`),
    components: await q('SELECT id, stage_overrides FROM components WHERE workspace_id = $1 ORDER BY id'),
  };
}

describe('journeys: defineJourney and journey(outcomeId)', () => {
  const t = useTestServer();

  it('defines the 4-stage journey and reads it back (null before)', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Stakeholder intelligence');
    const before = await t.ok(`query($o: ID!) { journey(outcomeId: $o) { outcomeId } }`, { o: outcomeId }, ws.keys.ANALYST);
    expect(before.journey).toBeNull();

    const defined = (await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS)).defineJourney;
    const read = (await t.ok(`query($o: ID!) { journey(outcomeId: $o) { ${JOURNEY_FIELDS} } }`, { o: outcomeId }, ws.keys.ANALYST)).journey;
    expect(read).toEqual(defined);

    expect(read.outcomeId).toBe(outcomeId);
    expect(read.stuckAfterDays).toBe(30);
    expect(read.stages.map((s: any) => [s.key, s.name, s.startDay])).toEqual([
      ['onboarding', 'Onboarding', 0], ['adoption', 'Adoption', 30], ['value', 'Value', 90], ['renewal', 'Renewal', 300],
    ]);
    expect(read.stages.map((s: any) => s.milestones.map((m: any) => m.key))).toEqual([
      ['kickoff_call', 'first_login'], ['three_key_features', 'org_chart_used'], ['first_qbr', 'success_plan_review'], ['renewal_conversation'],
    ]);
    const [onboarding, adoption] = read.stages;
    expect(onboarding.milestones[0]).toMatchObject({ name: 'Kickoff call held', expectedByDay: 7, weight: 1, completion: 'MANUAL', rule: null });
    expect(adoption.milestones[1]).toMatchObject({
      name: 'Relationship map used 3 times', expectedByDay: 60, weight: 2, completion: 'AUTOMATIC',
      rule: { signalType: 'feature_used', subject: 'org_chart', aggregation: 'COUNT', atLeast: 3 },
      stage: { id: adoption.id, key: 'adoption' },
    });
    expect(onboarding.milestones[1].rule).toEqual({ signalType: 'login', subject: null, aggregation: 'COUNT', atLeast: 1 });
    for (const s of read.stages) for (const m of s.milestones) expect(m.stage).toEqual({ id: s.id, key: s.key });

    const rows = await journeyRows(t, ws.id);
    expect(rows.journeys).toHaveLength(1);
    expect(rows.stages).toHaveLength(4);
    expect(rows.milestones).toHaveLength(7);
    // position follows the document order over the whole journey
    expect(rows.milestones.map((m: any) => [m.key, m.position]).sort((a: any, b: any) => a[1] - b[1]).map((x: any) => x[0]))
      .toEqual(['kickoff_call', 'first_login', 'three_key_features', 'org_chart_used', 'first_qbr', 'success_plan_review', 'renewal_conversation']);
  });

  it('applies defaults: stuckAfterDays 30, milestone weight 1, no milestones', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Defaults');
    const input = { stages: [{ key: 'only', name: 'Only', startDay: 0 }, { key: 'later', name: 'Later', startDay: 10,
      milestones: [{ key: 'm', name: 'M', expectedByDay: 12, completion: 'MANUAL' }] }] };
    const j = (await t.ok(DEFINE_JOURNEY, { outcomeId, input }, ws.adminKey)).defineJourney;
    expect(j.stuckAfterDays).toBe(30);
    expect(j.stages[0].milestones).toEqual([]);
    expect(j.stages[1].milestones[0].weight).toBe(1);
  });

  it('redefines by key: matched stages and milestones keep their ids (and manual completions), the rest is deleted or created', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Redefine');
    const first = (await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS)).defineJourney;
    const stageId = Object.fromEntries(first.stages.map((s: any) => [s.key, s.id]));
    const milestoneId = Object.fromEntries(first.stages.flatMap((s: any) => s.milestones.map((m: any) => [m.key, m.id])));

    // A CSM completed the manual kickoff call of one account.
    const [account] = await t.db.query(
      `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
       SELECT workspace_id, 'acme', 'Acme', now(), id FROM clusters WHERE workspace_id = $1 AND is_default RETURNING id`, [ws.id]);
    await t.db.query(`INSERT INTO milestone_completions (workspace_id, account_id, milestone_id, achieved_at) VALUES ($1, $2, $3, now())`,
      [ws.id, account.id, milestoneId.kickoff_call]);

    const doc = journeyDoc();
    doc.stuckAfterDays = 45;
    doc.stages[1].startDay = 21;                       // adoption starts earlier
    doc.stages[2].name = 'Value realised';             // renamed
    const orgChart = doc.stages[1].milestones.pop()!;  // org_chart_used moves to the value stage
    orgChart.expectedByDay = 100;
    doc.stages[2].milestones = [orgChart, doc.stages[2].milestones[0]]; // success_plan_review dropped
    doc.stages[0].milestones.push({ key: 'exec_sponsor', name: 'Executive sponsor named', expectedByDay: 14, weight: 1, completion: 'MANUAL' });
    doc.stages[3] = { key: 'expansion', name: 'Expansion', startDay: 200, milestones: [] }; // renewal stage removed, expansion added

    const second = (await t.ok(DEFINE_JOURNEY, { outcomeId, input: doc }, ws.keys.OPS)).defineJourney;
    expect(second.stuckAfterDays).toBe(45);
    expect(second.stages.map((s: any) => [s.key, s.name, s.startDay])).toEqual([
      ['onboarding', 'Onboarding', 0], ['adoption', 'Adoption', 21], ['value', 'Value realised', 90], ['expansion', 'Expansion', 200],
    ]);
    const stageId2 = Object.fromEntries(second.stages.map((s: any) => [s.key, s.id]));
    expect(stageId2.onboarding).toBe(stageId.onboarding);
    expect(stageId2.adoption).toBe(stageId.adoption);
    expect(stageId2.value).toBe(stageId.value);
    expect(Object.values(stageId)).not.toContain(stageId2.expansion);

    const ms2 = Object.fromEntries(second.stages.flatMap((s: any) => s.milestones.map((m: any) => [m.key, m])));
    for (const key of ['kickoff_call', 'first_login', 'three_key_features', 'org_chart_used', 'first_qbr']) expect(ms2[key].id).toBe(milestoneId[key]);
    expect(ms2.org_chart_used).toMatchObject({ expectedByDay: 100, stage: { id: stageId.value, key: 'value' } });
    expect(Object.values(milestoneId)).not.toContain(ms2.exec_sponsor.id);
    expect(Object.keys(ms2).sort()).toEqual(['exec_sponsor', 'first_login', 'first_qbr', 'kickoff_call', 'org_chart_used', 'three_key_features']);

    const rows = await journeyRows(t, ws.id);
    expect(rows.stages.map((s: any) => s.key).sort()).toEqual(['adoption', 'expansion', 'onboarding', 'value']);
    expect(rows.milestones).toHaveLength(6);
    expect(rows.journeys[0].updated_at.getTime()).toBeGreaterThanOrEqual((await t.db.query('SELECT now() - interval \'1 minute\' AS t'))[0].t.getTime());
    const completions = await t.db.query('SELECT milestone_id FROM milestone_completions WHERE workspace_id = $1', [ws.id]);
    expect(completions).toEqual([{ milestone_id: milestoneId.kickoff_call }]);
  });

  it('lets stages swap start days (the unique start day index is not tripped mid-way)', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Swap');
    const stages = (a: string, b: string) => [
      { key: 'start', name: 'Start', startDay: 0 }, { key: a, name: a, startDay: 10 }, { key: b, name: b, startDay: 20 }];
    const first = (await t.ok(DEFINE_JOURNEY, { outcomeId, input: { stages: stages('b', 'c') } }, ws.keys.OPS)).defineJourney;
    const second = (await t.ok(DEFINE_JOURNEY, { outcomeId, input: { stages: stages('c', 'b') } }, ws.keys.OPS)).defineJourney;
    const ids = (j: any) => Object.fromEntries(j.stages.map((s: any) => [s.key, [s.id, s.startDay]]));
    expect(ids(first)).toEqual({ start: [expect.any(String), 0], b: [expect.any(String), 10], c: [expect.any(String), 20] });
    expect(ids(second)).toEqual({ start: [ids(first).start[0], 0], b: [ids(first).b[0], 20], c: [ids(first).c[0], 10] });
  });

  it('serves Outcome.journey / Outcome.coin and the nested relations through loaders (statements do not grow with outcomes)', async () => {
    const ws = await t.workspace();
    const query = `{ outcomes { id journey { stuckAfterDays stages { key milestones { key stage { key } } } }
      coin { proactiveWeight components { key } } } }`;
    const addOutcome = async (name: string, withConfig: boolean) => {
      const outcomeId = await insertOutcome(t.db, ws.id, name);
      if (withConfig) {
        await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS);
        await t.ok(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, ws.keys.OPS);
      }
      return outcomeId;
    };
    // Queries of data only (test/support/statements.ts): setting a pooled connection's workspace happens once per
    // connection and workspace, so it depends on which connections the pool hands out, not on the outcomes.
    const counted = async () => {
      const { result: data, statements } = await statementsDuring(() => t.ok(query, {}, ws.keys.ANALYST));
      return { data, statements: statements.length };
    };

    const first = await addOutcome('One', true);
    const bare = await addOutcome('Bare', false);
    await t.ok('{ viewer { role } }', {}, ws.keys.ANALYST); // its key lookup is cached from now on: both counts compare the same work
    const small = await counted();
    const one = small.data.outcomes.find((o: any) => o.id === first);
    expect(one.journey.stages.map((s: any) => s.milestones.length)).toEqual([2, 2, 2, 1]);
    expect(one.journey.stages[1].milestones[1]).toEqual({ key: 'org_chart_used', stage: { key: 'adoption' } });
    expect(one.coin.components).toHaveLength(8);
    expect(small.data.outcomes.find((o: any) => o.id === bare)).toMatchObject({ journey: null, coin: null });

    for (const name of ['Two', 'Three', 'Four', 'Five']) await addOutcome(name, true);
    const big = await counted();
    expect(big.data.outcomes).toHaveLength(6);
    expect(big.data.outcomes.filter((o: any) => o.coin).map((o: any) => o.journey.stages.length)).toEqual([4, 4, 4, 4, 4]);
    // One statement per relation level, whatever the number of outcomes, stages and milestones.
    expect(big.statements).toBe(small.statements);
    expect(small.statements).toBeGreaterThan(0);
    expect(small.statements).toBeLessThanOrEqual(8);

    // The single-outcome query agrees.
    const single = await t.ok(`query($id: ID!) { outcome(id: $id) { journey { stages { key } } coin { reactiveWeight } } }`, { id: first }, ws.keys.CSM);
    expect(single.outcome).toEqual({ journey: { stages: ['onboarding', 'adoption', 'value', 'renewal'].map((key) => ({ key })) }, coin: { reactiveWeight: 50 } });
  });

  it('serialises concurrent defines of one outcome: all succeed, the last one wins whole', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Concurrent');
    const docs = [1, 2, 3, 4, 5].map((n) => ({ stuckAfterDays: n, stages: Array.from({ length: n }, (_, i) => ({
      key: `s${i}`, name: `Stage ${i}`, startDay: i * 10,
      milestones: [{ key: `m${i}`, name: `M ${i}`, expectedByDay: i * 10 + 5, completion: 'MANUAL' }] })) }));
    const results = await Promise.all(docs.map((input) => t.gql(DEFINE_JOURNEY, { outcomeId, input }, ws.keys.OPS)));
    for (const r of results) expect(r.errors).toBeUndefined();
    const rows = await journeyRows(t, ws.id);
    const n = rows.journeys[0].stuck_after_days; // whichever committed last
    expect(rows.stages).toHaveLength(n);
    expect(rows.milestones).toHaveLength(n);
  });

  describe('validation: BAD_USER_INPUT with the field path, nothing written', () => {
    const cases: Array<[string, string, (d: Doc) => void]> = [
      ['no stages', 'input.stages', (d) => { d.stages = []; }],
      ['stage key not a slug', 'input.stages[0].key', (d) => { d.stages[0].key = 'On Boarding'; }],
      ['duplicate stage key', 'input.stages[1].key', (d) => { d.stages[1].key = 'onboarding'; }],
      ['duplicate stage name (any case)', 'input.stages[2].name', (d) => { d.stages[2].name = ' ADOPTION '; }],
      ['blank stage name', 'input.stages[3].name', (d) => { d.stages[3].name = '   '; }],
      ['first stage not at day 0', 'input.stages[0].startDay', (d) => { d.stages[0].startDay = 5; }],
      ['start days not strictly ascending', 'input.stages[2].startDay', (d) => { d.stages[2].startDay = 30; }],
      ['start days descending', 'input.stages[3].startDay', (d) => { d.stages[3].startDay = 60; }],
      ['negative start day', 'input.stages[1].startDay', (d) => { d.stages[1].startDay = -1; }],
      ['stuckAfterDays 0', 'input.stuckAfterDays', (d) => { d.stuckAfterDays = 0; }],
      ['stuckAfterDays above 3650', 'input.stuckAfterDays', (d) => { d.stuckAfterDays = 3651; }],
      ['milestone key reused in another stage', 'input.stages[1].milestones[0].key', (d) => { d.stages[1].milestones[0].key = 'first_login'; }],
      ['milestone key not a slug', 'input.stages[0].milestones[1].key', (d) => { d.stages[0].milestones[1].key = 'First login'; }],
      ['duplicate milestone name', 'input.stages[2].milestones[1].name', (d) => { d.stages[2].milestones[1].name = 'first qbr'; }],
      ['milestone expected before its stage starts', 'input.stages[1].milestones[0].expectedByDay', (d) => { d.stages[1].milestones[0].expectedByDay = 29; }],
      ['negative expectedByDay', 'input.stages[0].milestones[0].expectedByDay', (d) => { d.stages[0].milestones[0].expectedByDay = -1; }],
      ['milestone weight 0', 'input.stages[0].milestones[0].weight', (d) => { d.stages[0].milestones[0].weight = 0; }],
      ['negative milestone weight', 'input.stages[3].milestones[0].weight', (d) => { d.stages[3].milestones[0].weight = -2; }],
      ['AUTOMATIC without a rule', 'input.stages[0].milestones[1].rule', (d) => { delete (d.stages[0].milestones[1] as any).rule; }],
      ['MANUAL with a rule', 'input.stages[0].milestones[0].rule', (d) => { (d.stages[0].milestones[0] as any).rule = { signalType: 'meeting', aggregation: 'COUNT', atLeast: 1 }; }],
      ['rule signal type with capitals and spaces', 'input.stages[1].milestones[0].rule.signalType', (d) => { (d.stages[1].milestones[0] as any).rule.signalType = 'Feature Used'; }],
      ['rule signal type ingestion would refuse', 'input.stages[2].milestones[0].rule.signalType', (d) => { d.stages[2].milestones[0].rule.signalType = 'tag:'; }],
      ['rule atLeast 0', 'input.stages[2].milestones[0].rule.atLeast', (d) => { (d.stages[2].milestones[0] as any).rule.atLeast = 0; }],
    ];

    let ws: Awaited<ReturnType<TestServer['workspace']>>;
    let outcomeId: string;
    let before: Awaited<ReturnType<typeof journeyRows>>;
    beforeAll(async () => {
      ws = await t.workspace();
      outcomeId = await insertOutcome(t.db, ws.id, 'Validation');
      await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS);
      before = await journeyRows(t, ws.id);
    });

    it.each(cases)('%s -> %s', async (_name, field, mutate) => {
      const doc = journeyDoc();
      mutate(doc);
      const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: doc }, ws.keys.OPS);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.data).toBeNull();
      expect(await journeyRows(t, ws.id)).toEqual(before);
    });

    it('does not echo the offending value in the message', async () => {
      const doc = journeyDoc();
      doc.stages[0].key = 'SECRET-Value';
      const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: doc }, ws.keys.OPS);
      expect(res.errors?.[0].message).not.toContain('SECRET-Value');
    });
  });

  it('refuses (CONFLICT, naming the component) to remove a stage that a component override uses', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Overridden');
    await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys.OPS);
    const coin = structuredClone(WORKED_EXAMPLE_COIN) as any;
    coin.components[1].stageOverrides = [{ stageKey: 'adoption', scoring: { type: 'LINEAR', floor: 0, target: 10 } }];
    await t.ok(DEFINE_COIN, { outcomeId, input: coin }, ws.keys.OPS);
    const before = await journeyRows(t, ws.id);

    const doc = journeyDoc();
    doc.stages.splice(1, 1); // drop adoption
    doc.stages[0].milestones[0].name = 'Renamed too'; // and a change that must not land either
    const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: doc }, ws.keys.OPS);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', component: 'login_frequency', stageKey: 'adoption' });
    expect(res.errors?.[0].message).toContain('Login frequency');
    expect(await journeyRows(t, ws.id)).toEqual(before);

    // Renaming the stage (same key) or moving its start day is fine.
    const ok = journeyDoc();
    ok.stages[1].name = 'Adoption (first quarter)';
    ok.stages[1].startDay = 14;
    await t.ok(DEFINE_JOURNEY, { outcomeId, input: ok }, ws.keys.OPS);
  });

  it('answers NOT_FOUND for outcomes of another workspace (or not ids at all) and changes nothing', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bOutcome = await insertOutcome(t.db, b.id, 'B outcome');
    await t.ok(DEFINE_JOURNEY, { outcomeId: bOutcome, input: FOUR_STAGE_JOURNEY }, b.keys.OPS);
    const bBefore = await journeyRows(t, b.id);

    const doc = journeyDoc();
    doc.stuckAfterDays = 99;
    for (const outcomeId of [bOutcome, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: doc }, a.keys.OPS);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const read = await t.gql(`query($o: ID!) { journey(outcomeId: $o) { outcomeId } }`, { o: outcomeId }, a.keys.ADMIN);
      expect(read.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(await journeyRows(t, b.id)).toEqual(bBefore);
    expect((await journeyRows(t, a.id)).stages).toEqual([]);
  });

  it('lets only OPS and ADMIN define; ANALYST, CSM and INGEST get FORBIDDEN and change nothing', async () => {
    const ws = await t.workspace();
    const outcomeId = await insertOutcome(t.db, ws.id, 'Roles');
    for (const role of [Role.ANALYST, Role.CSM, Role.INGEST]) {
      const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await journeyRows(t, ws.id)).journeys).toEqual([]);
    }
    for (const role of [Role.OPS, Role.ADMIN]) {
      const res = await t.gql(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, ws.keys[role]);
      expect(res.errors).toBeUndefined();
    }
    expect((await journeyRows(t, ws.id)).stages).toHaveLength(4);
    const unauth = await t.gql(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY });
    expect(unauth.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
