/**
 * `npm run import -- --workspace <id> [--kind accounts|signals] [--rejects <path>] <file.csv|file.ndjson>`
 * Bulk import (backfills): streams the file into PostgreSQL with COPY, validates and stores set-based,
 * writes rejected lines with reasons to `<file>.rejected.ndjson`. Safe to re-run.
 */
import 'reflect-metadata';
import { SingleBar } from 'cli-progress';
import { ImportError, ImportFailedError, runImport, type ImportKind } from '../imports/import.service';
import { fail, flag, withDatabase } from './cli';

const USAGE = 'Usage: npm run import -- --workspace <id> [--kind accounts|signals] [--rejects <path>] <file.csv|file.ndjson>';
const args = process.argv.slice(2);
const workspaceId = flag(args, 'workspace');
const kind = flag(args, 'kind');
const rejectsPath = flag(args, 'rejects');
const valued = new Set(['--workspace', '--kind', '--rejects']);
const file = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1] ?? ''));
if (!workspaceId || !file) fail(USAGE);
if (kind && kind !== 'accounts' && kind !== 'signals') fail(`--kind must be accounts or signals.\n${USAGE}`);

const mb = (n: number) => (n / 1048576).toFixed(1);

/** A bar on a terminal; plain progress lines (every 5 s) when stderr is a file or a pipe. */
function progress(): { update(bytes: number, total: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      stream: process.stderr, format: 'importing [{bar}] {percentage}% | {done}/{all} MB | ETA {eta}s', hideCursor: true,
    });
    let started = false;
    return {
      update(bytes, total) {
        if (!started) { bar.start(total, 0, { done: '0.0', all: mb(total) }); started = true; }
        bar.update(bytes, { done: mb(bytes), all: mb(total) });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(bytes, total) {
      const now = Date.now();
      if (now - last < 5000 && bytes < total) return;
      last = now;
      process.stderr.write(`importing: ${mb(bytes)}/${mb(total)} MB (${total ? Math.floor((bytes / total) * 100) : 100}%)\n`);
    },
    stop: () => undefined,
  };
}

withDatabase(async ({ db }) => {
  const bar = progress();
  try {
    const s = await runImport({
      db, workspaceId: workspaceId!, file: file!, kind: kind as ImportKind | undefined, rejectsPath,
      onProgress: (bytes, total) => bar.update(bytes, total),
    });
    bar.stop();
    const extra = s.kind === 'accounts' ? ` (created ${s.created}, updated ${s.updated})` : '';
    process.stdout.write(
      `Imported ${s.kind} from ${file} (${s.format}):\n`
      + `  rows read:  ${s.rowsRead}\n  stored:     ${s.stored}${extra}\n  duplicates: ${s.duplicates}\n  rejected:   ${s.rejected}`
      + `${s.rejectsPath ? `  -> ${s.rejectsPath}` : ''}\n`
      + `  time:       ${s.seconds.toFixed(2)} s (${s.rowsPerSecond} rows/s; read+COPY ${s.phases.copy.toFixed(1)} s, `
      + `check ${s.phases.check.toFixed(1)} s, store ${s.phases.store.toFixed(1)} s`
      + `${s.chunks ? `; ${s.chunks} chunk(s), read while stored, store summed over connections` : ''})\n`);
  } finally {
    bar.stop();
  }
}).catch((err) => fail(
  err instanceof ImportError ? err.message
    : err instanceof ImportFailedError
      ? `Import failed after storing ${err.stored} signal(s) in committed chunks; running it again stores only the rest: ${err.message}`
      : `Import failed (nothing was stored): ${err?.message ?? err}`));
