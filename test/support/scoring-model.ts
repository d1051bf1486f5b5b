/**
 * A minimal scoring model written straight into the tables (so the runs/jobs tests depend only on
 * the engine): one outcome in the default cluster whose coin has one REACTIVE component,
 * COUNT(login) over 30 days, LINEAR 0 → 10. The proactive side has no component, so it is missing
 * and the outcome score (= account score) is the reactive score: min(logins, 10) × 10.
 */
import type { DataSource } from 'typeorm';
import { JobQueue } from '../../src/jobs/queue';
import { startWorker } from '../../src/jobs/worker';
import { PgListener } from '../../src/shared/db/listener';
import { jobHandlers, type JobHandlerOptions } from '../../src/job-handlers';

export interface ScoringModel { outcomeId: string; clusterId: string; accountIds: string[]; externalIds: string[] }

export async function createLoginModel(db: DataSource, workspaceId: string, accounts: number): Promise<ScoringModel> {
  const [{ id: clusterId }] = await db.query(`SELECT id FROM clusters WHERE workspace_id = $1 AND is_default`, [workspaceId]);
  const [{ id: outcomeId }] = await db.query(
    `INSERT INTO outcomes (workspace_id, cluster_id, name) VALUES ($1, $2, 'Adoption') RETURNING id`, [workspaceId, clusterId]);
  await db.query(`INSERT INTO coins (workspace_id, outcome_id) VALUES ($1, $2)`, [workspaceId, outcomeId]);
  await db.query(
    `INSERT INTO components (workspace_id, outcome_id, key, name, side, metric, scoring, weight, position)
     VALUES ($1, $2, 'logins', 'Logins', 'REACTIVE', $3::jsonb, $4::jsonb, 1, 0)`,
    [workspaceId, outcomeId, JSON.stringify({ aggregation: 'COUNT', signalType: 'login', windowDays: 30 }),
      JSON.stringify({ type: 'LINEAR', floor: 0, target: 10 })]);
  const rows: { id: string; external_id: string }[] = await db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
     SELECT $1, 'acc-' || lpad(g::text, 3, '0'), 'Account ' || g, now() - interval '100 days', $2
       FROM generate_series(1, $3) g
     RETURNING id, external_id`, [workspaceId, clusterId, accounts]);
  rows.sort((a, b) => a.external_id.localeCompare(b.external_id));
  return { outcomeId, clusterId, accountIds: rows.map((r) => r.id), externalIds: rows.map((r) => r.external_id) };
}

/** Give each account `n` more logins, spread over the last few days. */
export async function addLogins(db: DataSource, workspaceId: string, accountIds: string[], n: (i: number) => number): Promise<void> {
  for (let i = 0; i < accountIds.length; i++) {
    if (n(i) <= 0) continue;
    await db.query(
      `INSERT INTO signals (workspace_id, account_id, type, occurred_at)
       SELECT $1, $2, 'login', now() - (g || ' hours')::interval FROM generate_series(1, $3) g`, [workspaceId, accountIds[i], n(i)]);
  }
}

export async function currentScores(db: DataSource, workspaceId: string): Promise<Map<string, { score: number | null; asOf: Date; runId: string | null }>> {
  const rows: { account_id: string; score: number | null; as_of: Date; run_id: string | null }[] = await db.query(
    `SELECT account_id, score, as_of, run_id FROM current_account_health WHERE workspace_id = $1`, [workspaceId]);
  return new Map(rows.map((r) => [r.account_id, { score: r.score, asOf: r.as_of, runId: r.run_id }]));
}

export function testDatabaseUrl(dbName: string): string {
  const u = new URL(process.env.TEST_ADMIN_URL!);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A job queue and worker with every feature's handlers on the test database, as main.ts wires them; stop() stops both. */
export async function startTestJobs(db: DataSource, dbName: string, opts: TestJobsOptions = {}): Promise<TestJobs> {
  return await startJobsAt(db, testDatabaseUrl(dbName), opts);
}

export interface TestJobsOptions extends JobHandlerOptions { sweepIntervalMs?: number }
export interface TestJobs { queue: JobQueue; stop(): Promise<void>; sweep(): Promise<void> }

/** startTestJobs for a database URL (a child process's second instance). */
export async function startJobsAt(db: DataSource, url: string, opts: TestJobsOptions = {}): Promise<TestJobs> {
  const listener = new PgListener({ url });
  await listener.start();
  const queue = await new JobQueue({ url, listener }).start(db);
  const worker = await startWorker({ queue, handlers: jobHandlers(db, opts), sweepIntervalMs: opts.sweepIntervalMs });
  return { queue, sweep: worker.sweep, stop: async () => { await worker.stop(); await queue.stop(); await listener.stop(); } };
}
