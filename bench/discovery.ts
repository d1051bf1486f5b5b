/**
 * `npm run bench:discovery [-- --accounts N]`: cluster discovery at scale (issue 15: 100,000 accounts × 30
 * features, profiles and clustering under 60 s, memory under 1 GB).
 *
 * - Data generated inside PostgreSQL (INSERT … SELECT generate_series, seeded hash): N accounts of four planted
 *   personas (persona = account number mod 4), 40 signals each over the last 80 days, whose type and subject mix
 *   depend on the persona; persona 1 alone has plan "enterprise". 8 signal types and 24 subject features: 32 features.
 * - Measured: one discovery (k chosen between 2 and 8, k-means) processed in this process, as the job worker
 *   does: the time of each stage, the process's peak memory (VmHWM) and heap, and how well the planted personas
 *   were recovered (adjusted Rand index).
 * Writes the "Cluster discovery" section of bench/RESULTS.md (other sections are kept).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDatabase } from './bench-db';
import { createDataSource } from '../src/shared/db/data-source';
import { runMigrations } from '../src/shared/db/bootstrap';
import { TenantScope } from '../src/shared/tenant';
import { createWorkspace } from '../src/workspaces/workspace.service';
import { adjustedRandIndex } from '../src/discovery/clustering';
import { discoverClusters, processDiscovery } from '../src/discovery/discovery.service';

const args = process.argv.slice(2);
const ACCOUNTS = (args.includes('--accounts') && Number(args[args.indexOf('--accounts') + 1])) || 100_000;
/** Keep the generated data of an earlier run with the same size (the generation is most of a run). */
const REUSE = args.includes('--reuse');
const SIGNALS_PER_ACCOUNT = 40;
const SEED = 42;
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');

/** A seeded integer hash in SQL, in [0, 2^31). */
function h(expr: string, salt: number): string {
  return `((((${expr})::bigint * 2654435761 + ${salt * 40503 + SEED * 97}) # (((${expr})::bigint * 2246822519) >> 13)) & 2147483647)`;
}

/** Type by persona (p) and a roll t in [0, 100): every persona logs in and uses features, in different proportions. */
const TYPE_CASE = `CASE
  WHEN p = 0 THEN CASE WHEN t < 40 THEN 'login' WHEN t < 80 THEN 'feature_used' WHEN t < 95 THEN 'report_run' ELSE 'ticket_opened' END
  WHEN p = 1 THEN CASE WHEN t < 25 THEN 'login' WHEN t < 65 THEN 'feature_used' WHEN t < 85 THEN 'meeting' WHEN t < 95 THEN 'integration' ELSE 'ticket_opened' END
  WHEN p = 2 THEN CASE WHEN t < 20 THEN 'login' WHEN t < 40 THEN 'feature_used' WHEN t < 85 THEN 'api_call' ELSE 'integration' END
  ELSE CASE WHEN t < 30 THEN 'login' WHEN t < 55 THEN 'feature_used' WHEN t < 90 THEN 'export' ELSE 'ticket_opened' END END`;

/** Feature subjects: each persona favours its own five of twenty features (70%), the rest spread over all twenty. */
const FEATURE = `'f' || CASE WHEN r % 10 < 7 THEN p * 5 + (r / 10) % 5 ELSE (r / 10) % 20 END`;

