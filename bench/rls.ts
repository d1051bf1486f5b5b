/**
 * `DATABASE_URL=<server> npm run bench:rls -- --db <database seeded by bench:scoring>`: what row-level security costs,
 * on the two paths issue 16 names — the dashboard (bench:api's DASHBOARD_QUERY, 50 accounts of the largest cluster)
 * and a full rescore of the largest workspace (createRun + processRun, as the worker runs it) — each measured with
 * RLS on and off, taking turns (on, off, off, on, …) so that a machine's drift hits both alike.
 *
 * "Off" is TENANT_RLS=off: tenant work runs as the URL's user (a superuser, or the tables' owner) instead of the
 * application role, so PostgreSQL skips the policies; everything else (the per-connection and per-transaction
 * workspace settings included) is the same. Measured is CPU time, not wall time (a shared machine's wall times say
 * little): the Node process doing the work plus the PostgreSQL backends of the database (/proc/<pid>/stat, so the
 * server must run on this machine), per request or per rescore; wall time and the load average are printed beside.
 * Backends counted by pid miss PostgreSQL's parallel workers (they end with their statement), so a rescore is also
 * measured as the whole machine's busy CPU (/proc/stat), which counts them: read that one on a quiet machine.
 *
 * The database is used as it is: the rescore writes scores (as bench:scoring's does), a server is started per mode and
 * round (WORKER=false) on ports from --port (default 4610), and an ANALYST key is added to the workspace.
 * Options: --rounds N (3; --scoring-rounds N for the rescores alone), --accounts N (instead of the full rescore, one
 * engine call over N accounts and their cluster's peers: for a machine too loaded for full rescores), --seconds S of load per dashboard measure (10), --connections C (10), --only api|scoring,
 * --warm-up N unmeasured rescores before the measured ones (1).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { newApiKey } from '../src/shared/auth';
import { createDataSource } from '../src/shared/db/data-source';
import { logger } from '../src/shared/logger';
import { ScoringRunKind } from '../src/scoring/runs.entity';
import { scoreAccounts } from '../src/scoring/engine';
import { createRun, processRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { serverNodeArgs } from './bench-db';
import { DASHBOARD_QUERY } from './queries';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{ requests: { total: number; average: number }; errors: number; timeouts: number; non2xx: number }>;

logger.level = process.env.LOG_LEVEL ?? 'warn';
const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const DB = arg('db');
const ROUNDS = Number(arg('rounds') ?? 3);
const SCORING_ROUNDS = Number(arg('scoring-rounds') ?? ROUNDS);
const WARM_UPS = Number(arg('warm-up') ?? 1);
const SECONDS = Number(arg('seconds') ?? 10);
const CONNECTIONS = Number(arg('connections') ?? 10);
const PORT = Number(arg('port') ?? 4610);
const ONLY = arg('only');
/** Instead of the full rescore: one engine call (scoreAccounts, persisted) over the first N accounts and their cluster's peers. */
const ACCOUNTS = arg('accounts') ? Number(arg('accounts')) : undefined;
const TICK_MS = 1000 / 100; // CLK_TCK

const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

/** CPU ms (user + system) of a process, 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU ms of this database's backends (but the monitor's own), by pid. */
async function backendCpu(monitor: Client): Promise<Map<number, number>> {
  const { rows } = await monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  return new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]));
}

/** What the backends used between two snapshots (a backend born in between counts from 0). */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Busy CPU ms of the whole machine (/proc/stat): unlike the backends counted by pid, it includes PostgreSQL's
 * parallel workers, which live only as long as one statement. Meaningful on an otherwise quiet machine.
 */
function machineCpuMs(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal ?? 0)) * TICK_MS;
}

interface Sample { mode: 'on' | 'off'; cpuMs: number; wallMs: number; units: number; machineMs?: number }

