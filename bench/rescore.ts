/**
 * Scratch/bench: time a full rescore on an existing seeded database (e.g. a clone of a `bench:scoring --seed-only` database).
 *   node -r @swc-node/register bench/rescore.ts --db <url> --workspace <id> [--mode engine|run] [--chunk-size N] [--asof ISO]
 * engine: one scoreAccounts(persist) over the whole workspace, per-step timings; run: createRun + processRun.
 */
import 'reflect-metadata';
import { createDataSource } from '../src/shared/db/data-source';
import { runMigrations } from '../src/shared/db/bootstrap';
import { scoreAccounts } from '../src/scoring/engine';
import { ScoringRunKind } from '../src/scoring/runs.entity';
import { createRun, processRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import os from 'node:os';

const args = process.argv.slice(2);
const flag = (n: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args[i + 1] : undefined; };

async function main() {
  const url = flag('db')!;
  const workspaceId = flag('workspace')!;
  const mode = flag('mode') ?? 'run';
  const db = createDataSource(url, 6);
  await db.initialize();
  await runMigrations(db);
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`load before: ${load()}`);
  const t0 = Date.now();
  if (mode === 'engine') {
    const asOf = flag('asof') ? new Date(flag('asof')!) : new Date();
    // --ids N: the first N accounts by id (a run's chunk), --no-persist: read-only
    const n = flag('ids') ? Number(flag('ids')) : 0;
    const accountIds = n ? (await db.query(`SELECT id FROM accounts WHERE workspace_id = $1 ORDER BY id LIMIT $2`, [workspaceId, n])).map((r: { id: string }) => r.id) : null;
    const r = await scoreAccounts(TenantScope.system(db, workspaceId), { asOf, accountIds, persist: !args.includes('--no-persist') });
    console.log(JSON.stringify(r.timings));
    console.log(`engine: ${r.accountCount} accounts, ${r.outcomeCount} outcomes in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  } else {
    const chunkSize = flag('chunk-size') ? Number(flag('chunk-size')) : undefined;
    const run = await createRun(TenantScope.system(db, workspaceId), {}, { kind: ScoringRunKind.CLI, chunkSize });
    let last = Date.now();
    const outcome = await processRun(db, workspaceId, run.id, {
      onProgress: ({ done, total, timings }) => { const now = Date.now(); console.log(`  ${done}/${total} +${now - last} ms ${JSON.stringify(timings)}`); last = now; },
    });
    console.log(`run: ${outcome} ${run.total} accounts, chunks of ${run.chunkSize}, in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  }
  console.log(`load after: ${load()}`);
  await db.destroy();
}
main().catch((e) => { console.error(e); process.exit(1); });
