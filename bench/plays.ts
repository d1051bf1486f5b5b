/**
 * `npm run bench:plays -- --db <url> --workspace <id>`: what evaluating every play adds to a full rescore, on a
 * database seeded by `npm run bench:scoring -- --seed-only --db <name> --sizes 100000` (100k accounts, 10M signals).
 *
 * Defines one play per trigger kind (nine; each opens a task, two also queue a webhook), gives the accounts renewal
 * dates and 1% of them a champion_left tag, then times: a full rescore (createRun + processRun, as the worker runs
 * it), the first evaluation (everything that matches fires: tasks and deliveries are written), a second full rescore
 * and the steady-state evaluation after it (nothing new fires: the daily case). Writes the figures into
 * bench/RESULTS.md between the `plays` markers.
 */
import 'reflect-metadata';
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
  await db.initialize();
  await runMigrations(db);
  const scope = TenantScope.system(db, workspaceId);
  const [{ accounts }] = await db.query(`SELECT count(*)::int AS accounts FROM accounts WHERE workspace_id = $1`, [workspaceId]);

  // A rerun starts clean.
  for (const table of ['tasks', 'play_firings', 'plays', 'webhook_endpoints']) await db.query(`DELETE FROM ${table} WHERE workspace_id = $1`, [workspaceId]);
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

  const lines: string[] = [];
  const note = (s: string) => { lines.push(s); process.stdout.write(`${s}\n`); };
  const rescore = async (): Promise<number> => {
    const t0 = Date.now();
    const run = await createRun(scope, {}, { kind: ScoringRunKind.CLI });
    const outcome = await processRun(db, workspaceId, run.id);
    if (outcome !== 'SUCCEEDED') throw new Error(`rescore ${outcome}`);
    return Date.now() - t0;
  };
  const describe = (e: EvaluationSummary) => `${e.plays} plays, ${e.fired.toLocaleString('en')} fired, ${e.tasks.toLocaleString('en')} tasks, ${e.deliveries.toLocaleString('en')} webhook deliveries queued`;

  note(`load average before: ${load()} (1/5/15 min, ${os.cpus().length} cores)`);
  const r1 = await rescore();
  note(`full rescore of ${accounts.toLocaleString('en')} accounts: ${secs(r1)} (load ${load()})`);
  const e1 = await evaluatePlays(db, workspaceId);
  note(`first evaluation of every play (everything matching fires): ${secs(e1.ms)}, ${(100 * e1.ms / r1).toFixed(1)} % of the rescore — ${describe(e1)}`);
  const r2 = await rescore();
  note(`second full rescore: ${secs(r2)} (load ${load()})`);
  const e2 = await evaluatePlays(db, workspaceId);
  note(`evaluation after it (steady state: conditions persist, nothing new fires): ${secs(e2.ms)}, ${(100 * e2.ms / r2).toFixed(1)} % of the rescore — ${describe(e2)}, ${e2.cleared} cleared`);
  note(`load average after: ${load()}`);

  const file = path.join(__dirname, 'RESULTS.md');
  const section = ['<!-- plays:start -->', '## Plays after a full rescore (`npm run bench:plays`)', '',
    `Run ${new Date().toISOString()} on ${url.replace(/\/\/[^@]*@/, '//')}: ${accounts.toLocaleString('en')} accounts seeded by \`bench:scoring --seed-only\`, nine plays (one per trigger kind), target ≤ 10 % of the rescore.`,
    '', ...lines.map((l) => `- ${l}`), '<!-- plays:end -->'].join('\n');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const next = /<!-- plays:start -->[\s\S]*<!-- plays:end -->/.test(before)
    ? before.replace(/<!-- plays:start -->[\s\S]*<!-- plays:end -->/, section) : `${before.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  await db.destroy();
}

main().catch((err) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
