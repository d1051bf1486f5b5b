/**
 * `npm run bench:api [-- --accounts 100000 --seconds 15 --connections 20]`: the read path against PostGraphile 5.
 *
 * - A fresh database `oh_bench_api` on DATABASE_URL's server (else an embedded PostgreSQL under .data/bench-api),
 *   migrated, with synthetic current results for a 100k-account cluster (bench/api-seed.ts).
 * - Our server (src/main.ts, no worker, LOG_LEVEL=warn) and PostGraphile 5 (Amber preset) over views of the same
 *   data (bench database only) as child processes; only one is under load at a time (2 CPUs here), and the
 *   dashboard is measured `--rounds` times (5) per server, taking turns, medians reported.
 * - autocannon, N connections, for each: the dashboard (first 50 accounts of the cluster with overall and
 *   per-outcome score, band, journey status, next milestone and top 3 drivers) and journeyProgress over the cluster's
 *   100k accounts (PostGraphile runs the very same SQL statement as a function, so the API layers are compared).
 * Prints a table and writes the "API" section of bench/RESULTS.md (other sections are kept).
 *
 * Faster iteration: `--db oh_api_x` (or BENCH_API_DB) names the database; `--reuse` keeps it when a previous run
 * seeded it with the same number of accounts (what it needs to know is kept as the database's comment);
 * `--only ours|postgraphile` measures one side; `--no-journey` skips journeyProgress; `--no-write` leaves
 * bench/RESULTS.md alone (implied by --only and --no-journey: partial figures are never written).
 * `--port-base N` puts our server on port N and PostGraphile on N + 1 (default: free ports); `--cpu-prof DIR` starts our
 * server with V8's --cpu-prof into DIR (the profile is written when it stops); `--ours-dir DIR` runs "ours" from another
 * checkout (with its node_modules), e.g. the commit before a change, to compare the two on the same data.
 *
 * CPU per request: for every dashboard measure, the CPU seconds (user + system, from /proc) of the server's process
 * and of the PostgreSQL backends serving it (by application_name) during the measure, divided by the requests it
 * served. On a shared machine req/s follows whatever else runs; CPU per request does not (much), so it is the figure to
 * compare changes by. Only with a PostgreSQL on this machine (its backends' /proc entries readable).
 */
import 'reflect-metadata';
import { benchDatabase, freePort, serverNodeArgs } from './bench-db';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CURRENT_JOURNEY_PROGRESS_SQL } from '../src/analytics/journey-progress.service';
import { runMigrations } from '../src/shared/db/bootstrap';
import { createDataSource } from '../src/shared/db/data-source';
import { postgraphileSchemaSql, seedApiBench, type ApiBenchData } from './api-seed';
import { DASHBOARD_QUERY, JOURNEY_PROGRESS_QUERY } from './queries';
import { Client } from 'pg';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number; timeouts: number; non2xx: number; duration: number;
}

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const ACCOUNTS = Number(argValue('accounts') ?? (args.includes('--small') ? 10_000 : 100_000));
const SECONDS = Number(argValue('seconds') ?? 15);
const CONNECTIONS = Number(argValue('connections') ?? 20);
const PAGE = 50;
/** journeyProgress takes ~1 s: with 20 connections a request waits ~10 s, so measure long enough to complete some. */
const JOURNEY_SECONDS = Math.max(SECONDS, 30);
/** Dashboard measures per server, taking turns (see benchDashboards). */
const ROUNDS = Number(argValue('rounds') ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds: a whole number of at least 1');
const DB_NAME = argValue('db') ?? process.env.BENCH_API_DB ?? 'oh_bench_api';
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error(`--db: not a plain database name: ${DB_NAME}`);
const REUSE = args.includes('--reuse');
const ONLY = argValue('only');
if (ONLY !== undefined && ONLY !== 'ours' && ONLY !== 'postgraphile') throw new Error('--only: ours or postgraphile');
const JOURNEY = !args.includes('--no-journey');
const WRITE = !args.includes('--no-write') && ONLY === undefined && JOURNEY;
const PORT_BASE = argValue('port-base') === undefined ? undefined : Number(argValue('port-base'));
if (PORT_BASE !== undefined && !(Number.isInteger(PORT_BASE) && PORT_BASE > 0 && PORT_BASE < 65535)) throw new Error('--port-base: a port number');
const CPU_PROF_DIR = argValue('cpu-prof');
const OURS_DIR = path.resolve(argValue('ours-dir') ?? ROOT);
/** The backends of each server, told apart by application_name, as LIKE patterns (ours: src/shared/db/data-source.ts: the owner pool and the tenant pool). */
const OURS_APP = 'outcome-health%';
const PGL_APP = 'oh-bench-postgraphile';

const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);


