/**
 * `npm run bench:scoring [-- --small]`: scoring and ingestion benchmark on deterministic synthetic data.
 *
 * - A fresh database `oh_bench` on DATABASE_URL's server (else an embedded PostgreSQL under .data/bench).
 * - The real server (src/main.ts, with its job worker) as a child process; its peak RSS (VmHWM) is read
 *   from /proc at the end.
 * - Model through the GraphQL API: 2 outcomes × 8 components (every aggregation kind, LINEAR, BANDS,
 *   PERCENTILE, an applicability rule) and a 3-stage journey per outcome.
 * - Accounts and signals generated inside PostgreSQL (INSERT … SELECT generate_series) from a seeded
 *   integer hash, so the same seed gives the same rows: 10k accounts × 100 signals and 100k accounts ×
 *   100 signals (10M) by default; 2k × 100 (200k) with --small.
 * - Measures: ingestSignals over HTTP, the import CLI, full rescore (recomputeHealth → worker) against
 *   the floor (one GROUP BY reading the same signals once), incremental latency after ingestion, peak RSS.
 * Prints a table and writes bench/RESULTS.md.
 *
 * - A model preview (previewModel of a draft with two changed weights and an added milestone) of every account,
 *   beside the full rescore of the same workspace: it scores twice (live and draft), so the target is ≤ 2×.
 *
 * Options for iterating on the engine (no measurement, the database is kept):
 *   --seed-only        create the database, define the model and generate the data, print the workspace ids, exit
 *   --sizes 20000,100000   account counts (one workspace each) instead of the defaults
 *   --db NAME          database name instead of oh_bench (dropped and re-created first)
 *   --backtest-only --db NAME [--workspace ID]   only the backtest beside the full rescore (CPU and wall time,
 *                      alternately), on a database seeded with --seed-only: nothing is dropped
 * e.g. `DATABASE_URL=<server> npm run bench:scoring -- --seed-only --db oh_engine --sizes 20000,100000`, then
 * time `scoreAccounts(TenantScope.system(db, workspaceId), { asOf, persist: true })` / `processRun` on it.
 */
import 'reflect-metadata';
import { benchDatabase, freePort, serverNodeArgs } from './bench-db';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../src/shared/db/data-source';
import { runMigrations } from '../src/shared/db/bootstrap';
import { ScoringRunKind } from '../src/scoring/runs.entity';
import { createRun, DEFAULT_CHUNK_SIZE, processRun } from '../src/scoring/runs.service';
import { processBacktest, runBacktest } from '../src/backtests/backtest.service';
import { TenantScope } from '../src/shared/tenant';
import { createWorkspace } from '../src/workspaces/workspace.service';
import { logger } from '../src/shared/logger';
import { defineModel as defineBenchModel, generate as generateBenchData } from './scoring-model';
import { CpuMeter, cpuText } from './cpu';

logger.level = process.env.LOG_LEVEL ?? 'warn'; // the bench's own table is the output

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const SMALL = args.includes('--small');
/** Variant without the PERCENTILE component (LINEAR instead): isolates the cost of scoring against cluster peers. */
const NO_PERCENTILE = args.includes('--no-percentile');
const SEED = Number(argValue('seed') ?? 42);
const SIGNALS_PER_ACCOUNT = 100;
const SEED_ONLY = args.includes('--seed-only');
const SIZES = argValue('sizes')?.split(',').map(Number) ?? (SMALL ? [2_000] : [10_000, 100_000]);
const DB_NAME = argValue('db') ?? 'oh_bench';
const GQL_SIGNALS = SMALL ? 50_000 : 200_000;
const GQL_BATCH = 5_000;
const GQL_CONCURRENCY = 4;
const IMPORT_SIGNALS = SMALL ? 100_000 : 1_000_000;
const INCREMENTAL_SAMPLES = 5;
/** Only the rescore and preview figures: skips incremental latency, ingestion and import (a shared, loaded machine). */
const RESCORE_ONLY = args.includes('--rescore-only');
/**
 * Only the backtest beside the full rescore, on a database already seeded (`--seed-only`, kept): `--db NAME` on
 * DATABASE_URL's server, nothing dropped; `--workspace ID` (default: every workspace with accounts).
 */
