/**
 * The job queue: incremental rescore after ingestion (latency, coalescing, transactions, recovery
 * sweep) and the daily full rescore. Model: account score = min(logins in 30 days, 10) × 10.
 */
import { Client } from 'pg';
import { JOBS, JOBS_CHANNEL } from '../src/jobs/queue';
import { requestRescore } from '../src/jobs/rescore-requests';
import { createRun, processRun, startDailyRuns } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer } from './support/harness';
import { addLogins, createLoginModel, currentScores, startTestJobs, testDatabaseUrl, until } from './support/scoring-model';

const INGEST = `mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted duplicates rejected { index reason } } }`;

describe('job queue: incremental and daily rescoring', () => {
  const t = useTestServer();
  let jobs: Awaited<ReturnType<typeof startTestJobs>>;

  beforeAll(async () => {
    jobs = await startTestJobs(t.db, t.dbName, { sweepIntervalMs: 250 });
  });
  t.cleanup(async () => { await jobs?.stop(); });

  const jobCount = async (workspaceId: string): Promise<number> => (await t.db.query(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'workspaceId' = $2`, [JOBS.RESCORE_ACCOUNTS, workspaceId]))[0].n;

  async function scoredWorkspace(accounts: number) {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, accounts);
    const run = await createRun(TenantScope.system(t.db, ws.id), {});
    expect(await processRun(t.db, ws.id, run.id)).toBe('SUCCEEDED');
    return { ws, m };
  }

  it('a signal ingested through GraphQL reaches its account\'s snapshot through the job queue, nobody asking', async () => {
    const { ws, m } = await scoredWorkspace(3);
    expect((await currentScores(t.db, ws.id)).get(m.accountIds[1])?.score).toBe(0);

    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const res = await t.ok(INGEST, { s: [1, 2, 3, 4].map((k) => ({ accountExternalId: m.externalIds[1], type: 'login', occurredAt, idempotencyKey: `l-${k}` })) }, ws.keys.INGEST);
    expect(res.ingestSignals).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    // 4 logins → LINEAR 0→10 gives 40. (How fast is measured by `npm run bench:scoring`, not asserted here.)
    await until(async () => (await currentScores(t.db, ws.id)).get(m.accountIds[1])?.score === 40, 60_000, 10);
    // Only the touched account was rescored.
    const scores = await currentScores(t.db, ws.id);
    expect(scores.get(m.accountIds[0])?.runId).not.toBeNull();
    expect(scores.get(m.accountIds[1])?.runId).toBeNull();
    expect(scores.get(m.accountIds[2])?.runId).not.toBeNull();
    expect(await t.db.query(`SELECT 1 FROM rescore_requests WHERE workspace_id = $1`, [ws.id])).toEqual([]);
  });

  it('a burst of 40 ingestion batches is coalesced into few rescore jobs and every account is rescored', async () => {
    const { ws, m } = await scoredWorkspace(40);
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    await Promise.all(m.externalIds.map((ext, i) => t.ok(INGEST, {
      s: Array.from({ length: (i % 10) + 1 }, (_, k) => ({ accountExternalId: ext, type: 'login', occurredAt, idempotencyKey: `${ext}-${k}` })),
    }, ws.keys.INGEST)));
    // account i got (i mod 10) + 1 logins → score ((i mod 10) + 1) × 10
    await until(async () => {
      const s = await currentScores(t.db, ws.id);
      return m.accountIds.every((id, i) => s.get(id)?.score === ((i % 10) + 1) * 10);
    }, 60_000);
    const jobsCreated = await jobCount(ws.id);
    expect(jobsCreated).toBeGreaterThanOrEqual(1);
    expect(jobsCreated).toBeLessThan(20); // one queued job per workspace at a time: far fewer jobs than batches
  });

  it('a rescore request made in a transaction that rolls back leaves neither a request nor a job', async () => {
    const { ws, m } = await scoredWorkspace(1);
    const before = await jobCount(ws.id);
    await expect(TenantScope.system(t.db, ws.id).transaction(async (tx) => {
      await requestRescore(tx, [m.accountIds[0]]);
      throw new Error('rollback');
    })).rejects.toThrow('rollback');
    expect(await t.db.query(`SELECT 1 FROM rescore_requests WHERE workspace_id = $1`, [ws.id])).toEqual([]);
    expect(await jobCount(ws.id)).toBe(before);

    // The same request committed is processed.
    await addLogins(t.db, ws.id, m.accountIds, () => 2);
    await TenantScope.system(t.db, ws.id).transaction(async (tx) => { await requestRescore(tx, [m.accountIds[0]]); });
    await until(async () => (await currentScores(t.db, ws.id)).get(m.accountIds[0])?.score === 20, 60_000);
  });

  it('a job enqueued in a transaction is announced to the listening workers (NOTIFY) when it commits, never on rollback', async () => {
    const { ws, m } = await scoredWorkspace(1);
    const listener = new Client({ connectionString: testDatabaseUrl(t.dbName) });
    const heard: string[] = [];
    listener.on('notification', (msg) => { if (msg.channel === JOBS_CHANNEL) heard.push(msg.payload ?? ''); });
    await listener.connect();
    try {
      await listener.query(`LISTEN ${JOBS_CHANNEL}`);
      await expect(TenantScope.system(t.db, ws.id).transaction(async (tx) => {
        await requestRescore(tx, [m.accountIds[0]]);
        await listener.query('SELECT 1'); // a notification sent before commit would be delivered by now
        expect(heard).toEqual([]);
        throw new Error('rollback');
      })).rejects.toThrow('rollback');
      await listener.query('SELECT 1');
      expect(heard).toEqual([]);
      await TenantScope.system(t.db, ws.id).transaction(async (tx) => { await requestRescore(tx, [m.accountIds[0]]); });
      await until(async () => heard.length > 0, 60_000);
      expect(heard).toEqual([JOBS.RESCORE_ACCOUNTS]);
    } finally {
      await listener.end();
    }
  });

  it('requests left without a job (e.g. by a process without a queue) are picked up by the recovery sweep', async () => {
    const { ws, m } = await scoredWorkspace(2);
    await addLogins(t.db, ws.id, m.accountIds, () => 7);
    await t.db.query(`INSERT INTO rescore_requests (workspace_id, account_ids, requested_at) VALUES ($1, $2::uuid[], now() - interval '5 seconds')`,
      [ws.id, m.accountIds]);
    await until(async () => {
      const s = await currentScores(t.db, ws.id);
      return m.accountIds.every((id) => s.get(id)?.score === 70);
    }, 60_000);
    expect(await t.db.query(`SELECT 1 FROM rescore_requests WHERE workspace_id = $1`, [ws.id])).toEqual([]);
  });

  it('the daily job lets go of the PERCENTILE peer distributions of runs that failed or were cancelled over a week ago', async () => {
    const ws = await t.workspace();
    const runs: Array<{ id: string }> = await t.db.query(
      `INSERT INTO scoring_runs (workspace_id, state, as_of, finished_at)
       VALUES ($1, 'FAILED', now(), now() - interval '8 days'), ($1, 'CANCELLED', now(), now() - interval '1 day'),
              ($1, 'SUCCEEDED', now(), now() - interval '8 days') RETURNING id`, [ws.id]);
    for (const r of runs) {
      await t.db.query(`INSERT INTO scoring_peer_distributions (workspace_id, run_id, model_hash, component_id, vals, lowers, equals, total)
        VALUES ($1, $2, 'h', gen_random_uuid(), '{1}', '{0}', '{1}', 1)`, [ws.id, r.id]);
    }
    await startDailyRuns(t.db);
    const left: Array<{ run_id: string }> = await t.db.query(`SELECT run_id FROM scoring_peer_distributions WHERE workspace_id = $1 ORDER BY run_id`, [ws.id]);
    // The old FAILED run's is gone; a recent CANCELLED run may still be restarted; a SUCCEEDED run deletes its own when it ends.
    expect(left.map((r) => r.run_id).sort()).toEqual([runs[1].id, runs[2].id].sort());
  });

  it('the daily full rescore is scheduled at 02:00 UTC and creates one DAILY run per workspace', async () => {
    const schedules = await jobs.queue.getSchedules();
    expect(schedules.find((s) => s.name === JOBS.DAILY_RESCORE)).toMatchObject({ cron: '0 2 * * *', options: { tz: 'UTC' } });

    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, 3);
    await addLogins(t.db, ws.id, m.accountIds, (i) => i + 1);
    const runs = await startDailyRuns(t.db);
    const mine = runs.filter((r) => r.workspaceId === ws.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'DAILY', total: 3 });
    expect((await startDailyRuns(t.db)).filter((r) => r.workspaceId === ws.id)).toHaveLength(0); // once a day
    const done = await until(async () => {
      const [r] = await t.db.query(`SELECT state, done FROM scoring_runs WHERE id = $1`, [mine[0].id]);
      return r.state === 'SUCCEEDED' ? r : undefined;
    }, 60_000);
    expect(done.done).toBe(3);
    const scores = await currentScores(t.db, ws.id);
    m.accountIds.forEach((id, i) => expect(scores.get(id)).toMatchObject({ score: (i + 1) * 10, runId: mine[0].id }));
  });
});
