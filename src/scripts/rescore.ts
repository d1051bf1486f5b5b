/**
 * `npm run rescore -- --workspace <id> [--cluster <id>] [--outcome <id>] [--chunk-size 5000] [--as-of 2026-01-31T00:00:00Z]`:
 * a full (or scoped) rescore in this process, as a scoring run (visible to `scoringRuns`), with a
 * progress bar and the elapsed time.
 */
import 'reflect-metadata';
import { SingleBar, Presets } from 'cli-progress';
import { evaluatePlays } from '../plays/play.evaluate';
import { createRun, processRun, validateAsOf } from '../scoring/runs.service';
import { ScoringRunKind, ScoringRun } from '../scoring/runs.entity';
import { isUuid, TenantScope } from '../shared/tenant';
import { fail, flag, withDatabase } from './cli';

const args = process.argv.slice(2);
const workspaceId = flag(args, 'workspace');
if (!workspaceId || !isUuid(workspaceId)) fail('Usage: npm run rescore -- --workspace <workspace id> [--cluster <id>] [--outcome <id>] [--chunk-size N] [--as-of <past ISO time>]');
const chunkSize = flag(args, 'chunk-size') ? Number(flag(args, 'chunk-size')) : undefined;
// --as-of: backfill history at a past time (snapshots only; current scores move only forward).
const asOfFlag = flag(args, 'as-of');

withDatabase(async ({ db }) => {
  const scope = TenantScope.system(db, workspaceId!);
  const started = Date.now();
  const asOf = asOfFlag ? validateAsOf(new Date(asOfFlag)) : undefined;
  const run = await createRun(scope, { clusterId: flag(args, 'cluster'), outcomeId: flag(args, 'outcome') }, { kind: ScoringRunKind.CLI, chunkSize, asOf });
  process.stdout.write(`Scoring run ${run.id}: ${run.total} accounts at ${run.asOf.toISOString()}\n`);
  const bar = new SingleBar({ format: '  {bar} {percentage}% | {value}/{total} accounts | {duration_formatted}', hideCursor: true }, Presets.shades_classic);
  bar.start(run.total, 0);
  const outcome = await processRun(db, workspaceId!, run.id, { onProgress: ({ done }) => bar.update(done) });
  bar.stop();
  const final = await scope.mustFind(ScoringRun, run.id, 'Scoring run');
  const secs = ((Date.now() - started) / 1000).toFixed(2);
  process.stdout.write(`${outcome}: ${final.done}/${final.total} accounts in ${secs} s${final.error ? ` — ${final.error}` : ''}\n`);
  if (outcome !== 'SUCCEEDED') process.exitCode = 1;
  else {
    // As the worker does after a run: tasks and webhook deliveries for conditions that now hold (a worker sends them).
    const plays = await evaluatePlays(db, workspaceId!);
    if (plays.plays) process.stdout.write(`Plays: ${plays.fired} fired (${plays.tasks} tasks, ${plays.deliveries} webhooks queued), ${plays.cleared} cleared\n`);
  }
}).catch((err) => fail(`Rescore failed: ${err?.message ?? err}`));
