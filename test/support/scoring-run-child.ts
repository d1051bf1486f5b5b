/**
 * A worker process for the "killed run" test: processes a scoring run and SIGKILLs itself inside
 * chunk N, after the engine wrote that chunk's scores and before the chunk commits.
 * Usage: node -r @swc-node/register test/support/scoring-run-child.ts <dbUrl> <workspaceId> <runId> <killAtChunk> <concurrency> [<waitForDone>]
 * With waitForDone, chunk N is killed only once the run's committed chunks add up to that many accounts (a later chunk
 * committed before it: out of order).
 */
import 'reflect-metadata';
import { createDataSource } from '../../src/shared/db/data-source';
import { processRun } from '../../src/scoring/runs.service';

const [url, workspaceId, runId, killAt, concurrency, waitForDone] = process.argv.slice(2);

async function main(): Promise<void> {
  const db = createDataSource(url, 4);
  await db.initialize();
  let reached: () => void = () => undefined;
  let isReached = !waitForDone;
  const committed = new Promise<void>((resolve) => { reached = () => { isReached = true; resolve(); }; });
  if (!waitForDone) reached();
  const afterChunkScored = async ({ chunk }: { chunk: number }) => {
    if (chunk !== Number(killAt)) {
      // Once the awaited chunks are in, no other chunk may commit before the kill: a lane faster than chunk N's
      // would otherwise go on and commit the next chunk too (the test saw it on a busy machine).
      if (waitForDone && isReached) await new Promise(() => undefined);
      return;
    }
    await committed;
    process.kill(process.pid, 'SIGKILL');
  };
  const outcome = await processRun(db, workspaceId, runId, {
    concurrency: Number(concurrency),
    afterChunkScored,
    onProgress: ({ done }) => { if (waitForDone && done >= Number(waitForDone)) reached(); },
  });
  process.stdout.write(`${outcome}\n`);
  await db.destroy();
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err)); process.exit(1); });
