/**
 * `npm run bench:soak [-- --minutes 60 --accounts 15000 --label after]`: the server's memory under a long mixed load.
 *
 * - A database `oh_mem_soak` (`--db`) on DATABASE_URL's server (else an embedded PostgreSQL under .data/bench-soak),
 *   migrated; a workspace with the scoring benchmark's model (bench/scoring-model.ts: 2 outcomes × 8 components,
 *   3-stage journeys), `--accounts` accounts with `--signals` signals each, fully scored once before the load.
 *   `--reuse` keeps a database a previous soak seeded with the same number of accounts.
 * - The real server (src/main.ts with `npm start`'s node flags, its job worker on, LOG_LEVEL=warn, NODE_ENV=production)
 *   as a child process, with bench/soak-probe.ts preloaded: the probe answers heap figures and the prepared statement
 *   count over IPC, so the server's own code carries nothing for the benchmark. `--env K=V` passes more variables
 *   (e.g. `--env MALLOC_ARENA_MAX=2`).
 * - For `--minutes`, a mixed load at a moderate, fixed rate (sized to keep the shared 2-core machine about half busy):
 *   readers (`--readers`, each one request at a time with a pause) sending dashboards and account lists with varied
 *   page sizes, drivers' top, filters and sorts, as variables and as literals (each literal variant a new document),
 *   analytics (journeyProgress, clusterHealth, healthTrend, movers, healthEvents), account details, and GraphQL errors
 *   (validation, syntax, NOT_FOUND, BAD_USER_INPUT); signal batches through ingestSignals (each rescored by the worker);
 *   targeted rescores (recomputeHealth of a few accounts) and a full rescore every `--full-every` minutes (10; the first at half that);
 *   healthChanged subscriptions over graphql-ws opening and closing; API keys created, used and revoked.
 * - Every `--sample-seconds` (5): the server's RSS (VmRSS, RssAnon from /proc/<pid>/status), V8 heap used and total,
 *   external memory, and the named prepared statements held by its pooled connections. `--snapshots 2,9` writes heap
 *   snapshots at those minutes to .data/soak/ (for comparing what grew; they pause the server and cost memory, so the
 *   runs whose figures are reported take none).
 * Writes the samples to .data/soak/<label>.csv and a summary (start, peak and end, and the slope over the second half
 * by least squares, in MB/min) to its own block of the "Soak" section of bench/RESULTS.md (other sections and other
 * labels' blocks are kept; `--no-write` leaves the file alone).
 */
import 'reflect-metadata';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { benchDatabase, freePort, serverNodeArgs } from './bench-db';
import { defineModel, generate } from './scoring-model';
import { DASHBOARD_QUERY } from './queries';
import { runMigrations } from '../src/shared/db/bootstrap';
import { createDataSource } from '../src/shared/db/data-source';
import { createWorkspace } from '../src/workspaces/workspace.service';
import { mulberry32 } from '../seeds/data/prng';