const BACKTEST_ONLY = args.includes('--backtest-only');

function argValue(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

interface Row { measure: string; value: string; target: string; met: string; note?: string }
const rows: Row[] = [];
const notes: string[] = [];
function record(measure: string, value: string, target = '', met: boolean | null = null, note?: string): void {
  rows.push({ measure, value, target, met: met === null ? '' : met ? 'yes' : 'NO', note });
  process.stdout.write(`  ${measure}: ${value}${target ? ` (target ${target}: ${met ? 'met' : 'NOT met'})` : ''}\n`);
}
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------- database and server


interface Server { url: string; child: ChildProcess; pid: number; dbUrl: string }

async function startServer(dbUrl: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, serverNodeArgs(), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'warn', WORKER: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; if (/GraphQL API: http/.test(out)) resolve(); });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was up:\n${out}`)));
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}/graphql`, child, pid: child.pid!, dbUrl };
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function gql<T = any>(server: Server, key: string, query: string, variables: object = {}): Promise<T> {
  const res = await fetch(server.url, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors).slice(0, 800)}`);
  return body.data as T;
}

// ---------------------------------------------------------------- model and data: bench/scoring-model.ts

async function defineModel(server: Server, key: string): Promise<void> {
  await defineBenchModel((query, variables) => gql(server, key, query, variables), { noPercentile: NO_PERCENTILE });
}

async function generate(pg: Client, workspaceId: string, accounts: number, signals: number, prefix: string): Promise<void> {
  await generateBenchData(pg, workspaceId, accounts, signals, prefix, { seed: SEED, log });
}

// ---------------------------------------------------------------- measurements

async function benchGraphql(server: Server, key: string, externalIds: string[], label: string, prefix: string): Promise<void> {
  const base = Date.now() - 3600_000;
  const bodies: string[] = [];
  for (let b = 0; b < GQL_SIGNALS / GQL_BATCH; b++) {
    const signals = Array.from({ length: GQL_BATCH }, (_, k) => {
      const n = b * GQL_BATCH + k;
      return { accountExternalId: externalIds[(n * 7919) % externalIds.length], type: n % 3 ? 'login' : 'feature_used', subject: `f${n % 12}`,
        occurredAt: new Date(base + n).toISOString(), idempotencyKey: `${prefix}-${n}` };
    });
    bodies.push(JSON.stringify({ query: 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted duplicates rejected { index } } }', variables: { s: signals } }));
  }
  let next = 0, accepted = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: GQL_CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
      const json = (await res.json()) as any;
      if (json.errors) throw new Error(`ingestSignals failed: ${JSON.stringify(json.errors).slice(0, 500)}`);
      accepted += json.data.ingestSignals.accepted;
    }
  }));
  const ms = Date.now() - started;
  const rate = accepted / (ms / 1000);
  record(`ingestSignals over HTTP (${label})`, `${fmt(rate)} signals/s (${fmt(accepted)} in ${secs(ms)}, batches of ${GQL_BATCH}, ${GQL_CONCURRENCY} clients)`, '≥ 20,000/s', rate >= 20_000);
}

async function benchImport(dbUrl: string, workspaceId: string, externalIds: string[]): Promise<void> {
  const file = path.join(os.tmpdir(), `oh-bench-signals-${SEED}.csv`);
  const out = fs.createWriteStream(file);
  out.write('accountExternalId,type,occurredAt,subject,value,idempotencyKey\n');
  const base = Date.now() - 7 * 86400_000;
  for (let n = 0; n < IMPORT_SIGNALS; n++) {
    const line = `${externalIds[(n * 104729) % externalIds.length]},${n % 4 ? 'login' : 'usage'},${new Date(base + n * 37).toISOString()},,${n % 4 ? '' : n % 50},imp-${n}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const cli = path.join(ROOT, 'src', 'scripts', 'import.ts');
  const started = Date.now();
  let how: string;
  if (fs.existsSync(cli)) {
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', cli, '--workspace', workspaceId, file], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    const own = /time:\s+(.*)/.exec(out)?.[1];
    how = '`npm run import` CLI, whole process incl. start-up';
    if (own) notes.push(`Import CLI's own summary for ${fmt(IMPORT_SIGNALS)} signals: ${own}.`);
  } else {
    const { runImport } = await import('../src/imports/import.service');
    const db = createDataSource(dbUrl, 4);
    await db.initialize();
    await runImport({ db, workspaceId, file });
    await db.destroy();
    how = 'runImport() in-process (src/scripts/import.ts missing)';
    notes.push('The import CLI script src/scripts/import.ts did not exist when this ran; the import was timed through `runImport()` (the same code the CLI calls).');
  }
  const ms = Date.now() - started;
  const rate = IMPORT_SIGNALS / (ms / 1000);
  record('import (CSV, COPY)', `${fmt(rate)} signals/s (${fmt(IMPORT_SIGNALS)} in ${secs(ms)}, ${how})`, '≥ 150,000/s', rate >= 150_000);
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.rejected.ndjson`, { force: true });
}

const MAX_RUN_MS = Number(argValue('max-run-minutes') ?? 20) * 60_000;

/** Poll a run until it ends; past MAX_RUN_MS cancel it (the figure is then extrapolated from its progress). */
async function waitForRun(server: Server, key: string, id: string): Promise<any> {
  const t0 = Date.now();
  let lastLog = 0;
  for (;;) {
    const { scoringRun } = await gql(server, key, 'query($id: ID!) { scoringRun(id: $id) { state total done startedAt finishedAt error } }', { id });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(scoringRun.state)) return scoringRun;
    if (Date.now() - lastLog > 30_000) { lastLog = Date.now(); log(`    run ${scoringRun.state} ${scoringRun.done}/${scoringRun.total}`); }
    if (Date.now() - t0 > MAX_RUN_MS) {
      await gql(server, key, 'mutation($id: ID!) { cancelScoringRun(id: $id) { id } }', { id });
      return { ...(await waitForRun(server, key, id)), capped: true };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until the incremental rescore has drained every request (so the next figure is measured alone). */
async function drained(pg: Client, maxMs = 10 * 60_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const [{ n }] = (await pg.query('SELECT count(*)::int AS n FROM rescore_requests')).rows;
    if (n === 0) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - t0;
}

async function benchFullRescore(server: Server, pg: Client, key: string, workspaceId: string, accounts: number): Promise<number> {
  // The floor: one aggregation reading the same signals once (GROUP BY account × type).
  await pg.query(`SELECT count(*) FROM signals WHERE workspace_id = $1`, [workspaceId]); // warm the cache like the run will find it
  const f0 = Date.now();
  const [{ groups }] = (await pg.query(
    `SELECT count(*)::int AS groups FROM (
       SELECT account_id, type, count(*), max(occurred_at), sum(value), count(DISTINCT subject)
         FROM signals WHERE workspace_id = $1 AND occurred_at <= now() GROUP BY 1, 2) x`, [workspaceId])).rows;
  const floorMs = Date.now() - f0;

  const t0 = Date.now();
  const { recomputeHealth } = await gql(server, key, 'mutation { recomputeHealth { id total } }');
  const run = await waitForRun(server, key, recomputeHealth.id);
  const wallMs = Date.now() - t0;
  if (run.state === 'FAILED') throw new Error(`run ${recomputeHealth.id} failed: ${run.error}`);
  let runMs = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  if (run.capped) {
    notes.push(`The full rescore of ${fmt(accounts)} accounts was cancelled after ${secs(runMs)} with ${fmt(run.done)}/${fmt(run.total)} accounts done; its time is extrapolated linearly from that progress.`);
    runMs = run.done ? (runMs * run.total) / run.done : Infinity;
  }
  const [{ n }] = (await pg.query(`SELECT count(*)::int AS n FROM health_snapshots WHERE workspace_id = $1 AND run_id = $2`, [workspaceId, recomputeHealth.id])).rows;
  const ratio = runMs / floorMs;
  record(`floor: one GROUP BY over the signals (${fmt(accounts)} accounts)`, `${secs(floorMs)} (${fmt(groups)} account×type groups)`);
  const limit = accounts >= 100_000 ? '≤ 3× floor and < 60 s' : '≤ 3× floor';
  const met = ratio <= 3 && (accounts < 100_000 || runMs < 60_000);
  const chunked = runMs;
  record(`full rescore ${fmt(accounts)} accounts${run.capped ? ' (extrapolated)' : ''}`, `${secs(runMs)} in the worker (${secs(wallMs)} request → SUCCEEDED, chunks of ${DEFAULT_CHUNK_SIZE}), ${ratio.toFixed(2)}× floor, ${fmt(n)} outcome snapshots`, limit, met);

  // The same rescore as ONE chunk (one engine call over every account): shows what chunking costs.
  const db = createDataSource(server.dbUrl, 2);
  await db.initialize();
  const single = await createRun(TenantScope.system(db, workspaceId), {}, { kind: ScoringRunKind.CLI, chunkSize: accounts });
  const s0 = Date.now();
  const outcome = await processRun(db, workspaceId, single.id, { concurrency: 1 }); // one engine pass, not lanes
  const singleMs = Date.now() - s0;
  await db.destroy();
  record(`  same, one chunk of ${fmt(accounts)} (engine single pass)`, `${secs(singleMs)} (${outcome}), ${(singleMs / floorMs).toFixed(2)}× floor; chunking costs ${(chunked / singleMs).toFixed(2)}×`);
  return chunked;
}

/**
 * previewModel of a draft (two weights changed, one milestone added) over every account, through the API and the
 * worker like the full rescore: the same chunks, each scored twice (live and draft) into the preview tables.
 */
async function benchPreview(server: Server, key: string, accounts: number, rescoreMs: number): Promise<void> {
  const { createModelDraft: draft } = await gql(server, key, 'mutation { createModelDraft(input: { name: "bench" }) { id document } }');
  const doc = draft.document;
  doc.coins[0].components.find((c: { key: string }) => c.key === 'login_days').weight = 40;
  doc.coins[1].components.find((c: { key: string }) => c.key === 'usage').weight = 10;
  doc.journeys[0].stages[0].milestones.push({ key: 'admin_trained', name: 'Admin trained', expectedByDay: 14, weight: 1, completion: 'AUTOMATIC',
    rule: { signalType: 'training', aggregation: 'COUNT', atLeast: 1 } });
  await gql(server, key, 'mutation($id: ID!, $d: JSONObject!) { updateModelDraft(id: $id, document: $d) { id } }', { id: draft.id, d: doc });
  const rss0 = peakRssMb(server.pid);
  const t0 = Date.now();
  const { previewModel } = await gql(server, key, 'mutation($id: ID!) { previewModel(draftId: $id) { id } }', { id: draft.id });
  const run = await waitForRun(server, key, previewModel.id);
  const wallMs = Date.now() - t0;
  if (run.state === 'FAILED') throw new Error(`preview ${previewModel.id} failed: ${run.error}`);
  const runMs = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  const { modelPreview } = await gql(server, key, 'query($id: ID!) { modelPreview(id: $id) { bandTransitions { from to accounts } } }', { id: previewModel.id });
  const moved = modelPreview.bandTransitions.filter((b: { from: string; to: string }) => b.from !== b.to).reduce((n: number, b: { accounts: number }) => n + b.accounts, 0);
  const ratio = runMs / rescoreMs;
  record(`preview of a draft, ${fmt(accounts)} accounts × 2 outcomes`, `${secs(runMs)} in the worker (${secs(wallMs)} request → SUCCEEDED), ${ratio.toFixed(2)}× the full rescore; ${fmt(moved)} accounts change band`,
    '≤ 2× full rescore', ratio <= 2);
  const rss1 = peakRssMb(server.pid);
  record(`  server peak memory (VmHWM) before → after the preview`, `${fmt(rss0)} → ${fmt(rss1)} MB`, 'flat', rss1 - rss0 < 100);
}

/**
 * A backtest of every account: each gets one lifecycle outcome (a quarter of them CHURNED), its dates spread over the
 * 12 months before today, so the 90-day horizon puts ~365 as-of dates over the 15 months before the last 90 days.
 * Target: ≤ 2× the full rescore of the same accounts. Both run in this process (the worker's code paths: processRun
 * with its lanes, processBacktest with its lanes), alternately — rescore, backtest, rescore — and are compared by wall
 * time and by CPU time (this process + the database's PostgreSQL backends, bench/cpu.ts), the figure that still means
 * something on a shared machine; the backtest's ratio is to the mean of the two rescores.
 */
async function benchBacktest(dbUrl: string, pg: Client, workspaceId: string, accounts: number): Promise<void> {
  await pg.query(
    `INSERT INTO lifecycle_outcomes (workspace_id, account_id, kind, occurred_on)
     SELECT workspace_id, id, CASE WHEN abs(hashtext(id::text)) % 4 = 0 THEN 'CHURNED' ELSE 'RENEWED' END,
            (now() - interval '1 day' * (abs(hashtext(id::text || 'd')) % 365))::date
     FROM accounts WHERE workspace_id = $1 ON CONFLICT DO NOTHING`, [workspaceId]);
  await pg.query('ANALYZE lifecycle_outcomes');
  const db = createDataSource(dbUrl, 6);
  await db.initialize();
  await runMigrations(db); // --backtest-only: a database seeded by an earlier version
  const dbName = new URL(dbUrl).pathname.slice(1);
  const monitor = new Client({ connectionString: dbUrl });
  await monitor.connect();
  const meter = new CpuMeter(monitor, dbName);
  const scope = TenantScope.system(db, workspaceId);
  try {
    const rescore = async () => {
      const run = await createRun(scope, {}, { kind: ScoringRunKind.CLI });
      await meter.start();
      const t0 = Date.now();
      const outcome = await processRun(db, workspaceId, run.id);
      const ms = Date.now() - t0;
      const cpu = await meter.stop();
      if (outcome !== 'SUCCEEDED') throw new Error(`rescore ${run.id}: ${outcome}`);
      record(`  full rescore ${fmt(accounts)} accounts (in process, chunks of ${DEFAULT_CHUNK_SIZE})`, `${secs(ms)}, ${cpuText(cpu)}`);
      return { ms, cpu: cpu.total };
    };
    const r1 = await rescore();
    const bt = await runBacktest(scope, { horizonDays: 90 });
    await meter.start();
    const t0 = Date.now();
    const outcome = await processBacktest(db, workspaceId, bt.id);
    const ms = Date.now() - t0;
    const cpu = await meter.stop();
    const r2 = await rescore();
    const wallRatio = ms / ((r1.ms + r2.ms) / 2);
    const cpuRatio = cpu.total / ((r1.cpu + r2.cpu) / 2);
    record(`backtest ${fmt(accounts)} accounts (${fmt(bt.asOfDates)} as-of dates, 90-day horizon)`,
      `${secs(ms)} (${outcome}), ${cpuText(cpu)}; ${wallRatio.toFixed(2)}× the full rescore's wall time, ${cpuRatio.toFixed(2)}× its CPU time`,
      '≤ 2× full rescore', wallRatio <= 2);
  } finally {
    await monitor.end();
    await db.destroy();
  }
}

