/**
 * recomputeHealth(asOf) in the past backfills history in bulk: snapshots at that time from the signals up to it,
 * accounts whose journey had not started are left out, the current scores only move forward, a future asOf is refused.
 * Model (test/support/scoring-model.ts): account score = min(logins in 30 days, 10) × 10.
 */
import { processRun } from '../src/scoring/runs.service';
import { useTestServer } from './support/harness';
import { createLoginModel, currentScores } from './support/scoring-model';

const DAY = 86_400_000;

describe('scoring runs at a past asOf (backfill)', () => {
  const t = useTestServer();
  /** The test server runs no job worker: process the run here (what the RECOMPUTE_RUN job does), then read it. */
  const waitDone = async (key: string, id: string) => {
    const ws = (await t.db.query(`SELECT workspace_id FROM scoring_runs WHERE id = $1`, [id]))[0].workspace_id;
    await processRun(t.db, ws, id);
    return (await t.ok(`query($id: ID!) { scoringRun(id: $id) { id state total done asOf error } }`, { id }, key)).scoringRun;
  };

  it('scores every account at the past time from the signals up to it, and leaves the current scores alone', async () => {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, 4); // journeys started 100 days ago
    const asOf = new Date(Math.floor((Date.now() - 40 * DAY) / 1000) * 1000);
    // account i: i logins within 30 days before asOf (the last exactly at asOf), 5 more after it
    for (const [i, id] of m.accountIds.entries()) {
      await t.db.query(
        `INSERT INTO signals (workspace_id, account_id, type, occurred_at)
         SELECT $1::uuid, $2::uuid, 'login', $3::timestamptz - (g || ' days')::interval FROM generate_series(0, $4::int - 1) g
         UNION ALL SELECT $1, $2, 'login', $3::timestamptz + (g || ' days')::interval FROM generate_series(1, 5) g`,
        [ws.id, id, asOf.toISOString(), i]);
    }
    // a fifth account whose journey starts after asOf: nothing to backfill for it
    await t.db.query(`INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id) VALUES ($1, 'late', 'Late', now() - interval '10 days', $2)`,
      [ws.id, m.clusterId]);

    const now = (await t.ok(`mutation { recomputeHealth { id } }`, {}, ws.keys.OPS)).recomputeHealth;
    await waitDone(ws.keys.OPS, now.id);
    const before = await currentScores(t.db, ws.id);

    const run = (await t.ok(`mutation($at: DateTimeISO) { recomputeHealth(asOf: $at) { id total asOf } }`, { at: asOf.toISOString() }, ws.keys.OPS)).recomputeHealth;
    expect(run).toMatchObject({ total: 4, asOf: asOf.toISOString() });
    expect(await waitDone(ws.keys.OPS, run.id)).toMatchObject({ state: 'SUCCEEDED', done: 4, error: null });

    const snaps: Array<{ account_id: string; score: number; as_of: Date }> = await t.db.query(
      `SELECT account_id, score, as_of FROM account_health_snapshots WHERE workspace_id = $1 AND run_id = $2`, [ws.id, run.id]);
    expect(new Map(snaps.map((s) => [s.account_id, s.score]))).toEqual(new Map(m.accountIds.map((id, i) => [id, 10 * i])));
    for (const s of snaps) expect(s.as_of.getTime()).toBe(asOf.getTime());
    expect(await currentScores(t.db, ws.id)).toEqual(before); // the newer current scores stay
  });

  it('refuses an asOf in the future and creates no run', async () => {
    const ws = await t.workspace();
    await createLoginModel(t.db, ws.id, 1);
    const res = await t.gql(`mutation { recomputeHealth(asOf: "2999-01-01T00:00:00Z") { id } }`, {}, ws.keys.OPS);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM scoring_runs WHERE workspace_id = $1`, [ws.id]);
    expect(n).toBe(0);
  });
});
