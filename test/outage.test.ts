/**
 * The server outlives its database. `npm start`'s own entry point (src/main.ts) runs as a child process on a
 * PostgreSQL this test started itself; under ingestion load the test restarts that PostgreSQL (fast shutdown, as
 * `pg_ctl restart -m fast`) and then terminates every backend of the server (as an administrator's kill would), and
 * asserts: the server process never exits; /ready says 503 while the database is away and 200 after; every failed
 * answer is SERVICE_UNAVAILABLE with HTTP 503 (never INTERNAL_SERVER_ERROR); every acknowledged signal is stored
 * exactly once; rescoring resumes and catches up; a subscriber connected before the restart receives events after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import type { DataSource } from 'typeorm';
import { freePort } from '../src/shared/db/embedded';
import { createDataSource } from '../src/shared/db/data-source';
import { createRun, processRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { createWorkspace } from '../src/workspaces/workspace.service';
import { OwnPostgres } from './support/own-postgres';
import { createLoginModel, currentScores, until, type ScoringModel } from './support/scoring-model';

jest.setTimeout(180_000);

const INGEST = `mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted duplicates rejected { index reason } } }`;
const LOAD_ACCOUNTS = 30;
const BATCH = 10;

describe('outliving the database', () => {
  let pg: OwnPostgres;
  let server: ChildProcess;
  let serverExit: { code: number | null; signal: string | null } | undefined;
  let serverLog = '';
  let base: string;
  let db: DataSource;
  let key: string;
  let model: ScoringModel;
  const ws: WsClient[] = [];

  beforeAll(async () => {
    pg = await OwnPostgres.create();
    await pg.createDatabase('oh_outage');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: pg.url('oh_outage'), PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'test', DB_POOL_SIZE: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => { serverLog += d; });
    server.stderr!.on('data', (d) => { serverLog += d; });
    server.on('exit', (code, signal) => { serverExit = { code, signal }; });
    await until(async () => serverExit ? Promise.reject(new Error(`server exited: ${serverLog}`)) : (await ready()) === 200, 60_000, 100);

    db = createDataSource(pg.url('oh_outage'), 2);
    await db.initialize();
    const created = await createWorkspace(db, 'Outage');
    key = created.adminKey;
    model = await createLoginModel(db, created.workspace.id, LOAD_ACCOUNTS + 5);
    const run = await createRun(TenantScope.system(db, created.workspace.id), {});
    expect(await processRun(db, created.workspace.id, run.id)).toBe('SUCCEEDED');
  });

  afterAll(async () => {
    for (const c of ws) await c.dispose();
    if (server && !serverExit) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await db?.destroy().catch(() => undefined);
    await pg?.destroy();
  });

  async function ready(): Promise<number> {
    try { return (await fetch(`${base}/ready`)).status; } catch { return 0; }
  }

  /** Ingestion clients that retry a batch until it is acknowledged (same idempotency keys), recording every answer. */
  function ingestionLoad(clients: number) {
    const acked = new Set<string>();
    const statuses = new Map<string, number>();
    let stop = false;
    let batches = 0;
    const note = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
    const client = async (c: number) => {
      for (let b = 0; !stop; b++) {
        const signals = Array.from({ length: BATCH }, (_, i) => ({
          accountExternalId: model.externalIds[(c * 7 + b * 3 + i) % LOAD_ACCOUNTS], type: 'login',
          occurredAt: new Date(Date.now() - 60_000).toISOString(), idempotencyKey: `c${c}-b${b}-${i}`,
        }));
        for (;;) {
          let res: Response | undefined;
          try {
            res = await fetch(`${base}/graphql`, {
              method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
              body: JSON.stringify({ query: INGEST, variables: { s: signals } }),
            });
            const body = await res.json() as { data?: { ingestSignals: { accepted: number; duplicates: number } }; errors?: Array<{ extensions?: { code?: string } }> };
            if (!body.errors && body.data) {
              note('200 ok');
              expect(body.data.ingestSignals.accepted + body.data.ingestSignals.duplicates).toBe(BATCH);
              for (const s of signals) acked.add(s.idempotencyKey);
              batches++;
              break;
            }
            note(`${res.status} ${body.errors?.map((e) => e.extensions?.code).join(',')}`);
          } catch (err) {
            note(`no answer: ${(err as Error).message}`);
          }
          await new Promise((r) => setTimeout(r, 20)); // a client's retry pause, not a wait for the server
        }
      }
    };
    const running = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    return {
      acked, statuses,
      batches: () => batches,
      async stop() { stop = true; await running; },
    };
  }

  function subscribe(): { events: Array<{ accountId: string }> } {
    const received = { events: [] as Array<{ accountId: string }> };
    const client = createClient({
      url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0, lazy: false, onNonLazyError: () => undefined,
    });
    ws.push(client);
    client.subscribe({ query: 'subscription { healthChanged { kind accountId } }' }, {
      next: (msg) => { if (msg.data) received.events.push((msg.data as { healthChanged: { accountId: string } }).healthChanged); },
      error: () => undefined, complete: () => undefined,
    });
    return received;
  }

  it('keeps serving through a restart of PostgreSQL and a kill of its backends, losing and repeating nothing', async () => {
    const subscriber = subscribe();
    const load = ingestionLoad(4);
    await until(async () => load.batches() >= 10, 30_000, 20);

    // 1. PostgreSQL restarts (fast shutdown): /ready 503 while it is away, clients get SERVICE_UNAVAILABLE.
    await pg.stop();
    expect(await ready()).toBe(503);
    const away = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(away.status).toBe(503);
    expect(away.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await away.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    await pg.start();
    await until(async () => (await ready()) === 200, 30_000, 50);
    const afterRestart = load.batches();
    await until(async () => load.batches() >= afterRestart + 10, 30_000, 20);

    // 2. Every backend of the server terminated at once (pg_terminate_backend, as an administrator's kill would).
    const admin = new Client({ connectionString: pg.url('oh_outage') });
    await admin.connect();
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = 'oh_outage' AND pid <> pg_backend_pid() AND application_name LIKE 'outcome-health%'`);
    expect(killed.rowCount).toBeGreaterThan(0);
    await admin.end();
    await until(async () => (await ready()) === 200, 30_000, 50);
    const afterKill = load.batches();
    await until(async () => load.batches() >= afterKill + 10, 30_000, 20);
    await load.stop();
    if (process.env.OUTAGE_FIGURES) console.log(JSON.stringify({ acked: load.acked.size, batches: load.batches(), answers: Object.fromEntries(load.statuses) }));

    expect(serverExit).toBeUndefined();
    // Every answer was a success or a retryable SERVICE_UNAVAILABLE (503); never an internal error.
    const unexpected = [...load.statuses.keys()].filter((s) => s !== '200 ok' && s !== '503 SERVICE_UNAVAILABLE');
    if (unexpected.length) console.log(serverLog.split("\n").filter((l) => /unexpected/.test(l)).slice(0, 3).join("\n"));
    expect(unexpected).toEqual([]);
    expect(serverLog).not.toMatch(/INTERNAL_SERVER_ERROR|unexpected error/);

    // Zero acknowledged signals lost or duplicated.
    const [{ n, keys }] = await db.query(`SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM signals WHERE workspace_id = $1`, [model && (await workspaceId())]);
    expect({ n, keys }).toEqual({ n: load.acked.size, keys: load.acked.size });

    // Rescoring resumed: every loaded account's score catches up with its stored logins (min(logins, 10) × 10).
    const wsId = await workspaceId();
    await until(async () => {
      const logins: Array<{ account_id: string; n: number }> = await db.query(
        `SELECT account_id, count(*)::int AS n FROM signals WHERE workspace_id = $1 GROUP BY account_id`, [wsId]);
      const scores = await currentScores(db, wsId);
      return logins.every((l) => scores.get(l.account_id)?.score === Math.min(l.n, 10) * 10);
    }, 60_000, 200);

    // The subscriber connected before the restart hears an account that changes band after it.
    const fresh = model.accountIds[LOAD_ACCOUNTS + 1];
    const res = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: INGEST, variables: { s: Array.from({ length: 10 }, (_, i) => ({
        accountExternalId: model.externalIds[LOAD_ACCOUNTS + 1], type: 'login', occurredAt: new Date(Date.now() - 60_000).toISOString(), idempotencyKey: `fresh-${i}` })) } }),
    });
    expect(res.status).toBe(200);
    await until(async () => subscriber.events.some((e) => e.accountId === fresh), 30_000, 50);
    expect(serverExit).toBeUndefined();
  });

  async function workspaceId(): Promise<string> {
    const [{ workspace_id }] = await db.query(`SELECT workspace_id FROM accounts WHERE id = $1`, [model.accountIds[0]]);
    return workspace_id;
  }
});