async function benchIncremental(server: Server, pg: Client, key: string, workspaceId: string, externalIds: string[], label: string): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < INCREMENTAL_SAMPLES; i++) {
    const ext = externalIds[(i * 7001 + 13) % externalIds.length];
    const [{ id }] = (await pg.query('SELECT id FROM accounts WHERE workspace_id = $1 AND external_id = $2', [workspaceId, ext])).rows;
    const t0 = Date.now();
    await gql(server, key, 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted } }',
      { s: [{ accountExternalId: ext, type: 'meeting', occurredAt: new Date(t0 - 1000).toISOString(), idempotencyKey: `inc-${label}-${i}` }] });
    for (;;) {
      const r = (await pg.query(`SELECT as_of FROM current_account_health WHERE workspace_id = $1 AND account_id = $2 AND as_of >= $3`,
        [workspaceId, id, new Date(t0 - 5)])).rows;
      if (r.length) break;
      if (Date.now() - t0 > 60_000) throw new Error('incremental rescore did not happen within 60 s');
      await new Promise((res) => setTimeout(res, 5));
    }
    samples.push(Date.now() - t0);
    await new Promise((res) => setTimeout(res, 200));
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)], max = samples[samples.length - 1];
  record(`incremental: ingestSignals → snapshot (${label})`, `median ${median} ms, max ${max} ms over ${samples.length}`, '≤ 1 s', max <= 1000);
}