const ROOT = path.join(__dirname, '..');
const OUT_DIR = path.join(ROOT, '.data', 'soak');
const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const argValues = (name: string): string[] => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] !== undefined ? [args[i + 1]] : []));
const num = (name: string, dflt: number): number => {
  const v = Number(argValue(name) ?? dflt);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: a non-negative number`);
  return v;
};

const MINUTES = num('minutes', 10);
const ACCOUNTS = num('accounts', 15_000);
const SIGNALS_PER_ACCOUNT = num('signals', 30);
const SAMPLE_MS = num('sample-seconds', 5) * 1000;
const READERS = num('readers', 2);
const READER_PAUSE_MS = num('pause-ms', 150);
const INGEST_EVERY_MS = num('ingest-seconds', 3) * 1000;
const INGEST_BATCH = num('ingest-batch', 200);
const TARGETED_EVERY_MS = num('targeted-seconds', 20) * 1000;
const FULL_EVERY_MS = num('full-every', 10) * 60_000;
const SUBSCRIBERS = num('subscribers', 3);
const KEYS_EVERY_MS = num('keys-seconds', 15) * 1000;
const SNAPSHOTS = (argValue('snapshots') ?? '').split(',').filter(Boolean).map(Number);
const LABEL = argValue('label') ?? `${MINUTES}min`;
if (!/^[\w.-]+$/.test(LABEL)) throw new Error('--label: letters, digits, . _ -');
const DB_NAME = argValue('db') ?? 'oh_mem_soak';
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error(`--db: not a plain database name: ${DB_NAME}`);
const REUSE = args.includes('--reuse');
const WRITE = !args.includes('--no-write');
const PORT = argValue('port');
const EXTRA_ENV = Object.fromEntries(argValues('env').map((kv) => { const i = kv.indexOf('='); if (i < 1) throw new Error(`--env ${kv}: K=V`); return [kv.slice(0, i), kv.slice(i + 1)]; }));
const SEED = 7;

const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);

// mulberry32 (the demo seed's PRNG): the load is the same sequence of requests on every run with the same options.
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const some = <T>(xs: readonly T[]): T[] => { const s = xs.filter(() => rand() < 0.5); return s.length ? s : [pick(xs)]; };

// ---------------------------------------------------------------- server and probe

interface Server { url: string; child: ChildProcess; pid: number }

let probeSeq = 0;
const probeWaiters = new Map<number, (msg: any) => void>();

async function startServer(dbUrl: string): Promise<Server> {
  const port = PORT ? Number(PORT) : await freePort();
  const argv = serverNodeArgs();
  const main = argv.indexOf('src/main.ts');
  if (main < 0) throw new Error('npm start should run src/main.ts');
  argv.splice(main, 0, '-r', path.join(__dirname, 'soak-probe.ts'));
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', WORKER: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'production', ...EXTRA_ENV },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stderr!.on('data', (d) => { out = (out + d).slice(-20_000); });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out = (out + d).slice(-20_000); if (/GraphQL API: http/.test(out)) resolve(); });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was up:\n${out}`)));
  });
  // Logs are read (and dropped, but for the warnings and errors counted below) so that a full pipe never blocks the server.
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (level === '40') counts.serverWarnings++;
        else if (level && Number(level) >= 50) { counts.serverErrors++; if (counts.serverErrors <= 5) log(`server error: ${line.slice(0, 400)}`); }
      }
    });
  }
  child.on('message', (msg: any) => { probeWaiters.get(msg?.id)?.(msg); probeWaiters.delete(msg?.id); });
  return { url: `http://127.0.0.1:${port}/graphql`, child, pid: child.pid! };
}

async function probe(server: Server, request: { cmd: 'sample' } | { cmd: 'snapshot'; file: string }, timeoutMs = 10_000): Promise<any> {
  const id = ++probeSeq;
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { probeWaiters.delete(id); reject(new Error(`probe ${request.cmd}: no answer in ${timeoutMs} ms`)); }, timeoutMs);
    probeWaiters.set(id, (msg) => { clearTimeout(timer); if (msg.ok) resolve(msg); else reject(new Error(msg.error)); });
    server.child.send({ id, ...request });
  });
}

function procStatus(pid: number): Record<string, number> {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, hwm: kb('VmHWM') / 1024 };
}

// ---------------------------------------------------------------- requests

const counts = {
  requests: 0, ok: 0, expectedErrors: 0, unexpected: 0, byKind: {} as Record<string, number>, ingested: 0, targeted: 0, full: 0,
  subscriptions: 0, events: 0, keysCreated: 0, keysRevoked: 0, revokedClosed: 0, serverWarnings: 0, serverErrors: 0,
};
const unexpectedSeen: string[] = [];

interface Ctx { url: string; key: string; clusterId: string; outcomeIds: string[]; stageIds: string[]; accountIds: string[]; externalIds: string[] }

/** One request; `expect` is the error code the request is meant to get (undefined: it must succeed). */
async function gql(ctx: Ctx, kind: string, query: string, variables?: object, expect?: string, key = ctx.key): Promise<any> {
  counts.requests++;
  counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
  let status = 0;
  let body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } | undefined;
  try {
    const res = await fetch(ctx.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    status = res.status;
    body = (await res.json()) as typeof body;
  } catch (err) {
    counts.unexpected++;
    if (unexpectedSeen.length < 20) unexpectedSeen.push(`${kind}: ${String(err).slice(0, 200)}`);
    return undefined;
  }
  const code = body?.errors?.[0]?.extensions?.code;
  if (expect ? code === expect : !body?.errors?.length && status === 200) {
    if (expect) counts.expectedErrors++; else counts.ok++;
  } else {
    counts.unexpected++;
    if (unexpectedSeen.length < 20) unexpectedSeen.push(`${kind}: HTTP ${status} ${JSON.stringify(body?.errors ?? body).slice(0, 300)}`);
  }
  return body?.data;
}

/** The dashboard with page size and drivers' top inlined: a new document (parsed, validated, compiled) per pair. */
function dashboardLiteral(first: number, top: number): string {
  return DASHBOARD_QUERY
    .replace('query Dashboard($clusterId: ID!, $first: Int!, $topDrivers: Int = 3)', 'query DashboardLiteral($clusterId: ID!)')
    .replace('first: $first', `first: ${first}`)
    .replace('top: $topDrivers', `top: ${top}`);
}