function summary(label: string, unit: string, samples: Sample[]): string {
  const by = (mode: 'on' | 'off') => samples.filter((s) => s.mode === mode);
  const perUnit = (s: Sample[]) => s.reduce((a, x) => a + x.cpuMs, 0) / s.reduce((a, x) => a + x.units, 0);
  const on = perUnit(by('on'));
  const off = perUnit(by('off'));
  const rounds = samples.map((s) => `${s.mode} ${(s.cpuMs / s.units).toFixed(unit === 'request' ? 3 : 0)}`).join(', ');
  const ratio = (a: number, b: number) => `on/off ${(a / b).toFixed(3)} (${((a / b - 1) * 100).toFixed(1)} %)`;
  const sum = (s: Sample[], f: (x: Sample) => number) => s.reduce((a, x) => a + f(x), 0);
  const machine = samples.every((s) => s.machineMs !== undefined)
    ? `; machine CPU (parallel workers included) ${ratio(sum(by('on'), (x) => x.machineMs!) / by('on').length, sum(by('off'), (x) => x.machineMs!) / by('off').length)}`
      + `, each: ${samples.map((s) => `${s.mode} ${(s.machineMs! / 1000).toFixed(1)} s`).join(', ')}`
      + `; wall ${ratio(sum(by('on'), (x) => x.wallMs) / by('on').length, sum(by('off'), (x) => x.wallMs) / by('off').length)}`
    : '';
  return `${label}: CPU ms per ${unit} — RLS on ${on.toFixed(unit === 'request' ? 3 : 0)}, off ${off.toFixed(unit === 'request' ? 3 : 0)}, `
    + `${ratio(on, off)}; each measure: ${rounds}${machine}`;
}

const order = (round: number): Array<'on' | 'off'> => (round % 2 === 0 ? ['on', 'off'] : ['off', 'on']);

async function benchScoring(url: string, monitor: Client, workspaceId: string): Promise<Sample[]> {
  // Unmeasured rescores first: the first rescore after seeding reads a cold cache and sets hint bits, and was 1.37×
  // the later ones (a 100k seed: 178.9 s against 130 s), which would weigh on whichever mode goes first.
  for (let i = 0; i < WARM_UPS; i++) await rescore(url, monitor, workspaceId, 'on', `warm-up ${i + 1} of ${WARM_UPS} (not measured)`);
  const samples: Sample[] = [];
  for (let round = 0; round < SCORING_ROUNDS; round++) {
    for (const mode of order(round)) samples.push(await rescore(url, monitor, workspaceId, mode));
  }
  return samples;
}

/** One rescore in `mode`, with the CPU it took. */
async function rescore(url: string, monitor: Client, workspaceId: string, mode: 'on' | 'off', label = ACCOUNTS ? `engine call over ${ACCOUNTS} accounts` : 'full rescore'): Promise<Sample> {
  const db = createDataSource(url, 4, { rls: mode === 'on' });
  await db.initialize();
  const scope = TenantScope.system(db, workspaceId);
  const ids = ACCOUNTS ? (await monitor.query(`SELECT id FROM accounts WHERE workspace_id = $1 ORDER BY id LIMIT $2`, [workspaceId, ACCOUNTS])).rows.map((r) => r.id as string) : [];
  const run = ACCOUNTS ? undefined : await createRun(scope, {}, { kind: ScoringRunKind.CLI });
  const b0 = await backendCpu(monitor);
  const c0 = process.cpuUsage();
  const m0 = machineCpuMs();
  const t0 = Date.now();
  const outcome = run ? await processRun(db, workspaceId, run.id) : (await scoreAccounts(scope, { asOf: new Date(), accountIds: ids, persist: true }), 'SUCCEEDED');
  const wallMs = Date.now() - t0;
  const machineMs = machineCpuMs() - m0;
  const c1 = process.cpuUsage(c0);
  const b1 = await backendCpu(monitor);
  await db.destroy();
  if (outcome !== 'SUCCEEDED') throw new Error(`run ${run?.id}: ${outcome}`);
  const cpu = (c1.user + c1.system) / 1000 + backendDelta(b0, b1);
  log(`${label}, RLS ${mode}: ${(cpu / 1000).toFixed(1)} s CPU (node ${((c1.user + c1.system) / 1e6).toFixed(1)} s), machine ${(machineMs / 1000).toFixed(1)} s, ${(wallMs / 1000).toFixed(1)} s wall, load ${os.loadavg()[0].toFixed(2)}`);
  return { mode, cpuMs: cpu, wallMs, units: 1, machineMs };
}