// ---------------------------------------------------------------- main

async function backtestOnly(startedAt: Date): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('--backtest-only needs DATABASE_URL (the server of the seeded database)');
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${DB_NAME}`;
  const pg = new Client({ connectionString: u.toString() });
  await pg.connect();
  try {
    const [{ v }] = (await pg.query("SELECT current_setting('server_version') AS v")).rows as Array<{ v: string }>;
    const ids = argValue('workspace') ? [argValue('workspace')!]
      : (await pg.query(`SELECT workspace_id AS id FROM accounts GROUP BY 1 ORDER BY count(*)`)).rows.map((r) => r.id as string);
    for (const id of ids) {
      const [{ n }] = (await pg.query('SELECT count(*)::int AS n FROM accounts WHERE workspace_id = $1', [id])).rows;
      log(`backtest of ${fmt(n)} accounts (workspace ${id}), outcomes over 12 months, beside the full rescore`);
      await benchBacktest(u.toString(), pg, id, n);
    }
    writeResults(startedAt, v);
  } finally {
    await pg.end();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  if (BACKTEST_ONLY) return await backtestOnly(startedAt);
  log(`bench:scoring ${SMALL ? '--small' : ''} seed ${SEED}`);
  const { url, embedded, pgVersion } = await benchDatabase(DB_NAME, 'bench');
  const ds = createDataSource(url, 4);
  await ds.initialize();
  await runMigrations(ds);
  const server = await startServer(url);
  log(`server pid ${server.pid} at ${server.url}`);
  const pg = new Client({ connectionString: url });
  await pg.connect();

  try {
    const workspaces: { id: string; key: string; accounts: number; externalIds: string[] }[] = [];
    for (const accounts of SIZES) {
      const { workspace, adminKey } = await createWorkspace(ds, `Bench ${accounts}`);
      await defineModel(server, adminKey);
      log(`generating ${fmt(accounts)} accounts × ${SIGNALS_PER_ACCOUNT} signals`);
      const g0 = Date.now();
      await generate(pg, workspace.id, accounts, accounts * SIGNALS_PER_ACCOUNT, `w${accounts}-`);
      record(`generate ${fmt(accounts)} accounts + ${fmt(accounts * SIGNALS_PER_ACCOUNT)} signals (SQL)`, secs(Date.now() - g0));
      const externalIds = (await pg.query('SELECT external_id FROM accounts WHERE workspace_id = $1 ORDER BY external_id', [workspace.id])).rows.map((r) => r.external_id);
      workspaces.push({ id: workspace.id, key: adminKey, accounts, externalIds });
    }
    if (SEED_ONLY) {
      await pg.query('VACUUM ANALYZE signals');
      for (const w of workspaces) process.stdout.write(`workspace ${w.id} accounts ${w.accounts}\n`);
      return;
    }
    // A workspace without a scoring model: the ingestion path alone (its rescore jobs score nothing).
    const ingestWs = await createWorkspace(ds, 'Bench ingestion');
    await generate(pg, ingestWs.workspace.id, SIZES[0], 0, 'i-');
    const ingestIds = (await pg.query('SELECT external_id FROM accounts WHERE workspace_id = $1 ORDER BY external_id', [ingestWs.workspace.id])).rows.map((r) => r.external_id);
    await pg.query('VACUUM ANALYZE signals'); // visibility map for index-only scans, fresh statistics
    await pg.query('CHECKPOINT');

    for (const w of workspaces) {
      log(`full rescore of ${fmt(w.accounts)} accounts`);
      const rescoreMs = await benchFullRescore(server, pg, w.key, w.id, w.accounts);
      log(`preview of a draft over ${fmt(w.accounts)} accounts`);
      await benchPreview(server, w.key, w.accounts, rescoreMs);
      log(`backtest of ${fmt(w.accounts)} accounts, outcomes over 12 months`);
      await benchBacktest(url, pg, w.id, w.accounts);
    }
    if (!RESCORE_ONLY) {
      for (const w of workspaces) {
        log(`incremental rescore latency (${fmt(w.accounts)} accounts)`);
        await benchIncremental(server, pg, w.key, w.id, w.externalIds, `${fmt(w.accounts)} accounts`);
      }
      log('ingestSignals throughput');
      await benchGraphql(server, ingestWs.adminKey, ingestIds, `${fmt(SIZES[0])} accounts, no scoring model`, 'gql-plain');
      await drained(pg);
      const scored = workspaces[0];
      await benchGraphql(server, scored.key, scored.externalIds, `${fmt(scored.accounts)} accounts, scored: rescoring runs alongside`, 'gql-scored');
      const drainMs = await drained(pg);
      record(`incremental rescore of the ${fmt(GQL_SIGNALS)} ingested signals finished`, `${secs(drainMs)} after the last batch`);
      log('import throughput');
      await benchImport(url, ingestWs.workspace.id, ingestIds);
      await drained(pg);
    }
    const rss = peakRssMb(server.pid);
    record('server peak memory (VmHWM)', `${fmt(rss)} MB`, '< 1 GB', rss < 1024);
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    await pg.end();
    await ds.destroy();
    await embedded?.stop();
  }
  writeResults(startedAt, pgVersion);
}

function table(): string {
  const lines = ['| measure | value | target | met |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.target} | ${r.met} |`);
  return lines.join('\n');
}