const LIST_FIELDS = `pageInfo { hasNextPage endCursor } edges { node { id externalId name health { score band worstJourneyStatus }
  outcomes { outcomeId score band change(days: 30) { delta } journey { status daysUntilDue } } } }`;

function gqlLiteral(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(gqlLiteral).join(', ')}]`;
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${gqlLiteral(x)}`).join(', ')} }`;
  if (typeof v === 'string') return /^[A-Z_]+$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

function randomFilter(ctx: Ctx): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  if (rand() < 0.4) f.bands = some(['RED', 'YELLOW', 'GREEN', 'UNKNOWN']);
  if (rand() < 0.3) f.journeyStatuses = some(['ON_TRACK', 'AHEAD', 'BEHIND', 'STUCK']);
  if (rand() < 0.3) f.scoreMin = int(0, 60);
  if (rand() < 0.2) f.scoreMax = int(60, 100);
  if (rand() < 0.3) f.outcomeId = pick(ctx.outcomeIds);
  if (rand() < 0.1) f.stageId = pick(ctx.stageIds);
  if (rand() < 0.1) f.search = `Account ${int(1, 99)}`;
  return f;
}

function randomOrder(): Record<string, unknown> | undefined {
  if (rand() < 0.3) return undefined;
  const field = pick(['NAME', 'SCORE', 'SCORE', 'SCORE_CHANGE', 'RENEWAL_DATE', 'CREATED_AT']);
  return { field, direction: pick(['ASC', 'DESC']), ...(field === 'SCORE_CHANGE' ? { changeDays: pick([7, 30, 90]) } : {}) };
}

const FIRSTS = [10, 20, 25, 50, 100];

/** One read (or deliberately failing request) of the mix. */
async function oneRead(ctx: Ctx): Promise<void> {
  const r = rand();
  if (r < 0.22) {
    await gql(ctx, 'dashboard (variables)', DASHBOARD_QUERY, { clusterId: ctx.clusterId, first: rand() < 0.7 ? pick(FIRSTS) : int(1, 200), topDrivers: int(1, 8) });
  } else if (r < 0.34) {
    await gql(ctx, 'dashboard (literals)', dashboardLiteral(rand() < 0.5 ? pick(FIRSTS) : int(1, 200), int(1, 8)), { clusterId: ctx.clusterId });
  } else if (r < 0.48) {
    const filter = randomFilter(ctx);
    const orderBy = randomOrder();
    await gql(ctx, 'account list (variables)', `query List($f: AccountFilter, $o: AccountOrder, $n: Int) { accounts(filter: $f, orderBy: $o, first: $n) { ${LIST_FIELDS} } }`,
      { f: filter, o: orderBy, n: pick(FIRSTS) });
  } else if (r < 0.58) {
    const filter = randomFilter(ctx);
    const orderBy = randomOrder();
    const argsText = [`first: ${int(1, 200)}`, Object.keys(filter).length ? `filter: ${gqlLiteral(filter)}` : '', orderBy ? `orderBy: ${gqlLiteral(orderBy)}` : ''].filter(Boolean).join(', ');
    await gql(ctx, 'account list (literals)', `{ accounts(${argsText}) { ${LIST_FIELDS} } }`);
  } else if (r < 0.66) {
    const ext = pick(ctx.externalIds);
    await gql(ctx, 'account detail', `query Detail($x: String!, $top: Int) { accountByExternalId(externalId: $x) { id name attributes tags health { score band coverage }
      outcomes { outcomeId score band coverage proactive reactive drivers(top: $top) { key name score pointsLost } journey { status nextMilestone { name } milestones { milestone { key } } }
      change(days: 7) { delta movers { key delta } } } healthHistory { asOf score band } } }`, { x: ext, top: rand() < 0.5 ? null : int(1, 8) });
  } else if (r < 0.82) {
    const a = rand();
    if (a < 0.25) await gql(ctx, 'journeyProgress', 'query($o: ID!) { journeyProgress(outcomeId: $o) { accounts statuses { onTrack ahead behind stuck } milestones { due achieved overdue medianDaysToAchieve } } }', { o: pick(ctx.outcomeIds) });
    else if (a < 0.5) await gql(ctx, 'clusterHealth', 'query($c: ID!) { clusterHealth(clusterId: $c) { overall { accounts meanScore bands { red yellow green unknown } } outcomes { meanScore scored } } }', { c: ctx.clusterId });
    else if (a < 0.7) await gql(ctx, 'healthTrend', `{ healthTrend(interval: ${pick(['DAY', 'WEEK'])}, scope: { outcomeId: "${pick(ctx.outcomeIds)}" }) { at accounts meanScore bands { red green } } }`);
    else if (a < 0.85) await gql(ctx, 'movers', `{ movers(days: ${pick([7, 14, 30])}, limit: ${int(1, 20)}) { drops { delta score account { name } topDrivers { componentId } } rises { delta } } }`);
    else await gql(ctx, 'healthEvents', 'query($s: DateTimeISO!, $n: Int!) { healthEvents(since: $s, first: $n) { edges { cursor node { kind accountName score } } pageInfo { hasNextPage endCursor } } }', { s: new Date(Date.now() - int(1, 60) * 60_000).toISOString(), n: int(10, 200) });
  } else {
    const e = rand();
    if (e < 0.3) await gql(ctx, 'error: validation', `{ accounts(first: 5) { edges { node { nope${int(1, 50)} } } } }`, undefined, 'GRAPHQL_VALIDATION_FAILED');
    else if (e < 0.45) await gql(ctx, 'error: syntax', `{ accounts(first: ${int(1, 9)}) { edges { node { id `, undefined, 'GRAPHQL_PARSE_FAILED');
    else if (e < 0.7) await gql(ctx, 'error: NOT_FOUND', 'query($id: ID!) { outcome(id: $id) { id name } }', { id: '00000000-0000-4000-8000-' + String(int(1, 999999)).padStart(12, '0') }, 'NOT_FOUND');
    else if (e < 0.9) await gql(ctx, 'error: BAD_USER_INPUT', 'query($f: AccountFilter) { accounts(filter: $f) { edges { node { id } } } }', { f: { scoreMin: int(101, 1000) } }, 'BAD_USER_INPUT');
    else await gql(ctx, 'error: UNAUTHENTICATED', '{ clusters { id } }', undefined, 'UNAUTHENTICATED', '');
  }
}

const SIGNAL_TYPES = ['login', 'login', 'feature_used', 'feature_used', 'usage', 'ticket_opened', 'meeting', 'nps'];
let signalSeq = 0;

async function ingestOnce(ctx: Ctx): Promise<void> {
  const now = Date.now();
  const signals = Array.from({ length: INGEST_BATCH }, () => {
    const type = pick(SIGNAL_TYPES);
    const n = signalSeq++;
    return {
      accountExternalId: pick(ctx.externalIds), type, occurredAt: new Date(now - int(0, 3600_000)).toISOString(), idempotencyKey: `soak-${LABEL}-${n}`,
      ...(type === 'feature_used' ? { subject: `f${n % 12}` } : {}), ...(type === 'usage' || type === 'nps' ? { value: int(0, 10) } : {}),
    };
  });
  const data = await gql(ctx, 'ingestSignals', 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted duplicates rejected { index } } }', { s: signals });
  counts.ingested += data?.ingestSignals?.accepted ?? 0;
}

let fullRunId: string | undefined;

async function rescoreOnce(ctx: Ctx, full: boolean): Promise<void> {
  if (full) {
    if (fullRunId) {
      const run = await gql(ctx, 'scoringRun', 'query($id: ID!) { scoringRun(id: $id) { state } }', { id: fullRunId });
      if (run && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.scoringRun.state)) return; // one full run at a time
    }
    const data = await gql(ctx, 'recomputeHealth (full)', 'mutation { recomputeHealth { id total } }');
    fullRunId = data?.recomputeHealth?.id;
    counts.full++;
  } else {
    const ids = Array.from({ length: int(1, 50) }, () => pick(ctx.accountIds));
    await gql(ctx, 'recomputeHealth (targeted)', 'mutation($ids: [ID!]) { recomputeHealth(scope: { accountIds: $ids }) { id total } }', { ids });
    counts.targeted++;
  }
}

const SUBSCRIPTION = `subscription($f: HealthEventFilter) { healthChanged(filter: $f) { kind accountId accountName outcomeName fromBand toBand score previousScore asOf } }`;

/** A healthChanged subscriber that stays `ms`, then leaves; resolves when it has closed. */
async function subscribeFor(ctx: Ctx, ms: number, key = ctx.key): Promise<'closed' | 'revoked'> {
  const client = createWsClient({ url: ctx.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
  counts.subscriptions++;
  const filter = rand() < 0.5 ? {} : rand() < 0.5 ? { outcomeId: pick(ctx.outcomeIds) } : { kinds: ['BAND_CHANGED'] };
  let revoked = false;
  const ended = new Promise<void>((resolve) => {
    client.on('closed', (e) => { if ((e as { code?: number })?.code === 4403) revoked = true; resolve(); });
    client.subscribe({ query: SUBSCRIPTION, variables: { f: filter } }, {
      next: () => { counts.events++; },
      error: () => resolve(),
      complete: () => resolve(),
    });
  });
  await Promise.race([ended, sleep(ms)]);
  await client.dispose();
  return revoked ? 'revoked' : 'closed';
}

async function keyOnce(ctx: Ctx): Promise<void> {
  const data = await gql(ctx, 'createApiKey', 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }', { i: { name: `soak ${counts.keysCreated}`, role: pick(['ANALYST', 'CSM', 'INGEST']) } });
  if (!data) return;
  counts.keysCreated++;
  const { key, apiKey } = data.createApiKey;
  await gql({ ...ctx, key }, 'read with a new key', '{ viewer { role } }');
  // Now and then a subscription on that key, which its revocation must close.
  const sub = rand() < 0.3 ? subscribeFor(ctx, 30_000, key) : undefined;
  if (sub) await sleep(300);
  await gql(ctx, 'revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: apiKey.id });
  counts.keysRevoked++;
  if (sub && (await sub) === 'revoked') counts.revokedClosed++;
}

/** Run `fn` every `ms` (the first time after `firstMs`) until `until`, one at a time (a slow one delays the next, it never piles up). */
async function every(ms: number, until: number, fn: () => Promise<void>, what: string, firstMs = ms): Promise<void> {
  if (!ms) return;
  for (let next = Date.now() + firstMs; Date.now() < until; next += ms) {
    await sleep(Math.max(0, next - Date.now()));
    if (Date.now() >= until) break;
    await fn().catch((err) => { counts.unexpected++; if (unexpectedSeen.length < 20) unexpectedSeen.push(`${what}: ${String(err).slice(0, 200)}`); });
  }
}

// ---------------------------------------------------------------- samples

interface Sample { t: number; rss: number; anon: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; prepared: number; connections: number; requests: number }

const MB = 1024 * 1024;
let probeMisses = 0;

async function takeSample(server: Server, t0: number): Promise<Sample> {
  const proc = procStatus(server.pid);
  // A server starved of CPU (a shared machine) may answer late: its heap figures are then missing from this sample
  // (NaN, left out of the summary), and the run goes on.
  const p = await probe(server, { cmd: 'sample' }, 60_000).catch(() => { probeMisses++; return { memory: { heapUsed: NaN, heapTotal: NaN, external: NaN, arrayBuffers: NaN }, prepared: { statements: NaN, connections: NaN } }; });
  return {
    t: (Date.now() - t0) / 60_000, rss: proc.rss, anon: proc.anon,
    heapUsed: p.memory.heapUsed / MB, heapTotal: p.memory.heapTotal / MB, external: p.memory.external / MB, arrayBuffers: p.memory.arrayBuffers / MB,
    prepared: p.prepared.statements, connections: p.prepared.connections, requests: counts.requests,
  };
}

/** Least-squares slope of y over t (minutes), MB/min. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((s, [t]) => s + t, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [t, y]) => s + (t - mt) * (y - my), 0);
  const den = points.reduce((s, [t]) => s + (t - mt) ** 2, 0);
  return den ? num / den : NaN;
}

// ---------------------------------------------------------------- main

async function seed(url: string, server: Server): Promise<Omit<Ctx, 'url'>> {
  const db = createDataSource(url, 2);
  await db.initialize();
  const { workspace, adminKey } = await createWorkspace(db, 'Soak');
  await db.destroy();
  const ctx0 = { url: server.url, key: adminKey } as Ctx;
  await defineModel((query, variables) => gql(ctx0, 'seed', query, variables).then((d) => { if (!d) throw new Error(`seeding failed: ${unexpectedSeen.join('; ')}`); return d; }));
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    log(`generating ${f0(ACCOUNTS)} accounts × ${SIGNALS_PER_ACCOUNT} signals`);
    await generate(pg, workspace.id, ACCOUNTS, ACCOUNTS * SIGNALS_PER_ACCOUNT, 'soak-', { seed: SEED, log });
    await pg.query('VACUUM ANALYZE signals');
  } finally {
    await pg.end();
  }
  log('first full rescore');
  const { recomputeHealth } = await gql(ctx0, 'seed', 'mutation { recomputeHealth { id } }');
  for (;;) {
    const { scoringRun } = await gql(ctx0, 'seed', 'query($id: ID!) { scoringRun(id: $id) { state error } }', { id: recomputeHealth.id });
    if (scoringRun.state === 'SUCCEEDED') break;
    if (['FAILED', 'CANCELLED'].includes(scoringRun.state)) throw new Error(`first rescore ${scoringRun.state}: ${scoringRun.error}`);
    await sleep(1000);
  }
  return { key: adminKey, ...(await describeWorkspace(url, workspace.id)) };
}

async function describeWorkspace(url: string, workspaceId: string): Promise<Omit<Ctx, 'url' | 'key'>> {
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    const q = async (sql: string) => (await pg.query(sql, [workspaceId])).rows;
    const [{ id: clusterId }] = await q('SELECT id FROM clusters WHERE workspace_id = $1 AND is_default');
    const outcomeIds = (await q('SELECT id FROM outcomes WHERE workspace_id = $1 ORDER BY name')).map((r) => r.id);
    const stageIds = (await q('SELECT id FROM journey_stages WHERE workspace_id = $1 ORDER BY id')).map((r) => r.id);
    const accounts = await q('SELECT id, external_id FROM accounts WHERE workspace_id = $1 ORDER BY external_id');
    return { clusterId, outcomeIds, stageIds, accountIds: accounts.map((r) => r.id), externalIds: accounts.map((r) => r.external_id) };
  } finally {
    await pg.end();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const { url, embedded, pgVersion, data: kept } = await benchDatabase(DB_NAME, 'bench-soak', REUSE);
  let server: Server | undefined;
  try {
    let stored = kept ? JSON.parse(kept) as { workspaceId: string; key: string; accounts: number; signals: number } : undefined;
    if (stored && (stored.accounts !== ACCOUNTS || stored.signals !== SIGNALS_PER_ACCOUNT)) throw new Error(`--reuse: ${DB_NAME} was seeded with ${stored.accounts} accounts × ${stored.signals} signals`);
    const db = createDataSource(url, 2);
    await db.initialize();
    await runMigrations(db);
    await db.destroy();
    server = await startServer(url);
    log(`server pid ${server.pid} at ${server.url}${Object.keys(EXTRA_ENV).length ? ` with ${JSON.stringify(EXTRA_ENV)}` : ''}`);
    let ctx: Ctx;
    if (stored) {
      log(`reusing ${DB_NAME} (${f0(ACCOUNTS)} accounts)`);
      ctx = { url: server.url, key: stored.key, ...(await describeWorkspace(url, stored.workspaceId)) };
    } else {
      const seeded = await seed(url, server);
      ctx = { url: server.url, ...seeded };
      const pg = new PgClient({ connectionString: url });
      await pg.connect();
      const [{ id: workspaceId }] = (await pg.query('SELECT workspace_id AS id FROM accounts LIMIT 1')).rows;
      stored = { workspaceId, key: seeded.key, accounts: ACCOUNTS, signals: SIGNALS_PER_ACCOUNT };
      await pg.query(`COMMENT ON DATABASE ${DB_NAME} IS '${JSON.stringify(stored).replace(/'/g, "''")}'`);
      await pg.end();
      // The soak measures a server that starts fresh on seeded data, as the reused-database runs do.
      await stop(server);
      server = await startServer(url);
      log(`server restarted after seeding: pid ${server.pid}`);
      ctx.url = server.url;
    }
    Object.assign(counts, { requests: 0, ok: 0, expectedErrors: 0, unexpected: 0, byKind: {}, serverWarnings: 0, serverErrors: 0 });
    unexpectedSeen.length = 0;

    const loads: string[] = [`start ${os.loadavg().map(f1).join(' / ')}`];
    const t0 = Date.now();
    const until = t0 + MINUTES * 60_000;
    const samples: Sample[] = [await takeSample(server, t0)];
    log(`load for ${MINUTES} min: ${READERS} readers (pause ${READER_PAUSE_MS} ms), ${INGEST_BATCH} signals every ${INGEST_EVERY_MS / 1000} s, targeted rescore every ${TARGETED_EVERY_MS / 1000} s, full every ${FULL_EVERY_MS / 60_000} min, ${SUBSCRIBERS} subscribers, a key every ${KEYS_EVERY_MS / 1000} s`);
    const srv = server;
    const sampler = (async () => {
      let lastLog = 0;
      const snapshots = [...SNAPSHOTS];
      while (Date.now() < until) {
        await sleep(SAMPLE_MS);
        const s = await takeSample(srv, t0);
        samples.push(s);
        if (Date.now() - lastLog > 60_000) {
          lastLog = Date.now();
          log(`${f1(s.t)} min: RSS ${f0(s.rss)} MB (anon ${f0(s.anon)}), heap ${f0(s.heapUsed)}/${f0(s.heapTotal)} MB, external ${f0(s.external)} MB, prepared ${s.prepared} on ${s.connections} connections; ${f0(counts.requests)} requests, ${counts.unexpected} unexpected; load ${os.loadavg()[0].toFixed(1)}`);
        }
        if (snapshots.length && s.t >= snapshots[0]) {
          const file = path.join(OUT_DIR, `${LABEL}-${snapshots.shift()}min.heapsnapshot`);
          log(`heap snapshot → ${path.relative(ROOT, file)}`);
          await probe(srv, { cmd: 'snapshot', file }, 30 * 60_000); // minutes on a starved machine
        }
        if (Math.abs(s.t - MINUTES / 2) < SAMPLE_MS / 60_000) loads.push(`half-way ${os.loadavg().map(f1).join(' / ')}`);
      }
    })();
    const readers = Array.from({ length: READERS }, async () => {
      while (Date.now() < until) { await oneRead(ctx).catch(() => undefined); await sleep(READER_PAUSE_MS); }
    });
    const subscribers = Array.from({ length: SUBSCRIBERS }, async () => {
      while (Date.now() < until) await subscribeFor(ctx, Math.min(int(5_000, 60_000), Math.max(0, until - Date.now()))).catch(() => undefined);
    });
    await Promise.all([sampler, ...readers, ...subscribers,
      every(INGEST_EVERY_MS, until, () => ingestOnce(ctx), 'ingest'),
      every(TARGETED_EVERY_MS, until, () => rescoreOnce(ctx, false), 'targeted rescore'),
      every(FULL_EVERY_MS, until, () => rescoreOnce(ctx, true), 'full rescore', FULL_EVERY_MS / 2), // a 10-minute run has one too
      every(KEYS_EVERY_MS, until, () => keyOnce(ctx), 'api keys'),
    ]);
    loads.push(`end ${os.loadavg().map(f1).join(' / ')}`);
    const hwm = procStatus(server.pid).hwm;
    fs.writeFileSync(path.join(OUT_DIR, `${LABEL}.csv`), ['minute,rss_mb,rss_anon_mb,heap_used_mb,heap_total_mb,external_mb,array_buffers_mb,prepared_statements,connections,requests',
      ...samples.map((s) => [s.t.toFixed(3), f1(s.rss), f1(s.anon), f1(s.heapUsed), f1(s.heapTotal), f1(s.external), f1(s.arrayBuffers), s.prepared, s.connections, s.requests].join(','))].join('\n') + '\n');
    const summary = summarize(samples, hwm, loads);
    process.stdout.write(`\n${summary}\n`);
    if (WRITE) writeResults(startedAt, pgVersion, summary);
  } finally {
    if (server) await stop(server);
    await embedded?.stop();
  }
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  await new Promise<void>((resolve) => { server.child.once('exit', () => resolve()); server.child.kill('SIGTERM'); setTimeout(() => server.child.kill('SIGKILL'), 10_000).unref(); });
}

