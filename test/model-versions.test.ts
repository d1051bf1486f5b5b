/**
 * Versions, diff, revert, drafts and publish through the API: every configuration mutation records a version,
 * the diff speaks the domain's words, a revert restores the exact earlier document, a publish against a moved live
 * model is refused with nothing changed, and a document with many mistakes reports them all at once.
 */
import { useTestServer, type TestWorkspace } from './support/harness';
import { buildModel } from './support/model-fixture';
import { FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN } from './support/fixtures';

const VERSIONS = `{ modelVersions(first: 50) { totalCount nodes { number hash documentHash message actor { name role } } } }`;
const MODEL = `query($version: Int, $draftId: ID) { model(version: $version, draftId: $draftId) { document hash documentHash version } }`;

describe('model versions', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let outcomeId: string;
  let clusterId: string;

  beforeAll(async () => {
    ws = await t.workspace();
    ({ enterpriseOutcomeId: outcomeId } = await buildModel(t.db, ws.id, 12));
    [{ id: clusterId }] = await t.db.query(`SELECT id FROM clusters WHERE workspace_id = $1 AND NOT is_default`, [ws.id]);
  });

  const versionCount = async () => (await t.ok(VERSIONS, {}, ws.adminKey)).modelVersions.totalCount as number;

  // Every mutation of the schema that changes the configuration, with a change it makes.
  const CONFIG_MUTATIONS: Record<string, () => [string, Record<string, unknown>]> = {
    createCluster: () => [`mutation($i: CreateClusterInput!) { createCluster(input: $i) { id } }`,
      { i: { name: 'Trial', priority: 50, rule: { attribute: 'plan', op: 'EQ', value: 'trial' } } }],
    updateCluster: () => [`mutation($id: ID!) { updateCluster(id: $id, input: { description: "Managed and enterprise" }) { id } }`, { id: clusterId }],
    deleteCluster: () => [`mutation { deleteCluster(id: "${''}") }`, {}], // replaced below (needs the cluster created above)
    createOutcome: () => [`mutation($i: CreateOutcomeInput!) { createOutcome(input: $i) { id } }`, { i: { clusterId, name: 'Exec reporting' } }],
    updateOutcome: () => [`mutation($id: ID!) { updateOutcome(id: $id, input: { weight: 3 }) { id } }`, { id: outcomeId }],
    deleteOutcome: () => [`mutation($id: ID!) { deleteOutcome(id: $id) }`, { id: '' }],
    defineJourney: () => {
      const j = structuredClone(FOUR_STAGE_JOURNEY);
      j.stuckAfterDays = 45;
      return [`mutation($o: ID!, $i: JourneyInput!) { defineJourney(outcomeId: $o, input: $i) { outcomeId } }`, { o: outcomeId, i: j }];
    },
    defineCoin: () => {
      const c = structuredClone(WORKED_EXAMPLE_COIN);
      c.components[1].weight = 25;
      return [`mutation($o: ID!, $i: CoinInput!) { defineCoin(outcomeId: $o, input: $i) { outcomeId } }`, { o: outcomeId, i: c }];
    },
    setBandThresholds: () => [`mutation { setBandThresholds(thresholds: { redBelow: 35, yellowBelow: 65 }) { id } }`, {}],
  };
  // Mutations that change no configuration (data, keys, runs, and the model's own, tested below).
  const OTHER_MUTATIONS = new Set(['upsertAccounts', 'ingestSignals', 'logTouchpoint', 'setPulse', 'addTag', 'removeTag', 'completeMilestone',
    'uncompleteMilestone', 'createApiKey', 'revokeApiKey', 'recomputeHealth', 'restartScoringRun', 'cancelScoringRun',
    'createModelDraft', 'updateModelDraft', 'deleteModelDraft', 'publishModelDraft', 'revertModel', 'previewModel']);

  it('knows every mutation of the schema: configuration ones are tested below, the rest change no configuration', async () => {
    const { __schema } = await t.ok(`{ __schema { mutationType { fields { name } } } }`, {}, ws.adminKey);
    const unknown = __schema.mutationType.fields.map((f: { name: string }) => f.name)
      .filter((n: string) => !(n in CONFIG_MUTATIONS) && !OTHER_MUTATIONS.has(n));
    // A new mutation must be classified here: if it changes the model, it must call modelChanged (shared/model-change.ts).
    expect(unknown).toEqual([]);
  });

  it.each(Object.keys(CONFIG_MUTATIONS))('%s records exactly one version, with the API key that made it', async (name) => {
    let [query, vars] = CONFIG_MUTATIONS[name]();
    if (name === 'deleteCluster' || name === 'deleteOutcome') {
      // something to delete first (its own versions are counted before the mutation under test)
      if (name === 'deleteCluster') {
        const c = await t.ok(`mutation { createCluster(input: { name: "Doomed", priority: 77, rule: { attribute: "x", op: EXISTS } }) { id } }`, {}, ws.keys.OPS);
        [query, vars] = [`mutation($id: ID!) { deleteCluster(id: $id) }`, { id: c.createCluster.id }];
      } else {
        const o = await t.ok(`mutation($c: ID!) { createOutcome(input: { clusterId: $c, name: "Doomed outcome" }) { id } }`, { c: clusterId }, ws.keys.OPS);
        vars = { id: o.createOutcome.id };
      }
    }
    const before = await versionCount();
    const role = name === 'setBandThresholds' ? 'ADMIN' : 'OPS'; // workspace settings are ADMIN's
    await t.ok(query, vars, ws.keys[role]);
    const after = await t.ok(VERSIONS, {}, ws.adminKey);
    expect(after.modelVersions.totalCount).toBe(before + 1);
    expect(after.modelVersions.nodes[0]).toMatchObject({ number: before + 1, actor: { name: role === 'OPS' ? 'OPS key' : 'First admin key', role } });
    // The live model is that version.
    const live = await t.ok(MODEL, {}, ws.adminKey);
    expect(live.model).toMatchObject({ version: before + 1, hash: after.modelVersions.nodes[0].hash, documentHash: after.modelVersions.nodes[0].documentHash });
  });

  it('records nothing for a mutation that changes nothing', async () => {
    const before = await versionCount();
    await t.ok(`mutation($id: ID!) { updateOutcome(id: $id, input: { weight: 3 }) { id } }`, { id: outcomeId }, ws.keys.OPS);
    expect(await versionCount()).toBe(before);
  });

  it('diffs two versions in the domain\'s words, and reverts to the exact earlier document as a new version', async () => {
    const { model: base } = await t.ok(MODEL, {}, ws.adminKey);
    const { createModelDraft: draft } = await t.ok(`mutation { createModelDraft(input: { name: "Logins matter more" }) { id baseVersion document } }`, {}, ws.keys.OPS);
    expect(draft.baseVersion).toBe(base.version);
    const doc = structuredClone(draft.document);
    const coin = doc.coins.find((c: { outcome: string }) => c.outcome === 'stakeholder_intelligence');
    coin.components.find((c: { key: string }) => c.key === 'login_frequency').weight = 30;
    coin.components.find((c: { key: string }) => c.key === 'support_tickets').scoring = { type: 'LINEAR', floor: 5, target: 0 };
    const journey = doc.journeys.find((j: { outcome: string }) => j.outcome === 'stakeholder_intelligence');
    journey.stages[2].milestones.push({ key: 'exec_sponsor', name: 'Executive sponsor named', expectedByDay: 100, weight: 1, completion: 'MANUAL' });
    journey.stages[2].milestones = journey.stages[2].milestones.filter((m: { key: string }) => m.key !== 'success_plan_review');
    doc.clusters[0].rule = { attribute: 'plan', op: 'IN', value: ['enterprise'] };
    await t.ok(`mutation($id: ID!, $d: JSONObject!) { updateModelDraft(id: $id, document: $d) { id } }`, { id: draft.id, d: doc }, ws.keys.OPS);
    const { modelDraftChanges } = await t.ok(`query($id: ID!) { modelDraftChanges(id: $id) { kind text } }`, { id: draft.id }, ws.adminKey);
    const { publishModelDraft: pub } = await t.ok(
      `mutation($id: ID!, $v: Int!) { publishModelDraft(id: $id, expectedLiveVersion: $v, message: "logins matter more") { version { number message } run { id state total } } }`,
      { id: draft.id, v: base.version }, ws.keys.OPS);
    expect(pub.version).toEqual({ number: base.version + 1, message: 'logins matter more' });
    expect(pub.run.total).toBe(12);

    const { modelDiff } = await t.ok(`query($a: Int!, $b: Int!) { modelDiff(from: $a, to: $b) { kind entity key field text } }`,
      { a: base.version, b: base.version + 1 }, ANALYST(ws));
    expect(modelDiff.map((c: { text: string }) => c.text).sort()).toEqual([
      'cluster `managed_enterprise`: rule changed from `managed = true AND plan IN ["enterprise"]` to `plan IN ["enterprise"]`',
      'component `login_frequency` of `stakeholder_intelligence`: weight 25 → 30', // 25 since the defineCoin case above
      'component `support_tickets` of `stakeholder_intelligence`: scoring LINEAR from 10 (0 points) to 0 (100 points) → LINEAR from 5 (0 points) to 0 (100 points)',
      'milestone `exec_sponsor` of `stakeholder_intelligence` added',
      'milestone `success_plan_review` of `stakeholder_intelligence` removed',
    ]);
    // The draft's changes against live were the same list.
    expect(modelDraftChanges.map((c: { text: string }) => c.text).sort()).toEqual(modelDiff.map((c: { text: string }) => c.text).sort());

    const { revertModel: rev } = await t.ok(`mutation($v: Int!) { revertModel(toVersion: $v, message: "back") { version { number hash documentHash message } } }`,
      { v: base.version }, ws.keys.ADMIN);
    expect(rev.version).toEqual({ number: base.version + 2, hash: base.hash, documentHash: base.documentHash, message: 'back' });
    const { model: now } = await t.ok(MODEL, {}, ws.adminKey);
    expect(now.document).toEqual(base.document);
    expect(now.hash).toBe(base.hash);
    const back = await t.ok(`query($a: Int!, $b: Int!) { modelDiff(from: $a, to: $b) { text } }`, { a: base.version, b: base.version + 2 }, ws.adminKey);
    expect(back.modelDiff).toEqual([]);
  });

  it('refuses to publish a draft when the live model moved since (CONFLICT), and changes nothing', async () => {
    const { model: base } = await t.ok(MODEL, {}, ws.adminKey);
    const { createModelDraft: draft } = await t.ok(`mutation { createModelDraft(input: { name: "Stale" }) { id document } }`, {}, ws.keys.OPS);
    await t.ok(`mutation { setBandThresholds(thresholds: { redBelow: 30, yellowBelow: 60 }) { id } }`, {}, ws.keys.ADMIN);
    const { model: moved } = await t.ok(MODEL, {}, ws.adminKey);
    const res = await t.gql(`mutation($id: ID!, $v: Int!) { publishModelDraft(id: $id, expectedLiveVersion: $v) { version { number } } }`,
      { id: draft.id, v: base.version }, ws.keys.OPS);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', liveVersion: base.version + 1 });
    expect(res.errors?.[0].message).toMatch(/changed since this draft was taken/);
    const { model: after } = await t.ok(MODEL, {}, ws.adminKey);
    expect(after).toEqual(moved);
    const { modelDrafts } = await t.ok(`{ modelDrafts { id } }`, {}, ws.adminKey);
    expect(modelDrafts.map((d: { id: string }) => d.id)).toContain(draft.id);
  });

  it('reports every problem of a document at once, each with its path, and keeps the draft as it was', async () => {
    const { createModelDraft: draft } = await t.ok(`mutation { createModelDraft(input: { name: "Broken" }) { id document documentHash } }`, {}, ws.keys.OPS);
    const doc = structuredClone(draft.document);
    doc.thresholds.yellowBelow = 10; // below redBelow
    doc.clusters[0].priority = null; // a non-default cluster needs one
    doc.outcomes[1].cluster = 'nowhere';
    doc.coins[0].components[3].scoring = { type: 'LINEAR', floor: 5 }; // no target
    doc.coins[1].components[1].weight = -2;
    doc.journeys[0].stages[1].startDay = 0; // not after the first stage
    const res = await t.gql(`mutation($id: ID!, $d: JSONObject!) { updateModelDraft(id: $id, document: $d) { id } }`, { id: draft.id, d: doc }, ws.keys.OPS);
    const problems = res.errors?.[0].extensions?.problems as Array<{ field: string; message: string }>;
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(problems.map((p) => p.field).sort()).toEqual([
      'document.clusters[0].priority', 'document.coins[0].components[3].scoring.target', 'document.coins[1].components[1].weight',
      'document.journeys[0].stages[1].startDay', 'document.outcomes[1].cluster', 'document.thresholds.yellowBelow',
    ]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
    const { validateModel } = await t.ok(`query($d: JSONObject!) { validateModel(document: $d) { valid problems { field } } }`, { d: doc }, ANALYST(ws));
    expect(validateModel.valid).toBe(false);
    expect(validateModel.problems).toHaveLength(6);
    const { modelDrafts } = await t.ok(`{ modelDrafts { id documentHash } }`, {}, ws.adminKey);
    expect(modelDrafts.find((d: { id: string }) => d.id === draft.id).documentHash).toBe(draft.documentHash);
  });
});

const ANALYST = (ws: TestWorkspace) => ws.keys.ANALYST;