function writeResults(startedAt: Date, pgVersion: string): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mem = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const flags = [SMALL && '--small', NO_PERCENTILE && '--no-percentile', RESCORE_ONLY && '--rescore-only', BACKTEST_ONLY && `--backtest-only --db ${DB_NAME}`,
    argValue('workspace') && `--workspace ${argValue('workspace')}`, argValue('sizes') && `--sizes ${argValue('sizes')}`].filter(Boolean).join(' ');
  const cmd = `npm run bench:scoring${flags ? ` -- ${flags}` : ''}`;
  process.stdout.write(`\n${table()}\n`);
  const file = path.join(__dirname, `RESULTS${SMALL ? '-small' : ''}${NO_PERCENTILE ? '-no-percentile' : ''}${RESCORE_ONLY ? '-preview' : ''}${BACKTEST_ONLY ? '-backtest' : ''}.md`);
  const md = [
    `# Scoring benchmark results${flags ? ` (${flags})` : ''}`,
    '',
    `- Date: ${startedAt.toISOString()}`,
    `- Command: \`${process.env.DATABASE_URL ? 'DATABASE_URL=<server> ' : ''}${cmd}\` (seed ${SEED})`,
    `- Machine: ${os.cpus().length} CPUs (\`nproc\`: ${execFileSync('nproc').toString().trim()}), ${cpu}, ${mem} RAM, ${os.type()} ${os.release()}`,
    `- Node ${process.version}, PostgreSQL ${pgVersion} (${process.env.DATABASE_URL ? 'server from DATABASE_URL, default settings' : 'embedded'})`,
    BACKTEST_ONLY ? `- Data: the database ${DB_NAME} as seeded by --seed-only (100 signals per account, 2 outcomes × 8 components, one PERCENTILE)` : `- Data: ${SIZES.map((s) => `${fmt(s)} accounts × ${SIGNALS_PER_ACCOUNT} signals`).join(' and ')}; 2 outcomes × 8 components${NO_PERCENTILE ? ' (no PERCENTILE: LINEAR instead)' : ' (one PERCENTILE)'}, a 3-stage journey with 5 milestones per outcome`,
    '',
    table(),
    '',
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  // `npm run bench:api` and `npm run bench:discovery` keep their own sections in the same file: carry them over.
  const kept = fs.existsSync(file) ? [...fs.readFileSync(file, 'utf8').matchAll(/<!-- bench:(\w+) start[\s\S]*?<!-- bench:\1 end -->/g)].map((m) => m[0]) : [];
  fs.writeFileSync(file, kept.length ? `${md.trimEnd()}\n\n${kept.join('\n\n')}\n` : md);
  process.stdout.write(`\nwrote ${path.relative(ROOT, file)}\n`);
}

main().catch((err) => { process.stderr.write(`bench failed: ${err?.stack ?? err}\n`); process.exit(1); });
