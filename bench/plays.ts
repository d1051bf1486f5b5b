/**
 * `npm run bench:plays -- --db <url> --workspace <id>`: what evaluating every play adds to a full rescore, on a
 * database seeded by `npm run bench:scoring -- --seed-only --db <name> --sizes 100000` (100k accounts, 10M signals).
 *
 * Defines one play per trigger kind (nine; each opens a task, two also queue a webhook), gives the accounts renewal
 * dates and 1% of them a champion_left tag, then times: a full rescore (createRun + processRun, as the worker runs
 * it), the first evaluation (everything that matches fires: tasks and deliveries are written), a second full rescore
 * and the steady-state evaluation after it (nothing new fires: the daily case). Writes the figures into
 * bench/RESULTS.md between the `plays` markers. `--steady` keeps the plays and firings of a previous run and times
 * `--rounds N` (default 1) alternations of a full rescore and the steady-state evaluation after it (the daily case).
 *
 * Besides wall time it reports CPU time — this process plus the PostgreSQL backends of this database (/proc, same
 * machine; the pool keeps its connections open so none is lost) — which other work on a shared machine does not
 * inflate. `--serial` turns parallel query off for this run's connections, so that no CPU time hides in parallel
 * workers (short-lived processes the /proc count cannot see).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../src/shared/db/data-source';
import { runMigrations } from '../src/shared/db/bootstrap';
import { evaluatePlays, type EvaluationSummary } from '../src/plays/play.evaluate';
import type { PlayInput } from '../src/plays/play.gql';
import { createPlay } from '../src/plays/play.service';
import { ScoringRunKind } from '../src/scoring/runs.entity';
import { createRun, processRun } from '../src/scoring/runs.service';
import { logger } from '../src/shared/logger';
import { TenantScope } from '../src/shared/tenant';
import { createEndpoint } from '../src/webhooks/webhook.service';

logger.level = process.env.LOG_LEVEL ?? 'warn';
const args = process.argv.slice(2);
const flag = (n: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args[i + 1] : undefined; };
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const url = flag('db');
  const workspaceId = flag('workspace');
  if (!url || !workspaceId) throw new Error('usage: npm run bench:plays -- --db <url> --workspace <id>');
  const db = createDataSource(url, 6);
  // Keep every connection (and its backend's CPU count) for the whole run; --serial: no parallel workers.
  Object.assign((db.options as { extra?: object }).extra!, { idleTimeoutMillis: 0, ...(args.includes('--serial') ? { options: '-c max_parallel_workers_per_gather=0' } : {}) });
  await db.initialize();
  await runMigrations(db);
  const scope = TenantScope.system(db, workspaceId);
  const [{ accounts }] = await db.query(`SELECT count(*)::int AS accounts FROM accounts WHERE workspace_id = $1`, [workspaceId]);

  const steady = args.includes('--steady');
  // A rerun starts clean (unless --steady).
  if (!steady) for (const table of ['tasks', 'play_firings', 'plays', 'webhook_endpoints']) await db.query(`DELETE FROM ${table} WHERE workspace_id = $1`, [workspaceId]);
  if (!steady) await setup();
  async function setup(): Promise<void> {
  await db.query(`UPDATE accounts SET renewal_date = current_date + (abs(hashtext(id::text)) % 365)::int WHERE workspace_id = $1`, [workspaceId]);
  await db.query(`DELETE FROM signals WHERE workspace_id = $1 AND type = 'tag:champion_left'`, [workspaceId]);
  await db.query(`INSERT INTO signals (workspace_id, account_id, type, occurred_at, value)
    SELECT workspace_id, id, 'tag:champion_left', now() - interval '1 day', 1 FROM accounts WHERE workspace_id = $1 AND abs(hashtext(id::text)) % 100 = 0`, [workspaceId]);
  const { endpoint } = await createEndpoint(scope, { name: 'Bench CRM', url: 'https://hooks.example.com/bench', enabled: true });
  const task = { titleTemplate: '{account.name}: {band} on {outcome.name} ({score})', dueInDays: 7, priority: 'MEDIUM' };
  const plays: Array<Record<string, unknown>> = [
    { trigger: { kind: 'BAND_ENTERED', band: 'RED' } },
    { trigger: { kind: 'BAND_LEFT', band: 'GREEN' } },
    { trigger: { kind: 'SCORE_DROPPED', points: 15, days: 7 } },
    { trigger: { kind: 'COVERAGE_BELOW', coverageBelow: 0.6 } },
    { trigger: { kind: 'JOURNEY_STATUS', journeyStatuses: ['STUCK'] }, webhookEndpointId: endpoint.id },
    { trigger: { kind: 'MILESTONE_OVERDUE' } },
    { trigger: { kind: 'TAG_ADDED', tag: 'champion_left' } },
    { trigger: { kind: 'RENEWAL_WITHIN', days: 60, bands: ['RED', 'YELLOW'] }, webhookEndpointId: endpoint.id },
    { trigger: { kind: 'NO_TOUCHPOINT', days: 45 } },
  ];
  for (const p of plays) {
    await createPlay(scope, { name: `Bench ${(p.trigger as { kind: string }).kind}`, enabled: true, cooldownDays: 7, task, ...p } as unknown as PlayInput);
  }
  }

  const lines: string[] = [];
  const note = (s: string) => { lines.push(s); process.stdout.write(`${s}\n`); };
  const rescore = async (): Promise<number> => {
    const t0 = Date.now();
    const run = await createRun(scope, {}, { kind: ScoringRunKind.CLI });
    const outcome = await processRun(db, workspaceId, run.id);
    if (outcome !== 'SUCCEEDED') throw new Error(`rescore ${outcome}`);
    return Date.now() - t0;
  };
  /** `fn`'s wall time and CPU time (this process + this database's backends), in ms. */
  const measured = async <T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> => {
    await Promise.all(Array.from({ length: 6 }, () => db.query('SELECT pg_sleep(0.01)'))); // open the whole pool first
    const before = await backendCpu();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const value = await fn();
    const wallMs = Date.now() - t0;
    const own = process.cpuUsage(cpu0);
    const after = await backendCpu();
    let pgMs = 0;
    for (const [pid, ms] of after) pgMs += ms - (before.get(pid) ?? 0);
    return { value, wallMs, cpuMs: Math.round((own.user + own.system) / 1000 + pgMs) };
  };
  const tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  async function backendCpu(): Promise<Map<number, number>> {
    const rows: Array<{ pid: number }> = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / tick); // utime + stime
      } catch { /* a backend that ended, or PostgreSQL on another machine */ }
    }
    return out;
  }
  const describe = (e: EvaluationSummary) => `${e.plays} plays, ${e.fired.toLocaleString('en')} fired, ${e.tasks.toLocaleString('en')} tasks, ${e.deliveries.toLocaleString('en')} webhook deliveries queued`;

  note(`load average before: ${load()} (1/5/15 min, ${os.cpus().length} cores)${args.includes('--serial') ? '; parallel query off (--serial)' : ''}`);
  const cpu = (ms: number) => `${(ms / 1000).toFixed(2)} s CPU`;
  if (!steady) {
    const r1 = await measured(rescore);
    note(`full rescore of ${accounts.toLocaleString('en')} accounts: ${secs(r1.wallMs)}, ${cpu(r1.cpuMs)} (load ${load()})`);
    const e1 = await measured(() => evaluatePlays(db, workspaceId));
    note(`first evaluation of every play (everything matching fires): ${secs(e1.wallMs)}, ${cpu(e1.cpuMs)} — ${(100 * e1.wallMs / r1.wallMs).toFixed(1)} % of the rescore's wall time, ${(100 * e1.cpuMs / r1.cpuMs).toFixed(1)} % of its CPU time — ${describe(e1.value)}`);
  }
  const rounds = Number(flag('rounds') ?? 1);
  const shares: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r2 = await measured(rescore);
    note(`full rescore${rounds > 1 ? ` ${i + 1}/${rounds}` : ''}: ${secs(r2.wallMs)}, ${cpu(r2.cpuMs)} (load ${load()})`);
    const e2 = await measured(() => evaluatePlays(db, workspaceId));
    shares.push(e2.cpuMs / r2.cpuMs);
    note(`evaluation after it (steady state: conditions persist, nothing new fires): ${secs(e2.wallMs)}, ${cpu(e2.cpuMs)} — ${(100 * e2.wallMs / r2.wallMs).toFixed(1)} % of the rescore's wall time, **${(100 * e2.cpuMs / r2.cpuMs).toFixed(1)} % of its CPU time** — ${describe(e2.value)}, ${e2.value.cleared} cleared (load ${load()})`);
  }
  if (rounds > 1) note(`steady-state CPU share over ${rounds} rounds: median ${(100 * shares.sort((a, b) => a - b)[Math.floor(rounds / 2)]).toFixed(1)} %, range ${(100 * shares[0]).toFixed(1)}–${(100 * shares[rounds - 1]).toFixed(1)} %`);
  note(`load average after: ${load()}`);

  const file = path.join(__dirname, 'RESULTS.md');
  const section = ['<!-- plays:start -->', '## Plays after a full rescore (`npm run bench:plays`)', '',
    `Run ${new Date().toISOString()} on ${url.replace(/\/\/[^@]*@/, '//')}: ${accounts.toLocaleString('en')} accounts seeded by \`bench:scoring --seed-only\`, nine plays (one per trigger kind), target ≤ 10 % of the rescore.`,
    '', ...lines.map((l) => `- ${l}`), '<!-- plays:end -->'].join('\n');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (steady) { process.stdout.write(section + '\n'); await db.destroy(); return; } // partial runs never write RESULTS.md
  const next = /<!-- plays:start -->[\s\S]*<!-- plays:end -->/.test(before)
    ? before.replace(/<!-- plays:start -->[\s\S]*<!-- plays:end -->/, section) : `${before.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  await db.destroy();
}

main().catch((err) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
