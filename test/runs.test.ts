/**
 * Scoring runs: recomputeHealth → chunks → progress; a worker killed mid-run leaves the previous
 * snapshots intact and the run resumes after its last committed chunk; failures, restart, cancel.
 * Model (test/support/scoring-model.ts): account score = min(logins in 30 days, 10) × 10.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { advance, cancelRun, createRun, processRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer } from './support/harness';
import { addLogins, createLoginModel, currentScores, startTestJobs, testDatabaseUrl, until } from './support/scoring-model';

const RUN_FIELDS = 'id state kind total done progress attempts asOf startedAt finishedAt heartbeatAt error scope { clusterId outcomeId accountIds }';
const STALE_MS = 3000;
/** setInterval's largest delay (~24.8 days): the periodic sweep never fires during the test. */
const NEVER_MS = 2 ** 31 - 1;

describe('scoring runs', () => {
  const t = useTestServer();
  let jobs: Awaited<ReturnType<typeof startTestJobs>>;

  beforeAll(async () => {
    // The worker's recovery sweep runs only when a test calls jobs.sweep(): on a periodic sweep, a run this file creates
    // for a child process or for processRun() may be taken by the in-process worker first (QUEUED for 5 s, or a
    // heartbeat late on a busy machine), and the child then finds nothing to claim and exits with code 0.
    jobs = await startTestJobs(t.db, t.dbName, { sweepIntervalMs: NEVER_MS, staleAfterMs: STALE_MS });
  });
  t.cleanup(async () => { await jobs?.stop(); });

  const runOf = async (key: string, id: string) => (await t.ok(`query($id: ID!) { scoringRun(id: $id) { ${RUN_FIELDS} } }`, { id }, key)).scoringRun;
  const waitFor = async (key: string, id: string, state: string) =>
    await until(async () => { const r = await runOf(key, id); return r.state === state ? r : undefined; }, 60_000);
  /** test/support/scoring-run-child.ts on this run (args: killAtChunk, concurrency[, waitForDone]): how it exited, and its stderr. */
  const runChild = async (workspaceId: string, runId: string, args: string[]) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'support', 'scoring-run-child.ts'),
      testDatabaseUrl(t.dbName), workspaceId, runId, ...args], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { ...exit, errors: stderr.split('\n').filter((l) => l.trim() && !/DeprecationWarning|trace-deprecation/.test(l)).join('\n') };
  };
  /** The killed child can refresh its heartbeat no more: age it past STALE_MS (instead of waiting) and sweep. */
  const sweepAsStale = async (runId: string) => {
    await t.db.query(`UPDATE scoring_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1 AND state = 'RUNNING'`, [runId]);
    await jobs.sweep();
  };
  const runSnapshots = async (runId: string) => (await t.db.query(
    `SELECT account_id, count(*)::int AS n FROM health_snapshots WHERE run_id = $1 GROUP BY 1`, [runId])) as { account_id: string; n: number }[];

  it('recomputeHealth scores every account at one asOf and reports progress until SUCCEEDED', async () => {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, 7);
    await addLogins(t.db, ws.id, m.accountIds, (i) => i); // account i has i logins → score 10·i

    const started = (await t.ok(`mutation { recomputeHealth { ${RUN_FIELDS} } }`, {}, ws.keys.OPS)).recomputeHealth;
    expect(started).toMatchObject({ kind: 'MANUAL', total: 7, done: 0, progress: 0, error: null });
    expect(['QUEUED', 'RUNNING', 'SUCCEEDED']).toContain(started.state);

    const run = await waitFor(ws.keys.ANALYST, started.id, 'SUCCEEDED');
    expect(run).toMatchObject({ total: 7, done: 7, progress: 1, attempts: 1, error: null });
    expect(new Date(run.finishedAt) >= new Date(run.startedAt)).toBe(true);

    const scores = await currentScores(t.db, ws.id);
    m.accountIds.forEach((id, i) => {
      expect(scores.get(id)).toEqual({ score: 10 * i, asOf: new Date(run.asOf), runId: run.id });
    });
    expect((await runSnapshots(run.id)).length).toBe(7); // one outcome → one snapshot per account

    const listed = (await t.ok(`{ scoringRuns(first: 5) { totalCount edges { node { id state } } } }`, {}, ws.keys.ANALYST)).scoringRuns;
    expect(listed.totalCount).toBe(1);
    expect(listed.edges[0].node).toEqual({ id: run.id, state: 'SUCCEEDED' });
  });

  it('only OPS and ADMIN may start, restart or cancel runs; a refused call creates nothing', async () => {
    const ws = await t.workspace();
    await createLoginModel(t.db, ws.id, 2);
    for (const role of ['CSM', 'INGEST', 'ANALYST'] as const) {
      const res = await t.gql(`mutation { recomputeHealth { id } }`, {}, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM scoring_runs WHERE workspace_id = $1`, [ws.id]))[0].n).toBe(0);
    expect((await t.ok(`{ scoringRuns { totalCount edges { node { id } } } }`, {}, ws.keys.ANALYST)).scoringRuns).toEqual({ totalCount: 0, edges: [] });
  });

  it('a scope of account ids scores only them; ids of another workspace are NOT_FOUND', async () => {
    const ws = await t.workspace();
    const other = await t.workspace('Other');
    const m = await createLoginModel(t.db, ws.id, 4);
    const o = await createLoginModel(t.db, other.id, 1);
    await addLogins(t.db, ws.id, m.accountIds, () => 3);

    const picked = [m.accountIds[1], m.accountIds[3]];
    const started = (await t.ok(`mutation($s: RecomputeScopeInput) { recomputeHealth(scope: $s) { id total scope { accountIds } } }`,
      { s: { accountIds: picked } }, ws.keys.OPS)).recomputeHealth;
    expect(started.total).toBe(2);
    const run = await waitFor(ws.keys.OPS, started.id, 'SUCCEEDED');
    expect(run.done).toBe(2);
    expect((await runSnapshots(run.id)).map((r) => r.account_id).sort()).toEqual([...picked].sort());

    for (const s of [{ accountIds: [o.accountIds[0]] }, { clusterId: o.clusterId }, { outcomeId: o.outcomeId }]) {
      const res = await t.gql(`mutation($s: RecomputeScopeInput) { recomputeHealth(scope: $s) { id } }`, { s }, ws.keys.OPS);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const foreign = await t.gql(`query($id: ID!) { scoringRun(id: $id) { id } }`, { id: run.id }, other.keys.ADMIN);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM scoring_runs WHERE workspace_id = $1`, [ws.id]))[0].n).toBe(1);
  });

  it('a worker killed mid-chunk leaves the previous snapshots intact; the stale run is resumed and completes', async () => {
    const ws = await t.workspace();
    const scope = TenantScope.system(t.db, ws.id);
    const m = await createLoginModel(t.db, ws.id, 10);
    await addLogins(t.db, ws.id, m.accountIds, (i) => i);
    const first = await createRun(scope, {}, { chunkSize: 10 });
    expect(await processRun(t.db, ws.id, first.id)).toBe('SUCCEEDED');
    const before = await currentScores(t.db, ws.id);
    m.accountIds.forEach((id, i) => expect(before.get(id)?.score).toBe(10 * i));

    // New evidence: 5 more logins each → new score min(i + 5, 10) × 10.
    await addLogins(t.db, ws.id, m.accountIds, () => 5);
    const run = await createRun(scope, {}, { chunkSize: 3 });
    const { errors, ...exit } = await runChild(ws.id, run.id, ['2', '1']);
    expect({ ...exit, errors }).toEqual({ code: null, signal: 'SIGKILL', errors: '' }); // killed inside chunk 2, before its commit

    // Right after the kill: chunk 1 (3 accounts, in id order) committed; chunk 2 was rolled back by PostgreSQL.
    const byId = [...m.accountIds].sort();
    const [mid] = await t.db.query(`SELECT state, done, cursor, attempts FROM scoring_runs WHERE id = $1`, [run.id]);
    expect(mid).toEqual({ state: 'RUNNING', done: 3, cursor: byId[2], attempts: 1 });
    const during = await currentScores(t.db, ws.id);
    for (const id of byId.slice(3)) expect(during.get(id)).toEqual(before.get(id)); // previous scores, asOf and run untouched
    for (const id of byId.slice(0, 3)) {
      const i = m.accountIds.indexOf(id);
      expect(during.get(id)).toEqual({ score: Math.min(i + 5, 10) * 10, asOf: run.asOf, runId: run.id });
    }
    expect((await runSnapshots(run.id)).map((r) => r.account_id).sort()).toEqual(byId.slice(0, 3));

    // Its heartbeat goes stale; the worker's recovery sweep claims it again and resumes after chunk 1.
    await sweepAsStale(run.id);
    const resumed = await waitFor(ws.keys.OPS, run.id, 'SUCCEEDED');
    expect(resumed).toMatchObject({ done: 10, total: 10, attempts: 2, progress: 1 });
    const after = await currentScores(t.db, ws.id);
    m.accountIds.forEach((id, i) => expect(after.get(id)).toEqual({ score: Math.min(i + 5, 10) * 10, asOf: run.asOf, runId: run.id }));
    const snaps = await runSnapshots(run.id);
    expect(snaps.length).toBe(10);
    expect(snaps.every((s) => s.n === 1)).toBe(true); // every account scored exactly once by this run
    // History keeps the first run's snapshots too.
    expect((await runSnapshots(first.id)).length).toBe(10);
  }, 240_000);

  it('parallel chunks commit out of order: a kill keeps the later chunk, the resumed run scores only what is missing', async () => {
    const ws = await t.workspace();
    const scope = TenantScope.system(t.db, ws.id);
    const m = await createLoginModel(t.db, ws.id, 10);
    await addLogins(t.db, ws.id, m.accountIds, (i) => i);
    const run = await createRun(scope, {}, { chunkSize: 3 });
    // 2 lanes: chunk 1 alone, then chunks 2 and 3 side by side; chunk 2 is killed after chunk 3 committed.
    const { errors, ...exit } = await runChild(ws.id, run.id, ['2', '2', '6']);
    expect({ ...exit, errors }).toEqual({ code: null, signal: 'SIGKILL', errors: '' });

    // chunks 1 and 3 committed, chunk 2 rolled back: the cursor stays after chunk 1, chunk 3 is kept as a range
    const byId = [...m.accountIds].sort();
    const [mid] = await t.db.query(`SELECT state, done, cursor, done_ranges, attempts FROM scoring_runs WHERE id = $1`, [run.id]);
    expect(mid).toEqual({ state: 'RUNNING', done: 6, cursor: byId[2], done_ranges: [[byId[5], byId[8]]], attempts: 1 });
    expect((await runSnapshots(run.id)).map((r) => r.account_id).sort()).toEqual([...byId.slice(0, 3), ...byId.slice(6, 9)]);
    const during = await currentScores(t.db, ws.id);
    for (const id of [...byId.slice(3, 6), byId[9]]) expect(during.get(id)).toBeUndefined(); // never scored before

    // resumed by the worker's sweep: chunk 2 and the last account, each account exactly once
    await sweepAsStale(run.id);
    const resumed = await waitFor(ws.keys.OPS, run.id, 'SUCCEEDED');
    expect(resumed).toMatchObject({ done: 10, total: 10, attempts: 2, progress: 1 });
    const snaps = await runSnapshots(run.id);
    expect(snaps.map((r) => r.account_id).sort()).toEqual(byId);
    expect(snaps.every((s) => s.n === 1)).toBe(true);
    const [fin] = await t.db.query(`SELECT cursor, done_ranges FROM scoring_runs WHERE id = $1`, [run.id]);
    expect(fin).toEqual({ cursor: byId[9], done_ranges: [] });
    const after = await currentScores(t.db, ws.id);
    m.accountIds.forEach((id, i) => expect(after.get(id)).toEqual({ score: Math.min(i, 10) * 10, asOf: run.asOf, runId: run.id }));
  }, 240_000);

  it('parallel lanes: the first chunk alone, then chunks of at most an equal share of the rest, each account once', async () => {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, 7);
    const run = await createRun(TenantScope.system(t.db, ws.id), {}, { chunkSize: 3 });
    const sizes: number[] = [];
    const afterChunkScored = ({ accountIds }: { accountIds: string[] }) => { sizes.push(accountIds.length); };
    expect(await processRun(t.db, ws.id, run.id, { concurrency: 2, afterChunkScored })).toBe('SUCCEEDED');
    expect(sizes[0]).toBe(3);
    expect(sizes.slice(1).sort()).toEqual([2, 2]); // 4 left over 2 lanes: 2 + 2, not 3 + 1
    const snaps = await runSnapshots(run.id);
    expect(snaps.map((r) => r.account_id).sort()).toEqual([...m.accountIds].sort());
    expect(snaps.every((r) => r.n === 1)).toBe(true);
  });

  it('progress of out-of-order chunks: the cursor advances over contiguous committed ranges only', () => {
    const [a, b, c, d, e] = ['1', '2', '3', '4', '5'].map((x) => `0000000${x}-0000-4000-8000-000000000000`);
    expect(advance(null, [], [null, a])).toEqual({ cursor: a, ranges: [] });
    expect(advance(a, [], [b, c])).toEqual({ cursor: a, ranges: [[b, c]] });
    expect(advance(a, [[b, c]], [a, b])).toEqual({ cursor: c, ranges: [] });
    expect(advance(a, [[d, e], [b, c]], [a, b])).toEqual({ cursor: c, ranges: [[d, e]] });
    // a resumed chunk spanning a committed range (it skipped those ids)
    expect(advance(a, [[b, c]], [a, d])).toEqual({ cursor: d, ranges: [] });
    expect(advance(null, [[b, c]], [null, a])).toEqual({ cursor: a, ranges: [[b, c]] });
  });

  it('a failing chunk marks the run FAILED (earlier chunks kept); restartScoringRun resumes it', async () => {
    const ws = await t.workspace();
    const scope = TenantScope.system(t.db, ws.id);
    const m = await createLoginModel(t.db, ws.id, 8);
    await addLogins(t.db, ws.id, m.accountIds, () => 2);
    const run = await createRun(scope, {}, { chunkSize: 3 });
    const afterChunkScored = ({ chunk }: { chunk: number }) => { if (chunk === 2) throw new Error('simulated failure in chunk 2'); };
    expect(await processRun(t.db, ws.id, run.id, { concurrency: 1, staleAfterMs: STALE_MS, afterChunkScored })).toBe('FAILED');

    const failed = await runOf(ws.keys.OPS, run.id);
    // the cause is in the log; the run shows no internals, only how to go on
    expect(failed).toMatchObject({ state: 'FAILED', done: 3, total: 8, error: `An internal error stopped this run; the details are in the server log under run ${run.id}. restartScoringRun resumes it.` });
    expect(failed.finishedAt).not.toBeNull();
    expect((await runSnapshots(run.id)).length).toBe(3);

    const forbidden = await t.gql(`mutation($id: ID!) { restartScoringRun(id: $id) { id } }`, { id: run.id }, ws.keys.CSM);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const restarted = (await t.ok(`mutation($id: ID!) { restartScoringRun(id: $id) { state error finishedAt done } }`, { id: run.id }, ws.keys.OPS)).restartScoringRun;
    expect(restarted).toMatchObject({ error: null, finishedAt: null, done: 3 });
    const done = await waitFor(ws.keys.OPS, run.id, 'SUCCEEDED');
    expect(done).toMatchObject({ done: 8, attempts: 2 });
    expect((await runSnapshots(run.id)).length).toBe(8);
    const scores = await currentScores(t.db, ws.id);
    for (const id of m.accountIds) expect(scores.get(id)?.score).toBe(20);

    const again = await t.gql(`mutation($id: ID!) { restartScoringRun(id: $id) { id } }`, { id: run.id }, ws.keys.OPS);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('restartScoringRun refuses a RUNNING run with a live heartbeat', async () => {
    const ws = await t.workspace();
    await createLoginModel(t.db, ws.id, 1);
    const run = await createRun(TenantScope.system(t.db, ws.id), {});
    await t.db.query(`UPDATE scoring_runs SET state = 'RUNNING', started_at = now(), heartbeat_at = now() WHERE id = $1`, [run.id]);
    const res = await t.gql(`mutation($id: ID!) { restartScoringRun(id: $id) { id } }`, { id: run.id }, ws.keys.OPS);
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
    await t.db.query(`UPDATE scoring_runs SET state = 'CANCELLED' WHERE id = $1`, [run.id]); // leave nothing for the sweep
  });

  it('cancelling a running run rolls back the chunk in flight and keeps the completed ones', async () => {
    const ws = await t.workspace();
    const scope = TenantScope.system(t.db, ws.id);
    const m = await createLoginModel(t.db, ws.id, 7);
    const run = await createRun(scope, {}, { chunkSize: 3 });
    // Only this run's second chunk.
    const afterChunkScored = async ({ chunk }: { chunk: number }) => { if (chunk === 2) await cancelRun(scope, run.id); };
    expect(await processRun(t.db, ws.id, run.id, { concurrency: 1, staleAfterMs: STALE_MS, afterChunkScored })).toBe('STOPPED');
    const r = await runOf(ws.keys.OPS, run.id);
    expect(r).toMatchObject({ state: 'CANCELLED', done: 3 });
    expect((await runSnapshots(run.id)).length).toBe(3);
    expect((await currentScores(t.db, ws.id)).size).toBe(3);
    expect(m.accountIds.length).toBe(7);
    const res = await t.gql(`mutation($id: ID!) { cancelScoringRun(id: $id) { id } }`, { id: run.id }, ws.keys.OPS);
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('includes an account created in the same millisecond just before the run (timestamps come back in ms)', async () => {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, 2);
    await t.db.query(`UPDATE accounts SET created_at = '2026-01-01T00:00:00.123400Z' WHERE workspace_id = $1`, [ws.id]);
    const run = await createRun(TenantScope.system(t.db, ws.id), {});
    await t.db.query(`UPDATE scoring_runs SET created_at = '2026-01-01T00:00:00.123900Z' WHERE id = $1`, [run.id]);
    expect(await processRun(t.db, ws.id, run.id)).toBe('SUCCEEDED');
    expect((await runSnapshots(run.id)).map((r) => r.account_id).sort()).toEqual([...m.accountIds].sort());
  });

  it('two workers claiming the same run: exactly one processes it', async () => {
    const ws = await t.workspace();
    await createLoginModel(t.db, ws.id, 5);
    const run = await createRun(TenantScope.system(t.db, ws.id), {}, { chunkSize: 2 });
    const outcomes = await Promise.all([processRun(t.db, ws.id, run.id), processRun(t.db, ws.id, run.id)]);
    expect(outcomes.sort()).toEqual(['SKIPPED', 'SUCCEEDED']);
    expect((await runSnapshots(run.id)).length).toBe(5);
  });
});