interface Child { url: string; child: ChildProcess }

async function spawnServer(name: string, argv: string[], env: NodeJS.ProcessEnv, ready: RegExp, port: number, cwd = ROOT): Promise<Child> {
  const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; if (ready.test(out)) resolve(); });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was up:\n${out.slice(-3000)}`)));
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}/graphql`, child };
}

async function stop(c: Child): Promise<void> {
  await new Promise<void>((resolve) => { c.child.once('exit', () => resolve()); c.child.kill('SIGTERM'); setTimeout(() => { c.child.kill('SIGKILL'); }, 5000).unref(); });
}

async function post(url: string, body: object, key?: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (json.errors?.length) throw new Error(`GraphQL error from ${url}: ${JSON.stringify(json.errors).slice(0, 800)}`);
  return json.data;
}

/** Sequential latency of one request (no load): median of n after a warm-up. */
async function sequentialMs(url: string, body: object, key: string | undefined, n = 15): Promise<number> {
  await post(url, body, key);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await post(url, body, key);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
}

async function load(url: string, body: object, key: string | undefined, seconds = SECONDS, meter?: { cpu: CpuMeter; target: Target }): Promise<{ result: AutocannonResult; cpu?: Cpu }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  // timeout 60 s: an analytic query queued behind 19 others must count as slow, not as an error.
  await autocannon({ url, method: 'POST', headers, body: JSON.stringify(body), connections: CONNECTIONS, duration: 3, timeout: 60 }); // warm-up
  const before = meter && await meter.cpu.snapshot(meter.target);
  const result = await autocannon({ url, method: 'POST', headers, body: JSON.stringify(body), connections: CONNECTIONS, duration: seconds, timeout: 60 });
  const cpu = meter && before && CpuMeter.perRequest(before, await meter.cpu.snapshot(meter.target), result.requests.total);
  return { result, cpu };
}

/** CPU milliseconds per request served: the server's node process, and the PostgreSQL backends serving it. */
interface Cpu { node: number; pg: number }
interface CpuSnapshot { node: number; backends: Map<number, number> }

const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100; } catch { return 100; } })();

/** user + system CPU milliseconds of a process so far (/proc/<pid>/stat fields 14 and 15); NaN when unreadable. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Reads the CPU a server and its PostgreSQL backends (its application_name on the bench database) have used. */
class CpuMeter {
  constructor(private readonly admin: Client) {}

  async snapshot(t: Target): Promise<CpuSnapshot> {
    const { rows } = await this.admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1 AND pid <> pg_backend_pid()', [t.app]);
    return { node: cpuMsOf(t.child.child.pid), backends: new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)])) };
  }

  /** A backend that started during the measure counts whole; one that ended during it is lost (pools keep theirs under load). */
  static perRequest(a: CpuSnapshot, b: CpuSnapshot, requests: number): Cpu {
    let pg = 0;
    for (const [pid, ms] of b.backends) pg += ms - (a.backends.get(pid) ?? 0);
    return { node: (b.node - a.node) / requests, pg: pg / requests };
  }
}

