/**
 * previewModel: a draft scored beside the live model, in a run with progress, stored apart from live scores; its
 * "after" equals, bit for bit, what scoring stores once the draft is published, at the same asOf.
 */
import { scoreAccounts } from '../src/scoring/engine';
import { previewChunkScorers } from '../src/model/model.preview';
import { processRun, restartRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { AS_OF, buildModel } from './support/model-fixture';

const PREVIEW = `query($id: ID!) { modelPreview(id: $id) {
  id draftName asOf run { kind state done total progress }
  bandTransitions { from to accounts }
  changeByCluster { of { id name } accounts meanChange }
  changeByOutcome { of { id name } accounts meanChange }
  clusterChanges(first: 100) { totalCount nodes { externalId clusterBefore { name } clusterAfter { name } } }
  biggestMovers(first: 5) { externalId outcome { name } change before { score band } after { score band } components { key before after change } }
  accounts(first: 100, orderBy: CHANGE_ASC) { totalCount nodes { accountId externalId change before { score band } after { score band } } }
} }`;

describe('model preview', () => {
  const t = useTestServer();
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = await t.workspace();
    await buildModel(t.db, ws.id, 40);
    await scoreAccounts(TenantScope.system(t.db, ws.id), { asOf: AS_OF, persist: true }); // live scores to leave alone
  });

  /** Every row of the live score tables. */
  const liveScores = async () => JSON.stringify(await t.db.query(
    `SELECT (SELECT json_agg(x ORDER BY account_id) FROM current_account_health x WHERE workspace_id = $1) AS a,
            (SELECT json_agg(x ORDER BY account_id, outcome_id) FROM current_outcome_health x WHERE workspace_id = $1) AS o,
            (SELECT count(*) FROM health_snapshots WHERE workspace_id = $1) AS s`, [ws.id]));

  it('previews a draft without touching live scores, and its "after" is what publishing stores', async () => {
    const { createModelDraft: draft } = await t.ok(`mutation { createModelDraft(input: { name: "Enterprise by plan, logins count double" }) { id document } }`, {}, ws.keys.OPS);
    const doc = structuredClone(draft.document);
    doc.clusters[0].rule = { attribute: 'plan', op: 'IN', value: ['enterprise'] }; // no longer needs `managed`
    for (const coin of doc.coins) coin.components.find((c: { key: string }) => c.key === 'login_frequency').weight = 40;
    doc.journeys[0].stages[0].milestones.push({ key: 'admin_trained', name: 'Admin trained', expectedByDay: 14, weight: 2, completion: 'AUTOMATIC',
      rule: { signalType: 'training', aggregation: 'COUNT', atLeast: 1 } });
    await t.ok(`mutation($id: ID!, $d: JSONObject!) { updateModelDraft(id: $id, document: $d) { id } }`, { id: draft.id, d: doc }, ws.keys.OPS);

    const before = await liveScores();
    // ANALYST may preview: it changes nothing live.
    const { previewModel: started } = await t.ok(`mutation($d: ID!, $at: DateTimeISO) { previewModel(draftId: $d, asOf: $at) { id run { kind state total } } }`,
      { d: draft.id, at: AS_OF.toISOString() }, ws.keys.ANALYST);
    expect(started.run).toEqual({ kind: 'PREVIEW', state: 'QUEUED', total: 40 });
    // The preview's chunks are what the caller hands processRun (src/job-handlers.ts does for the worker): without them
    // the run fails rather than score the draft's accounts into the live tables.
    expect(await processRun(t.db, ws.id, started.id, { concurrency: 2 })).toBe('FAILED');
    expect(await liveScores()).toBe(before);
    await restartRun(TenantScope.system(t.db, ws.id), started.id);
    expect(await processRun(t.db, ws.id, started.id, { concurrency: 2, chunkScorers: previewChunkScorers })).toBe('SUCCEEDED');
    expect(await liveScores()).toBe(before);

    const { modelPreview: p } = await t.ok(PREVIEW, { id: started.id }, ws.keys.ANALYST);
    expect(p.run).toMatchObject({ state: 'SUCCEEDED', done: 40, total: 40, progress: 1 });
    expect(p.bandTransitions.reduce((n: number, b: { accounts: number }) => n + b.accounts, 0)).toBe(40);
    // Accounts 4, 8 … 40 are enterprise but not managed: in the default cluster today, in the enterprise one under the draft.
    expect(p.clusterChanges.totalCount).toBe(10);
    expect(p.clusterChanges.nodes.map((n: { externalId: string }) => Number(n.externalId.slice(4))).sort((a: number, b: number) => a - b))
      .toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(p.clusterChanges.nodes[0]).toMatchObject({ clusterBefore: { name: 'Everyone else' }, clusterAfter: { name: 'Managed enterprise' } });
    // Sorted by change, biggest drop first; movers name their components, whose changes are the largest first.
    const changes = p.accounts.nodes.map((n: { change: number | null }) => n.change).filter((c: number | null) => c !== null);
    expect(changes).toEqual([...changes].sort((a, b) => a - b));
    const mover = p.biggestMovers[0];
    expect(mover.components.length).toBeGreaterThan(0);
    expect(Math.abs(mover.components[0].change)).toBeGreaterThanOrEqual(Math.abs(mover.components.at(-1).change));
    expect(p.biggestMovers.flatMap((m: { components: Array<{ key: string }> }) => m.components.map((c) => c.key))).toContain('login_frequency');
    // Filters: by band after.
    const red = p.bandTransitions.filter((b: { to: string }) => b.to === 'RED').reduce((n: number, b: { accounts: number }) => n + b.accounts, 0);
    const filtered = await t.ok(`query($id: ID!) { modelPreview(id: $id) { accounts(filter: { bandAfter: RED }) { totalCount } } }`, { id: p.id }, ws.keys.CSM);
    expect(filtered.modelPreview.accounts.totalCount).toBe(red);

    // Publish, score at the same asOf: the live scores are the preview's "after", bit for bit.
    const { model } = await t.ok(`{ model { version } }`, {}, ws.adminKey);
    await t.ok(`mutation($id: ID!, $v: Int!) { publishModelDraft(id: $id, expectedLiveVersion: $v) { version { number } } }`, { id: draft.id, v: model.version }, ws.keys.OPS);
    await scoreAccounts(TenantScope.system(t.db, ws.id), { asOf: AS_OF, persist: true });
    const accountDiff = await t.db.query(
      `SELECT p.account_id FROM model_preview_accounts p JOIN current_account_health c ON c.workspace_id = p.workspace_id AND c.account_id = p.account_id
       WHERE p.workspace_id = $1 AND p.preview_id = $2
         AND (c.score IS DISTINCT FROM p.after_score OR c.band IS DISTINCT FROM p.after_band)`, [ws.id, p.id]);
    expect(accountDiff).toEqual([]);
    const outcomeDiff = await t.db.query(
      `SELECT coalesce(p.account_id, c.account_id) FROM (SELECT * FROM model_preview_outcomes WHERE workspace_id = $1 AND preview_id = $2 AND after_band IS NOT NULL) p
       FULL JOIN (SELECT * FROM current_outcome_health WHERE workspace_id = $1) c ON c.account_id = p.account_id AND c.outcome_id = p.outcome_id
       WHERE p.account_id IS NULL OR c.account_id IS NULL OR c.score IS DISTINCT FROM p.after_score OR c.band IS DISTINCT FROM p.after_band`, [ws.id, p.id]);
    expect(outcomeDiff).toEqual([]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM model_preview_accounts WHERE workspace_id = $1 AND preview_id = $2 AND change <> 0`, [ws.id, p.id]);
    expect(n).toBeGreaterThan(0); // the draft did change scores (the equality above would hold vacuously otherwise)
  });
});
