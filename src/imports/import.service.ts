/**
 * Bulk import of accounts or signals from a CSV or NDJSON file, for backfilling history:
 * stream -> COPY into an UNLOGGED staging table -> validate and move set-based in SQL, all in one
 * transaction (a failed import stores nothing). Re-running the same file stores nothing twice.
 * Callable without the CLI (tests, jobs): `runImport({ db, workspaceId, file })`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { requestRescore } from '../scoring/rescore';
import { TenantScope, isUuid } from '../shared/tenant';
import { latestAllowedMs } from '../signals/signal.rules';
import { ACCOUNT_FIELDS, accountRejectsCopySql, accountStager, accountStagingDdl, accountCopySql, isAttributeColumn, moveAccounts } from './accounts.import';
import { normalizeFieldName, unknownFields } from './fields';
import { formatOf, peekFields, streamRecords, type ImportFormat, type RecordStager } from './records';
import { SIGNAL_FIELDS, moveSignals, signalCopySql, signalProblem, signalRejectsCopySql, signalStager, signalStagingDdl } from './signals.import';

export type ImportKind = 'accounts' | 'signals';

export interface ImportOptions {
  db: DataSource;
  workspaceId: string;
  file: string;
  /** Inferred from the fields when omitted. */
  kind?: ImportKind;
  /** Where rejected lines go; default `<file>.rejected.ndjson`. */
  rejectsPath?: string;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ImportSummary {
  kind: ImportKind;
  format: ImportFormat;
  rowsRead: number;
  /** Signals stored / accounts created or changed. */
  stored: number;
  /** Already known (same idempotency key, unchanged account, or an account repeated later in the file). */
  duplicates: number;
  rejected: number;
  created?: number;
  updated?: number;
  seconds: number;
  rowsPerSecond: number;
  rejectsPath: string | null;
  /** Seconds per phase: copy (read + parse + COPY), check (rejects), store (move into the tables). */
  phases: { copy: number; check: number; store: number };
}

export class ImportError extends Error {}

/** signals: has type and occurredAt; accounts: has externalId (and no type). */
export function inferKind(fields: string[]): ImportKind {
  const f = new Set(fields.map(normalizeFieldName));
  if (f.has('type') && f.has('occurredat')) return 'signals';
  if (f.has('externalid')) return 'accounts';
  throw new ImportError('Cannot tell whether this file holds accounts or signals (signals need type and occurredAt, accounts externalId); pass --kind.');
}

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const format = formatOf(opts.file);
  const totalBytes = (await fsp.stat(opts.file)).size;
  const fields = await peekFields(opts.file, format);
  const kind = opts.kind ?? inferKind(fields);
  const unknown = kind === 'signals' ? unknownFields(fields, SIGNAL_FIELDS) : unknownFields(fields, ACCOUNT_FIELDS, isAttributeColumn);
  if (unknown.length) throw new ImportError(`Unknown field(s) for ${kind}: ${unknown.join(', ')}.`);
  if (!isUuid(opts.workspaceId)) throw new ImportError('--workspace must be a workspace id (uuid).');
  const [ws] = await opts.db.query('SELECT id FROM workspaces WHERE id = $1', [opts.workspaceId]);
  if (!ws) throw new ImportError(`Workspace ${opts.workspaceId} was not found.`);

  const table = `import_stage_${randomBytes(6).toString('hex')}`;
  const rejectsPath = opts.rejectsPath ?? `${opts.file}.rejected.ndjson`;
  const latest = new Date(latestAllowedMs());
  const runner = opts.db.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  const phases = { copy: 0, check: 0, store: 0 };
  let result: { rowsRead: number; stored: number; rejected: number; created?: number; updated?: number; accountIds: string[] };
  try {
    await runner.startTransaction();
    const scope = new TenantScope(opts.workspaceId, runner.manager, 'SYSTEM');
    await runner.query(`SET LOCAL timezone = 'UTC'`);
    await runner.query(`SET LOCAL work_mem = '256MB'`); // the move sorts a million rows: in memory, not on disk
    const stager: RecordStager = kind === 'signals' ? signalStager : accountStager;
    await runner.query(kind === 'signals' ? signalStagingDdl(table) : accountStagingDdl(table));
    const copy = client.query(copyFrom(kind === 'signals' ? signalCopySql(table) : accountCopySql(table)));
    const lap = (() => { let t = process.hrtime.bigint(); return () => { const n = process.hrtime.bigint(); const d = Number(n - t) / 1e9; t = n; return d; }; })();
    const rowsRead = await streamRecords(opts.file, format, stager, copy, (n) => opts.onProgress?.(n, totalBytes));
    await runner.query(`ANALYZE ${table}`); // real row counts, so the planner hash-joins the accounts
    phases.copy = lap();

    const rejectsSql = kind === 'signals'
      ? signalRejectsCopySql(table, opts.workspaceId, latest, client)
      : accountRejectsCopySql(table, opts.workspaceId, client);
    const rejected = await writeRejects(client, rejectsSql, kind, rejectsPath, !opts.rejectsPath);
    phases.check = lap();
    if (kind === 'signals') {
      const moved = await moveSignals(scope, table, latest);
      result = { rowsRead, rejected, stored: moved.stored, accountIds: moved.accountIds };
    } else {
      const moved = await moveAccounts(scope, table);
      result = { rowsRead, rejected, stored: moved.created + moved.updated, created: moved.created, updated: moved.updated, accountIds: moved.accountIds };
    }
    // in the import's transaction: what is stored always comes with its rescore request
    if (result.accountIds.length) await requestRescore(scope, result.accountIds);
    await runner.query(`DROP TABLE ${table}`);
    await runner.commitTransaction();
    phases.store = lap();
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rowsRead, stored, rejected } = result;
  return {
    kind, format, rowsRead, stored, rejected, duplicates: rowsRead - rejected - stored,
    ...(kind === 'accounts' ? { created: result.created, updated: result.updated } : {}),
    seconds, rowsPerSecond: Math.round(rowsRead / seconds), rejectsPath: rejected ? rejectsPath : null, phases,
  };
}

/**
 * Stream `line \t problem` rows (COPY … TO STDOUT) into `<rejects>.ndjson` as
 * {"line":…, "field":…, "reason":…}. No file when nothing was rejected (a stale default one is removed).
 */
async function writeRejects(client: PoolClient, sql: string, kind: ImportKind, path: string, removeStale: boolean): Promise<number> {
  let count = 0;
  let out: ReturnType<typeof createWriteStream> | null = null;
  let rest = '';
  const emit = async (text: string) => {
    out ??= createWriteStream(path);
    if (!out.write(text)) await once(out, 'drain');
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      let text = '';
      for (const l of lines) {
        const [line, problem, reason] = l.split('\t').map(unescapeCopy);
        const [field, why] = kind === 'signals' ? signalProblem(problem) : [problem === '\\N' ? null : problem, reason];
        text += `${JSON.stringify({ line: Number(line), field, reason: why })}\n`;
        count++;
      }
      emit(text).then(() => cb(), cb);
    },
  });
  await pipeline(client.query(copyTo(sql)), sink);
  if (out) {
    const o = out as ReturnType<typeof createWriteStream>;
    o.end();
    await once(o, 'finish');
  } else if (removeStale) {
    await fsp.rm(path, { force: true });
  }
  return count;
}

function unescapeCopy(v: string): string {
  return v.includes('\\') && v !== '\\N' ? v.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r' } as Record<string, string>)[c] ?? c) : v;
}