interface Measured { rps: number; p50: number; p99: number; errors: number; single?: number; cpu?: Cpu }
const NOT_MEASURED: Measured = { rps: 0, p50: 0, p99: 0, errors: 0, single: 0 };
const measured = (r: AutocannonResult, single?: number): Measured =>
  ({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, single });

const PGL_DASHBOARD = `query Dashboard($clusterId: UUID!, $first: Int!) {
  clusterByRowId(rowId: $clusterId) {
    rowId name
    accountsByClusterId(first: $first, orderBy: [SORT_NAME_ASC, ROW_ID_ASC]) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        rowId externalId name score band
        accountOutcomesByAccountId { nodes { outcomeId outcomeName score band journeyStatus daysUntilDue nextMilestoneId nextMilestoneName topDrivers } }
      } }
    }
  }
}`;
const PGL_JOURNEY = `query JourneyProgress($ws: UUID!, $outcome: UUID!) { journeyProgress(ws: $ws, outcome: $outcome) }`;

/** A server under test: where to send the two queries, and how to stop it. */
interface Target { name: string; url: string; key: string | undefined; dashboard: object; journey: object; child: Child; app: string }

async function startOurs(dbUrl: string, data: ApiBenchData): Promise<Target> {
  const port = PORT_BASE ?? await freePort();
  const nodeArgs = serverNodeArgs();
  if (CPU_PROF_DIR) nodeArgs.unshift('--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF_DIR));
  const child = await spawnServer('our server', nodeArgs, {
    DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', WORKER: 'false', LOG_LEVEL: 'warn',
    NODE_ENV: 'production', DB_POOL_SIZE: '20',
  }, /GraphQL API: http/, port, OURS_DIR);
  const target = {
    name: 'our server', url: child.url, key: data.adminKey, child, app: OURS_APP,
    dashboard: { query: DASHBOARD_QUERY, variables: { clusterId: data.clusterId, first: PAGE } },
    journey: { query: JOURNEY_PROGRESS_QUERY, variables: { outcomeId: data.outcomeIds[0] } },
  };
  const page = await post(target.url, target.dashboard, target.key);
  if (page.accounts.edges.length !== PAGE || page.accounts.edges[0].node.outcomes.length !== 2) throw new Error('unexpected dashboard page');
  const progress = await post(target.url, target.journey, target.key);
  if (progress.journeyProgress.accounts !== ACCOUNTS) throw new Error(`journeyProgress saw ${progress.journeyProgress.accounts} accounts`);
  return target;
}

/**
 * PostGraphile lives in bench/postgraphile with its own package.json and lock: installed there on first use, so that
 * the project's own `npm install` neither fetches it nor warns that it wants Node >= 22.
 */
const PGL_DIR = path.join(__dirname, 'postgraphile');

function installPostGraphile(): void {
  if (fs.existsSync(path.join(PGL_DIR, 'node_modules', 'postgraphile', 'package.json'))) return;
  console.log('Installing PostGraphile into bench/postgraphile (first run only) ...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PGL_DIR, stdio: 'inherit' });
}

async function startPostGraphile(dbUrl: string, data: ApiBenchData): Promise<Target> {
  installPostGraphile();
  const port = PORT_BASE !== undefined ? PORT_BASE + 1 : await freePort();
  const pglUrl = new URL(dbUrl);
  pglUrl.searchParams.set('application_name', PGL_APP);
  const child = await spawnServer('postgraphile', [path.join(PGL_DIR, 'server.cjs')], {
    DATABASE_URL: pglUrl.toString(), PORT: String(port), NODE_ENV: 'production',
    NODE_OPTIONS: `--require ${path.join(PGL_DIR, 'promise-with-resolvers.cjs')}`,
  }, /postgraphile ready/, port);
  const target = {
    name: 'postgraphile', url: child.url, key: undefined, child, app: PGL_APP,
    dashboard: { query: PGL_DASHBOARD, variables: { clusterId: data.clusterId, first: PAGE } },
    journey: { query: PGL_JOURNEY, variables: { ws: data.workspaceId, outcome: data.outcomeIds[0] } },
  };
  const page = await post(target.url, target.dashboard);
  const edges = page.clusterByRowId.accountsByClusterId.edges;
  if (edges.length !== PAGE || edges[0].node.accountOutcomesByAccountId.nodes.length !== 2) throw new Error('unexpected PostGraphile page');
  const progress = await post(target.url, target.journey);
  const seen = (progress.journeyProgress.accounts as Array<{ n: number }>).reduce((n, a) => n + a.n, 0);
  if (seen !== ACCOUNTS) throw new Error(`PostGraphile journeyProgress saw ${seen} accounts`);
  return target;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];

/**
 * The dashboard under load, ROUNDS times per server, the two servers taking turns and the first to go alternating
 * (this machine's speed drifts over a run: one measure each was off by ±10% from run to run); medians per server.
 */
async function benchDashboards(targets: Target[], cpu: CpuMeter): Promise<{ results: Map<Target, Measured>; ratios: number[] }> {
  const runs = new Map<Target, Measured[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const { result, cpu: c } = await load(t.url, t.dashboard, t.key, SECONDS, { cpu, target: t });
      const m = { ...measured(result), cpu: c };
      runs.get(t)!.push(m);
      log(`${t.name}: dashboard, round ${round + 1} of ${ROUNDS}: ${rate(m.rps)} req/s, CPU per request ${cpuText(c)} (load ${loadavg()})`);
    }
  }
  const results = new Map<Target, Measured>();
  for (const t of targets) {
    const ms = runs.get(t)!;
    const single = await sequentialMs(t.url, t.dashboard, t.key);
    const cpus = ms.map((m) => m.cpu!);
    results.set(t, {
      rps: median(ms.map((m) => m.rps)), p50: median(ms.map((m) => m.p50)), p99: median(ms.map((m) => m.p99)), errors: ms.reduce((n, m) => n + m.errors, 0), single,
      cpu: { node: median(cpus.map((c) => c.node)), pg: median(cpus.map((c) => c.pg)) },
    });
  }
  const ratios = targets.length === 2 ? runs.get(targets[0])!.map((m, i) => m.rps / runs.get(targets[1])![i].rps) : [];
  return { results, ratios };
}

const cpuText = (c: Cpu | undefined) => (c ? `node ${c.node.toFixed(2)} ms + PostgreSQL ${c.pg.toFixed(2)} ms = ${(c.node + c.pg).toFixed(2)} ms` : 'n/a');

async function benchJourney(t: Target): Promise<Measured> {
  log(`${t.name}: journeyProgress`);
  const single = await sequentialMs(t.url, t.journey, t.key, 9);
  return measured((await load(t.url, t.journey, t.key, JOURNEY_SECONDS)).result, single);
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(2));
const rate = (n: number) => (n < 10 ? n.toFixed(2) : f0(n));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

const loads: string[] = [];
const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');

async function main(): Promise<void> {
  const startedAt = new Date();
  loads.push(`start ${loadavg()}`);
  const { url, embedded, pgVersion, data: kept } = await benchDatabase(DB_NAME, 'bench-api', REUSE);
  try {
    let data = kept ? JSON.parse(kept) as ApiBenchData & { accounts: number } : undefined;
    if (data && data.accounts !== ACCOUNTS) throw new Error(`--reuse: ${DB_NAME} holds ${data.accounts} accounts, not ${ACCOUNTS}`);
    if (data) {
      log(`reusing ${DB_NAME} (${f0(ACCOUNTS)} accounts)`);
      // The server migrates at start-up: a reused database must be at this checkout's migrations already.
      const db = createDataSource(url, 2);
      await db.initialize();
      await runMigrations(db);
      // PostGraphile's views as this checkout defines them (a reused database keeps those of the run that seeded it).
      await db.query(postgraphileSchemaSql(CURRENT_JOURNEY_PROGRESS_SQL));
      await db.destroy();
    } else {
      const db = createDataSource(url, 4);
      await db.initialize();
      await runMigrations(db);
      log(`seeding ${f0(ACCOUNTS)} accounts`);
      data = { ...await seedApiBench(db, ACCOUNTS, log), accounts: ACCOUNTS };
      await db.query(postgraphileSchemaSql(CURRENT_JOURNEY_PROGRESS_SQL));
      await db.query(`COMMENT ON DATABASE ${DB_NAME} IS '${JSON.stringify(data).replace(/'/g, "''")}'`);
      await db.destroy();
    }
    if (args.includes('--seed-only')) { log(`seeded ${url}`); return; }

    // Both servers stay up (the idle one costs nothing) so that their dashboards can take turns.
    const ours = ONLY === 'postgraphile' ? undefined : await startOurs(url, data);
    const pgl = ONLY === 'ours' ? undefined : await startPostGraphile(url, data);
    const servers = [ours, pgl].filter((t): t is Target => !!t);
    let dashboards: Awaited<ReturnType<typeof benchDashboards>>;
    const journeys = new Map<Target, Measured>();
    const meterUrl = new URL(url);
    meterUrl.searchParams.set('application_name', 'oh-bench-cpu-meter');
    const meter = new Client({ connectionString: meterUrl.toString() });
    await meter.connect();
    try {
      loads.push(`before the load ${loadavg()}`);
      dashboards = await benchDashboards(servers, new CpuMeter(meter));
      loads.push(`after the dashboards ${loadavg()}`);
      if (JOURNEY) for (const t of servers) journeys.set(t, await benchJourney(t));
      loads.push(`after journeyProgress ${loadavg()}`);
    } finally {
      await meter.end();
      for (const t of servers) await stop(t.child);
    }
    const side = (t: Target | undefined) => ({
      dashboard: (t && dashboards.results.get(t)) ?? NOT_MEASURED, journey: (t && journeys.get(t)) ?? NOT_MEASURED,
    });
    const o = side(ours);
    const p = side(pgl);
    const roundRatios = dashboards.ratios.map((r) => `${r.toFixed(2)}×`).join(', ');
    // Each round's two measures ran back to back: their ratio is steadier than a ratio of medians taken apart.
    const ratioNow = dashboards.ratios.length ? median(dashboards.ratios) : o.dashboard.rps / p.dashboard.rps;

    const rows: string[][] = [];
    const add = (what: string, o: Measured, p: Measured) => {
      rows.push([`${what}: ours`, rate(o.rps), f1(o.p50), f1(o.p99), o.single !== undefined ? f1(o.single) : '', String(o.errors)]);
      rows.push([`${what}: PostGraphile 5`, rate(p.rps), f1(p.p50), f1(p.p99), p.single !== undefined ? f1(p.single) : '', String(p.errors)]);
      rows.push([`${what}: ratio ours / PostGraphile`, ratio(o.rps, p.rps), ratio(o.p50, p.p50), ratio(o.p99, p.p99), o.single !== undefined && p.single !== undefined ? ratio(o.single, p.single) : '', '']);
    };
    add(`dashboard (first ${PAGE}), median of ${ROUNDS} rounds`, o.dashboard, p.dashboard);
    add(`journeyProgress (${f0(ACCOUNTS)} accounts)`, o.journey, p.journey);
    const table = ['| query | req/s | p50 ms | p99 ms | single request ms (median, no load) | errors |', '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    const targets = [
      `| dashboard req/s ≥ PostGraphile's (median of the rounds' ratios: ${roundRatios || 'n/a'}) | ${ratioNow.toFixed(2)}× | ${ratioNow >= 1 ? 'yes' : 'NO'} |`,
      `| dashboard p99 < 50 ms at ${CONNECTIONS} connections | ${f1(o.dashboard.p99)} ms | ${o.dashboard.p99 < 50 ? 'yes' : 'NO'} |`,
      ...(JOURNEY ? [`| journeyProgress over ${f0(ACCOUNTS)} accounts < 200 ms (one request) | ${f1(o.journey.single!)} ms | ${o.journey.single! < 200 ? 'yes' : 'NO'} |`] : []),
    ].join('\n');
    const cpuRow = (name: string, m: Measured) => `| ${name} | ${f2(m.cpu?.node)} | ${f2(m.cpu?.pg)} | ${f2(m.cpu && m.cpu.node + m.cpu.pg)} |`;
    const cpuTable = ['| dashboard, CPU ms per request (median of the rounds) | server process | its PostgreSQL backends | total |', '|---|---|---|---|',
      cpuRow('ours', o.dashboard), cpuRow('PostGraphile 5', p.dashboard),
      `| ratio ours / PostGraphile | ${ratio(o.dashboard.cpu?.node ?? 0, p.dashboard.cpu?.node ?? 0)} | ${ratio(o.dashboard.cpu?.pg ?? 0, p.dashboard.cpu?.pg ?? 0)} | ${ratio((o.dashboard.cpu?.node ?? 0) + (o.dashboard.cpu?.pg ?? 0), (p.dashboard.cpu?.node ?? 0) + (p.dashboard.cpu?.pg ?? 0))} |`,
    ].join('\n');
    process.stdout.write(`\n${table}\n\n${cpuTable}\n\n| target | value | met |\n|---|---|---|\n${targets}\n`);
    process.stdout.write(`load average: ${loads.join('; ')}\n`);
    if (WRITE) writeResults(startedAt, pgVersion, `${table}\n\n${cpuTable}`, targets);
  } finally {
    await embedded?.stop();
  }
}

function writeResults(startedAt: Date, pgVersion: string, table: string, targets: string): void {
  const file = path.join(__dirname, 'RESULTS.md');
  const section = [
    '<!-- bench:api start (written by `npm run bench:api`; keep this block when rewriting the file) -->',
    '## API',
    '',
    `- Date: ${startedAt.toISOString()}; command: \`${process.env.DATABASE_URL ? 'DATABASE_URL=<server> ' : ''}npm run bench:api${args.length ? ` -- ${args.join(' ')}` : ''}\``,
    `- Machine: ${os.cpus().length} CPUs (\`nproc\`: ${execFileSync('nproc').toString().trim()}), ${os.cpus()[0]?.model ?? ''}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}; PostgreSQL ${pgVersion}`,
    `- Load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per measure (journeyProgress ${JOURNEY_SECONDS} s) after a 3 s warm-up; server, PostGraphile, PostgreSQL and autocannon share the machine; one server is loaded at a time. The dashboard is measured ${ROUNDS} times per server, the servers taking turns and alternating which goes first, and the table gives the medians (this machine's speed drifts during a run).`,
    `- Machine load average (1/5/15 min) during the run, other processes included: ${loads.join('; ')}.`,
    `- Data: ${f0(ACCOUNTS)} accounts in the measured cluster (+ ${f0(Math.round(ACCOUNTS / 5))} in another), 2 outcomes each with a 3-stage, 6-milestone journey and 8 drivers per account × outcome (bench/api-seed.ts).`,
    '- Ours: `src/main.ts` (NODE_ENV=production, LOG_LEVEL=warn, pool 20), API key auth, tenant scoping, all protection rules on. PostGraphile 5.1 (Amber preset, pool 20) over views of the same tables (`pgl` schema, bench database only), no auth; its journeyProgress is a SQL function running our exact statement.',
    '',
    table,
    '',
    '| target | value | met |',
    '|---|---|---|',
    targets,
    '<!-- bench:api end -->',
  ].join('\n');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const re = /<!-- bench:api start[\s\S]*?<!-- bench:api end -->/;
  const next = re.test(existing) ? existing.replace(re, section) : `${existing.trimEnd()}${existing ? '\n\n' : ''}${section}\n`;
  fs.writeFileSync(file, next);
  process.stdout.write(`\nwrote the API section of ${path.relative(ROOT, file)}\n`);
}

main().catch((err) => { process.stderr.write(`bench failed: ${err?.stack ?? err}\n`); process.exit(1); });