function summarize(samples: Sample[], hwm: number, loads: string[]): string {
  const last = samples[samples.length - 1];
  const half = samples.filter((s) => s.t >= last.t / 2);
  const row = (what: string, get: (s: Sample) => number, unit = 'MB') => {
    const known = samples.filter((s) => Number.isFinite(get(s)));
    if (!known.length) return `| ${what} | n/a | n/a | n/a | n/a |`;
    const values = known.map(get);
    const peak = Math.max(...values);
    const peakAt = known[values.indexOf(peak)].t;
    const sl = slope(half.filter((s) => Number.isFinite(get(s))).map((s) => [s.t, get(s)]));
    return `| ${what} | ${f0(get(known[0]))} ${unit} | ${f0(peak)} ${unit} (minute ${f1(peakAt)}) | ${f0(get(known[known.length - 1]))} ${unit} | ${sl >= 0 ? '+' : ''}${sl.toFixed(2)} ${unit}/min |`;
  };
  const marks = [0, 0.25, 0.5, 0.75, 1].map((q) => samples.reduce((best, s) => (Math.abs(s.t - q * last.t) < Math.abs(best.t - q * last.t) ? s : best)));
  const kinds = Object.entries(counts.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${f0(n)}`).join(', ');
  return [
    `| ${LABEL}: ${f1(last.t)} min | start | peak | end | slope over the second half |`, '|---|---|---|---|---|',
    row('RSS', (s) => s.rss), row('RSS, anonymous', (s) => s.anon), row('V8 heap used', (s) => s.heapUsed), row('V8 heap total', (s) => s.heapTotal),
    row('external (buffers)', (s) => s.external), row('prepared statements', (s) => s.prepared, 'stmts'),
    '',
    `RSS over the run (MB): ${marks.map((s) => `${f0(s.rss)} at ${f1(s.t)} min`).join(', ')}; VmHWM at the end ${f0(hwm)} MB.`,
    '',
    `Load: ${f0(counts.requests)} requests (${f0(counts.ok)} answered as expected, ${f0(counts.expectedErrors)} deliberate errors answered with their code, ${counts.unexpected} unexpected), `
      + `${f0(counts.ingested)} signals ingested, ${counts.targeted} targeted and ${counts.full} full rescores, ${counts.subscriptions} subscriptions (${f0(counts.events)} events received), `
      + `${counts.keysCreated} API keys created and ${counts.keysRevoked} revoked (${counts.revokedClosed} subscriptions closed by a revocation); server log: ${counts.serverWarnings} warnings, ${counts.serverErrors} errors; ${samples.length} samples (${probeMisses} without heap figures: the probe answered late). By kind: ${kinds}.`,
    ...(unexpectedSeen.length ? ['', `Unexpected answers (first ${unexpectedSeen.length}): ${unexpectedSeen.map((u) => `\`${u.replace(/`/g, "'")}\``).join('; ')}`] : []),
    '',
    `Machine load average (1/5/15 min): ${loads.join('; ')}.`,
  ].join('\n');
}

function writeResults(startedAt: Date, pgVersion: string, summary: string): void {
  const file = path.join(__dirname, 'RESULTS.md');
  const block = [
    `<!-- bench:soak run ${LABEL} start -->`,
    `### ${LABEL}`,
    '',
    `- Date: ${startedAt.toISOString()}; command: \`${process.env.DATABASE_URL ? 'DATABASE_URL=<server> ' : ''}npm run bench:soak${args.length ? ` -- ${args.join(' ')}` : ''}\``,
    `- Machine: ${os.cpus().length} CPUs (\`nproc\`: ${execFileSync('nproc').toString().trim()}), ${os.cpus()[0]?.model ?? ''}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}; PostgreSQL ${pgVersion}; shared with other work.`,
    `- Data: ${f0(ACCOUNTS)} accounts × ${SIGNALS_PER_ACCOUNT} signals, 2 outcomes × 8 components, 3-stage journeys (bench/scoring-model.ts), fully scored before the load. Server: \`npm start\`'s node flags, NODE_ENV=production, LOG_LEVEL=warn, worker on${Object.keys(EXTRA_ENV).length ? `, ${Object.entries(EXTRA_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}. Samples every ${SAMPLE_MS / 1000} s: .data/soak/${LABEL}.csv.`,
    '',
    summary,
    `<!-- bench:soak run ${LABEL} end -->`,
  ].join('\n');
  const intro = [
    '<!-- bench:soak start (written by `npm run bench:soak`; keep this block when rewriting the file) -->',
    '## Soak: memory under mixed load',
    '',
    'Each run: the real server under a mixed load for a fixed time (reads with varied arguments as variables and literals, errors, ingestion, targeted and full rescores, subscriptions opening and closing, API keys created and revoked), sampled every few seconds. RSS from /proc, V8 heap and external memory and the named prepared statements of the server\'s connections from a probe preloaded into the server for the soak only (bench/soak-probe.ts). Slope: least squares over the second half of the run.',
    '',
  ].join('\n');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const sectionRe = /<!-- bench:soak start[\s\S]*?<!-- bench:soak end -->/;
  const blockRe = new RegExp(`<!-- bench:soak run ${LABEL.replace(/[.]/g, '\\.')} start -->[\\s\\S]*?<!-- bench:soak run ${LABEL.replace(/[.]/g, '\\.')} end -->`);
  let section = sectionRe.exec(existing)?.[0];
  if (!section) section = `${intro}\n<!-- bench:soak end -->`;
  section = blockRe.test(section) ? section.replace(blockRe, block) : section.replace('<!-- bench:soak end -->', `${block}\n\n<!-- bench:soak end -->`);
  const next = sectionRe.test(existing) ? existing.replace(sectionRe, section) : `${existing.trimEnd()}${existing ? '\n\n' : ''}${section}\n`;
  fs.writeFileSync(file, next);
  process.stdout.write(`\nwrote the "${LABEL}" run of the soak section of ${path.relative(ROOT, file)}\n`);
}

main().catch((err) => { process.stderr.write(`soak failed: ${err?.stack ?? err}\n`); process.exit(1); });
