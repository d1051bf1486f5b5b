/**
 * A worker process for the "killed run" test: processes a scoring run and SIGKILLs itself inside
 * chunk N, after the engine wrote that chunk's scores and before the chunk commits.
 * Usage: node -r @swc-node/register test/support/scoring-run-child.ts <dbUrl> <workspaceId> <runId> <killAtChunk>
 */
import 'reflect-metadata';
import { createDataSource } from '../../src/shared/db/data-source';
import { runHooks } from '../../src/scoring/runs.engine';
import { processRun } from '../../src/scoring/runs.service';

const [url, workspaceId, runId, killAt] = process.argv.slice(2);

async function main(): Promise<void> {
  const db = createDataSource(url, 2);
  await db.initialize();
  runHooks.afterChunkScored = ({ chunk }) => {
    if (chunk === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  };
  const outcome = await processRun(db, workspaceId, runId);
  process.stdout.write(`${outcome}\n`);
  await db.destroy();
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err)); process.exit(1); });