async function startServer(url: string, mode: 'on' | 'off', port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, serverNodeArgs(), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', WORKER: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'development', DB_POOL_SIZE: '20', TENANT_RLS: mode },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; if (/GraphQL API: http/.test(out)) resolve(); });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out.slice(-2000)}`)));
  });
  child.stdout!.resume();
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); });
}

async function benchDashboard(url: string, monitor: Client, workspaceId: string): Promise<Sample[]> {
  const { key, prefix, hash } = newApiKey();
  await monitor.query(`INSERT INTO api_keys (workspace_id, name, role, prefix, key_hash) VALUES ($1, 'bench:rls', 'ANALYST', $2, $3)`, [workspaceId, prefix, hash]);
  const [{ id: clusterId }] = (await monitor.query(
    `SELECT cluster_id AS id FROM accounts WHERE workspace_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`, [workspaceId])).rows;
  const body = JSON.stringify({ query: DASHBOARD_QUERY, variables: { clusterId, first: 50 } });
  const samples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of order(round)) {
      const child = await startServer(url, mode, PORT + (mode === 'on' ? 0 : 1));
      try {
        const target = { url: `http://127.0.0.1:${PORT + (mode === 'on' ? 0 : 1)}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body, connections: CONNECTIONS, timeout: 60 };
        const check = await (await fetch(target.url, { method: 'POST', headers: target.headers, body })).json() as { data?: { accounts?: { edges: unknown[] } }; errors?: unknown };
        if (!check.data?.accounts?.edges.length) throw new Error(`dashboard: ${JSON.stringify(check).slice(0, 500)}`);
        await autocannon({ ...target, duration: 3 }); // warm-up: pools, prepared statements, JIT
        const b0 = await backendCpu(monitor);
        const s0 = cpuMs(child.pid!);
        const t0 = Date.now();
        const r = await autocannon({ ...target, duration: SECONDS });
        const wallMs = Date.now() - t0;
        const cpu = cpuMs(child.pid!) - s0 + backendDelta(b0, await backendCpu(monitor));
        const failed = r.errors + r.timeouts + r.non2xx;
        if (failed) throw new Error(`dashboard: ${failed} failed requests`);
        samples.push({ mode, cpuMs: cpu, wallMs, units: r.requests.total });
        log(`dashboard, RLS ${mode}: ${r.requests.total} requests, ${(cpu / r.requests.total).toFixed(3)} ms CPU each (server + backends), ${r.requests.average} req/s, load ${os.loadavg()[0].toFixed(2)}`);
      } finally {
        await stopServer(child);
      }
    }
  }
  return samples;
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL || !DB) throw new Error('Usage: DATABASE_URL=<server> npm run bench:rls -- --db <database seeded by bench:scoring> [--rounds 3] [--seconds 10] [--only api|scoring]');
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${DB}`;
  const url = u.toString();
  const monitor = new Client({ connectionString: url });
  await monitor.connect();
  try {
    const [ws] = (await monitor.query(`SELECT workspace_id AS id, count(*)::int AS n FROM accounts GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).rows;
    log(`bench:rls on ${DB}: workspace ${ws.id} (${ws.n} accounts), ${ROUNDS} rounds, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const lines: string[] = [];
    // the rescore first: it leaves the current scores the dashboard reads (a database from --seed-only has none)
    if (ONLY !== 'api') lines.push(summary(ACCOUNTS ? `engine call (scoreAccounts, persisted) over ${ACCOUNTS} accounts and their cluster's peers` : `full rescore (${ws.n} accounts)`, 'rescore', await benchScoring(url, monitor, ws.id)));
    if (ONLY !== 'scoring') lines.push(summary(`dashboard (${CONNECTIONS} connections, ${SECONDS} s per measure)`, 'request', await benchDashboard(url, monitor, ws.id)));
    process.stdout.write(`\n${lines.join('\n')}\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  } finally {
    await monitor.end();
  }
}

main().then(() => process.exit(0), (err) => { process.stderr.write(`${err instanceof Error ? err.stack : err}\n`); process.exit(1); });