async function generate(db: ReturnType<typeof createDataSource>, workspaceId: string): Promise<void> {
  await db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, attributes, journey_started_at, cluster_id)
     SELECT $1, 'b' || lpad(g::text, 7, '0'), 'Account ' || g,
            jsonb_build_object('persona', g % 4, 'seats', 5 + ${h('g', 1)} % 200, 'region', (ARRAY['EU','NA','APAC'])[1 + ${h('g', 2)} % 3],
                               'plan', CASE WHEN g % 4 = 1 THEN 'enterprise' WHEN ${h('g', 3)} % 2 = 0 THEN 'starter' ELSE 'growth' END),
            now() - interval '200 days', (SELECT id FROM clusters WHERE workspace_id = $1 AND is_default)
       FROM generate_series(0, $2 - 1) g`, [workspaceId, ACCOUNTS]);
  await db.query(`CREATE TABLE bench_discovery_acc AS SELECT (attributes->>'persona')::int AS p, row_number() OVER (ORDER BY external_id) - 1 AS i, id FROM accounts WHERE workspace_id = $1`, [workspaceId]);
  await db.query('CREATE INDEX ON bench_discovery_acc (i)');
  const total = ACCOUNTS * SIGNALS_PER_ACCOUNT;
  const slice = 1_000_000;
  for (let from = 0; from < total; from += slice) {
    const to = Math.min(total, from + slice) - 1;
    await db.query(
      `INSERT INTO signals (workspace_id, account_id, type, subject, occurred_at)
       SELECT $1, x.id, x.type,
              CASE x.type WHEN 'feature_used' THEN x.feature WHEN 'login' THEN 'u' || (x.r % 5) WHEN 'ticket_opened' THEN (ARRAY['low','normal','high'])[1 + x.r % 3] END,
              now() - make_interval(secs => (x.s % (80 * 86400))::float8)
         FROM (SELECT a.id, ${TYPE_CASE} AS type, ${FEATURE} AS feature, r, s
                 FROM (SELECT g, ${h('g', 5)} % 100 AS t, ${h('g', 6)} AS r, ${h('g', 7)} AS s FROM generate_series($2::bigint, $3::bigint) g) y
                 JOIN bench_discovery_acc a ON a.i = y.g % $4) x`, [workspaceId, from, to, ACCOUNTS]);
    log(`  ${fmt(to + 1)} / ${fmt(total)} signals`);
  }
  await db.query('DROP TABLE bench_discovery_acc');
  await db.query('ANALYZE accounts; ANALYZE signals');
}

/** CPU seconds (user + system) used so far by this database's PostgreSQL backends (same machine: /proc). */
async function backendCpuS(db: ReturnType<typeof createDataSource>): Promise<number> {
  const rows: Array<{ pid: number }> = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  let total = 0;
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick; // utime, stime
    } catch { /* a backend that ended, or PostgreSQL on another machine */ }
  }
  return total;
}

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dataKey = `accounts=${ACCOUNTS} signals=${SIGNALS_PER_ACCOUNT} seed=${SEED}`;
  const { url, embedded, pgVersion, data } = await benchDatabase('oh_bench_discovery', 'bench-discovery', REUSE);
  const db = createDataSource(url, 4);
  await db.initialize();
  try {
    await runMigrations(db);
    let workspace: { id: string };
    let generateS: number | null = null;
    if (data === dataKey) {
      [workspace] = await db.query(`SELECT id FROM workspaces WHERE name = 'Bench discovery'`);
      log(`reusing the generated ${fmt(ACCOUNTS)} accounts (--reuse)`);
    } else {
      ({ workspace } = await createWorkspace(db, 'Bench discovery'));
      log(`generating ${fmt(ACCOUNTS)} accounts × ${SIGNALS_PER_ACCOUNT} signals`);
      const g0 = Date.now();
      await generate(db, workspace.id);
      generateS = (Date.now() - g0) / 1000;
      await db.query(`COMMENT ON DATABASE oh_bench_discovery IS '${dataKey}'`);
    }
    const loadBefore = os.loadavg();
    const hwmBefore = vmHwmMb();

    const scope = TenantScope.system(db, workspace.id);
    await db.query('SELECT 1'); // open the pool's connections before counting their CPU
    const pgCpu0 = await backendCpuS(db);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const d = await discoverClusters(scope, { seed: 1, attributes: ['plan', 'seats', 'region'] });
    const outcome = await processDiscovery(db, workspace.id, d.id);
    const totalS = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const nodeCpuS = (cpu.user + cpu.system) / 1e6;
    const pgCpuS = (await backendCpuS(db)) - pgCpu0;
    const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    const hwm = vmHwmMb();
    const [row] = await db.query(`SELECT result, error FROM cluster_discoveries WHERE workspace_id = $1 AND id = $2`, [workspace.id, d.id]);
    if (outcome !== 'SUCCEEDED') throw new Error(`discovery ${outcome}: ${row.error}`);
    const r = row.result;
    const members: Array<{ p: number; g: number }> = await db.query(
      `SELECT (a.attributes->>'persona')::int AS p, m.group_index AS g FROM cluster_discovery_members m
         JOIN accounts a ON a.workspace_id = m.workspace_id AND a.id = m.account_id WHERE m.workspace_id = $1 AND m.discovery_id = $2`, [workspace.id, d.id]);
    const ari = adjustedRandIndex(members.map((m) => m.p), members.map((m) => m.g));
    const t = r.timings as Record<string, number>;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const profilesAndClustering = (t.profilesMs + t.clusteringMs) / 1000;
    const rows = [
      ['generate accounts + signals (SQL)', generateS === null ? 'reused (--reuse)' : `${generateS.toFixed(1)} s`, '', ''],
      ['usage profiles (one statement)', `${s(t.profilesMs)} (${fmt(r.accounts)} accounts × ${r.features.length} features)`, '', ''],
      ['clustering (k = 2…8 on a 3,000-account sample, then every account)', `${s(t.clusteringMs)} → k = ${r.k}`, '', ''],
      ['profiles + clustering', `${profilesAndClustering.toFixed(2)} s`, '< 60 s', profilesAndClustering < 60 ? 'yes' : 'NO'],
      ['rules, traits (describing) + members, precision/recall, churn, health (measuring)', `${s(t.describingMs)} + ${s(t.measuringMs)}`, '', ''],
      ['whole discovery (request → SUCCEEDED)', `${totalS.toFixed(2)} s`, '', ''],
      ['CPU time of the whole discovery (independent of the machine\'s load)', `${(nodeCpuS + pgCpuS).toFixed(1)} s: Node ${nodeCpuS.toFixed(1)} s (clustering, rules), PostgreSQL backends ${pgCpuS.toFixed(1)} s (profiles, members, figures)`, '', ''],
      ['process peak memory (VmHWM)', `${hwm} MB (before the discovery: ${hwmBefore} MB; heap after: ${heapMb} MB)`, '< 1 GB', hwm < 1024 ? 'yes' : 'NO'],
      ['planted personas recovered (adjusted Rand index)', ari.toFixed(3), '', ''],
      ['rules', r.suggestions.map((x: any) => `${x.index}: ${x.ruleText ?? 'none'}${x.precision !== null ? ` (P ${x.precision.toFixed(2)}, R ${x.recall.toFixed(2)})` : ''}`).join('; '), '', ''],
    ];
    const table = ['| measure | value | target | met |', '|---|---|---|---|', ...rows.map((c) => `| ${c.join(' | ')} |`)].join('\n');
    process.stdout.write(`\n${table}\n`);
    const section = [
      '<!-- bench:discovery start (written by `npm run bench:discovery`; keep this block when rewriting the file) -->',
      '## Cluster discovery',
      '',
      `- Date: ${startedAt.toISOString()}; command: \`${process.env.DATABASE_URL ? 'DATABASE_URL=<server> ' : ''}npm run bench:discovery${args.length ? ` -- ${args.join(' ')}` : ''}\` (seed ${SEED})`,
      `- Machine: ${os.cpus().length} CPUs (\`nproc\`: ${execFileSync('nproc').toString().trim()}), ${os.cpus()[0]?.model ?? ''}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}; PostgreSQL ${pgVersion}`,
      `- Load average (1/5/15 min) before the discovery, other processes included: ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}; after: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}.`,
      `- Data: ${fmt(ACCOUNTS)} accounts of four planted personas × ${SIGNALS_PER_ACCOUNT} signals (${fmt(ACCOUNTS * SIGNALS_PER_ACCOUNT)}) over 80 days; one discovery with the defaults (k-means, k chosen by silhouette), processed in the benchmark process as the job worker would.`,
      '- Wall times depend on what else runs on the machine; the CPU time of the discovery (this process plus the database backends it used) does not: on an idle machine the wall time of the steps approaches it (each step uses one core).',
      '',
      table,
      '<!-- bench:discovery end -->',
    ].join('\n');
    const file = path.join(__dirname, 'RESULTS.md');
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const re = /<!-- bench:discovery start[\s\S]*?<!-- bench:discovery end -->/;
    fs.writeFileSync(file, re.test(existing) ? existing.replace(re, section) : `${existing.trimEnd()}\n\n${section}\n`);
    log('wrote the cluster discovery section of bench/RESULTS.md');
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main().catch((err) => { process.stderr.write(`bench failed: ${err?.stack ?? err}\n`); process.exit(1); });
