/**
 * Bulk import of accounts or signals from a CSV or NDJSON file, for backfilling history:
 * stream -> COPY into an UNLOGGED staging table -> validate and move set-based in SQL.
 * Accounts: one transaction (a failed import stores nothing). Signals: pipelined in chunks of
 * CHUNK_ROWS lines — one connection reads and COPYs the next chunk while others move the previous
 * one into `signals`, each chunk committed on its own (see importSignals). Re-running the same file
 * stores nothing twice, so a failed signals import is finished by running it again.
 * Callable without the CLI (tests, jobs): `runImport({ db, workspaceId, file })`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { requestRescore } from '../jobs/rescore-requests';
import { APP_ROLE } from '../shared/db/data-source';
import { ownerQuery } from '../shared/db/owner';
import { TenantScope, isUuid } from '../shared/tenant';
import { latestAllowedMs } from '../signals/signal.rules';
import { ACCOUNT_FIELDS, accountRejectsCopySql, accountStager, accountStagingDdl, accountCopySql, isAttributeColumn, moveAccounts } from './accounts.import';
import { normalizeFieldName, unknownFields } from './fields';
import { formatOf, peekFields, streamRecords, streamSink, type ImportFormat, type RowSink } from './records';
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
  /** Signals: lines per chunk (each checked, moved and committed on its own); default CHUNK_ROWS. */
  chunkRows?: number;
  /** Signals: connections moving chunks into `signals` at once (1 or 2); default 2 for files over one chunk. */
  movers?: number;
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
  /**
   * Seconds per phase: copy (read + parse + COPY), check (rejects), store (move into the tables).
   * Signals imports run them at once (pipelined): then each is the time spent in it, summed over connections.
   */
  phases: { copy: number; check: number; store: number };
  /** Signals: chunks (transactions) the file was stored in. */
  chunks?: number;
}

export class ImportError extends Error {}

/** A signals import that failed after some chunks were committed: `stored` says how many signals. */
export class ImportFailedError extends Error {
  constructor(readonly stored: number, readonly error: unknown) {
    super(`${(error as Error)?.message ?? error}`);
  }
}

/** Signals lines per chunk: large enough for set-based moves, small enough to overlap reading and moving. */
export const CHUNK_ROWS = 200_000;

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
  const [ws] = await ownerQuery(opts.db, 'SELECT id FROM workspaces WHERE id = $1', [opts.workspaceId]);
  if (!ws) throw new ImportError(`Workspace ${opts.workspaceId} was not found.`);

  const rejects = new RejectsFile(opts.rejectsPath ?? `${opts.file}.rejected.ndjson`, kind);
  let result: { rowsRead: number; stored: number; rejected: number; created?: number; updated?: number; chunks?: number };
  const phases = { copy: 0, check: 0, store: 0 };
  try {
    result = kind === 'signals'
      ? await importSignals(opts, format, totalBytes, rejects, phases)
      : await importAccounts(opts, format, totalBytes, rejects, phases);
  } finally {
    await rejects.close(!opts.rejectsPath);
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rowsRead, stored, rejected } = result;
  return {
    kind, format, rowsRead, stored, rejected, duplicates: rowsRead - rejected - stored,
    ...(kind === 'accounts' ? { created: result.created, updated: result.updated } : { chunks: result.chunks }),
    seconds, rowsPerSecond: Math.round(rowsRead / seconds), rejectsPath: rejected ? rejects.path : null, phases,
  };
}

const stageName = () => `import_stage_${randomBytes(6).toString('hex')}`;
/**
 * The import stages rows as the owner (its tables are its own) and moves them as the application role, under
 * row-level security (TenantScope.joinOwnerTransaction): the move reads the staging table.
 */
const grantStage = (table: string) => `GRANT SELECT ON ${table} TO ${APP_ROLE}`;

function stopwatch(): () => number {
  let t = process.hrtime.bigint();
  return () => { const n = process.hrtime.bigint(); const d = Number(n - t) / 1e9; t = n; return d; };
}

/** COPY into `sql`'s table through `client`; `end()` resolves once PostgreSQL has taken every row. */
function copyInto(client: PoolClient, sql: string): { sink: RowSink; end(): Promise<void> } {
  const copy = client.query(copyFrom(sql));
  const failed = new Promise<never>((_, reject) => copy.once('error', reject));
  failed.catch(() => undefined); // surfaced by the next write or by end()
  return {
    sink: streamSink(copy),
    end: async () => { copy.end(); await Promise.race([finished(copy), failed]); },
  };
}

/** Accounts: one transaction — stage, check, upsert, rescore request (a failed import stores nothing). */
async function importAccounts(
  opts: ImportOptions, format: ImportFormat, totalBytes: number, rejects: RejectsFile, phases: ImportSummary['phases'],
): Promise<{ rowsRead: number; stored: number; rejected: number; created: number; updated: number }> {
  const table = stageName();
  const runner = opts.db.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL timezone = 'UTC'`);
    await runner.query(`SET LOCAL work_mem = '256MB'`);
    await runner.query(accountStagingDdl(table));
    await runner.query(grantStage(table));
    const lap = stopwatch();
    const copy = copyInto(client, accountCopySql(table));
    const rowsRead = await streamRecords(opts.file, format, accountStager, copy.sink, (n) => opts.onProgress?.(n, totalBytes));
    await copy.end();
    await runner.query(`ANALYZE ${table}`); // real row counts, so the planner hash-joins the accounts
    phases.copy = lap();
    const rejected = await rejects.writeFrom(client, accountRejectsCopySql(table, opts.workspaceId, client));
    phases.check = lap();
    const scope = await TenantScope.joinOwnerTransaction(opts.db, opts.workspaceId, runner.manager);
    const moved = await moveAccounts(scope, table);
    // in the import's transaction: what is stored always comes with its rescore request
    if (moved.accountIds.length) await requestRescore(scope, moved.accountIds);
    await runner.query('SET LOCAL ROLE NONE'); // the owner again, to drop its staging table
    await runner.query(`DROP TABLE ${table}`);
    await runner.commitTransaction();
    phases.store = lap();
    return { rowsRead, rejected, stored: moved.created + moved.updated, created: moved.created, updated: moved.updated };
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }
}

/** Session settings of every import transaction (SET LOCAL: the pooled connection keeps its own). */
async function importSettings(q: { query(sql: string): Promise<unknown> }): Promise<void> {
  await q.query(`SET LOCAL timezone = 'UTC'`); // timestamps without offset are UTC
  await q.query(`SET LOCAL work_mem = '256MB'`); // the move sorts a chunk: in memory, not on disk
  // a commit does not wait for its WAL flush: a crash may lose the last chunks' commits, which a
  // re-run (idempotent) stores again; nothing is ever half-stored
  await q.query(`SET LOCAL synchronous_commit = off`);
}

/** Staging tables of signals imports whose reader connection is gone (a killed or crashed import). */
async function dropOrphanedStages(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname ~ '^import_stage_p[0-9]+_'
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = substring(c.relname FROM '^import_stage_p([0-9]+)_')::int)`);
  for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS ${client.escapeIdentifier(name)}`);
}

interface Chunk {
  table: string;
  /** Bytes of the file read when the chunk was complete (progress once it is stored). */
  bytes: number;
  /** Movers that are done with it; the last one drops the staging table. */
  done: number;
}

/**
 * Signals, pipelined. The reader (one connection) parses the file and COPYs it in chunks of
 * `chunkRows` lines into UNLOGGED staging tables, writing each chunk's rejects; `movers`
 * connections move the staged chunks into `signals`, chunk after chunk, while the next chunk is
 * being read — so PostgreSQL and Node work at once (the move dominates: ~10 µs per row).
 * With two movers each takes the keys of one hash half of every chunk: a key is always moved by
 * the same connection, in file order, so the first line with a key still wins and two movers
 * never wait for each other. Each mover commits each chunk with its rescore request; a failure
 * leaves the chunks committed before it stored (reported), and a re-run stores just the rest.
 * The reader stays at most MAX_AHEAD chunks ahead of the movers (bounded staging space).
 */
async function importSignals(
  opts: ImportOptions, format: ImportFormat, totalBytes: number, rejects: RejectsFile, phases: ImportSummary['phases'],
): Promise<{ rowsRead: number; stored: number; rejected: number; chunks: number }> {
  const chunkRows = Math.max(1, opts.chunkRows ?? CHUNK_ROWS);
  // a second mover pays only when there is more than one chunk to move
  // the reader and each mover hold a connection of the pool for the whole import
  const poolSize = Number((opts.db.options as { extra?: { max?: number } }).extra?.max ?? 10);
  if (poolSize < 2) throw new ImportError('A signals import needs a connection pool of at least 2 (DB_POOL_SIZE).');
  const movers = Math.min(2, poolSize - 1, Math.max(1, opts.movers ?? (totalBytes > chunkRows * 40 ? 2 : 1)));
  const MAX_AHEAD = 2;
  const latest = new Date(latestAllowedMs());
  const queue: (Chunk | null)[] = []; // null: no more chunks
  const waiting: (() => void)[] = [];
  const wake = () => { for (const w of waiting.splice(0)) w(); };
  const next = () => new Promise<void>((r) => waiting.push(r));
  let failure: unknown = null;
  let stored = 0;
  let rejected = 0;
  let chunks = 0;
  let droppedTo = 0; // chunks dropped (moved by every mover)
  const created: string[] = [];

  const reader = opts.db.createQueryRunner();
  const readerClient = (await reader.connect()) as PoolClient;
  // chunks are committed tables: named after the reader's backend, so a killed import's are found
  const { rows: [{ pid }] } = await readerClient.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await dropOrphanedStages(readerClient);
  const chunkName = () => `import_stage_p${pid}_${randomBytes(6).toString('hex')}`;
  const runners = await Promise.all(Array.from({ length: movers }, async () => {
    const r = opts.db.createQueryRunner();
    await r.connect();
    return r;
  }));

  const drop = async (table: string) => { await readerClient.query(`DROP TABLE IF EXISTS ${table}`); };

  const move = async (part: number) => {
    const runner = runners[part];
    for (let i = 0; ; i++) {
      while (queue.length <= i && !failure) await next();
      if (failure) return;
      const chunk = queue[i];
      if (!chunk) return;
      const lap = stopwatch();
      await runner.startTransaction();
      try {
        await importSettings(runner);
        const scope = await TenantScope.joinOwnerTransaction(opts.db, opts.workspaceId, runner.manager);
        const moved = await moveSignals(scope, chunk.table, latest, movers > 1 ? { part, of: movers } : undefined);
        // in the chunk's transaction: what is stored always comes with its rescore request
        if (moved.accountIds.length) await requestRescore(scope, moved.accountIds);
        await runner.commitTransaction();
        stored += moved.stored;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
      phases.store += lap();
      if (++chunk.done === movers) {
        droppedTo++;
        await drop(chunk.table);
        opts.onProgress?.(chunk.bytes, totalBytes);
        wake();
      }
    }
  };

  const read = async () => {
    let bytes = 0;
    let current: { table: string; rows: number; copy: ReturnType<typeof copyInto> } | null = null;
    const lap = stopwatch();
    const close = async () => {
      if (!current) return;
      const { table, copy } = current;
      current = null;
      await copy.end();
      await readerClient.query('COMMIT'); // the movers' connections see the chunk from here
      created.push(table);
      await readerClient.query(`ANALYZE ${table}`); // real row counts, so the planner hash-joins the accounts
      phases.copy += lap();
      await readerClient.query('BEGIN');
      await importSettings(readerClient);
      rejected += await rejects.writeFrom(readerClient, signalRejectsCopySql(table, opts.workspaceId, latest, readerClient));
      await readerClient.query('COMMIT');
      phases.check += lap();
      queue.push({ table, bytes, done: 0 });
      chunks++;
      wake();
    };
    const open = async () => {
      while (queue.length - droppedTo >= MAX_AHEAD && !failure) await next();
      if (failure) throw failure;
      const table = chunkName();
      await readerClient.query('BEGIN');
      await importSettings(readerClient); // COPY reads timestamps without offset as UTC
      await readerClient.query(signalStagingDdl(table)); // UNLOGGED: no WAL for staging
      await readerClient.query(grantStage(table));
      lap();
      return { table, rows: 0, copy: copyInto(readerClient, signalCopySql(table)) };
    };
    // COPY text lines end with \n (a newline inside a value is escaped), so a piece can be cut between rows
    const sink: RowSink = async (text, rows) => {
      for (let from = 0; rows > 0;) {
        if (failure) throw failure;
        current ??= await open();
        const take = Math.min(rows, chunkRows - current.rows);
        let to = text.length;
        if (take < rows) {
          to = from;
          for (let k = 0; k < take; k++) to = text.indexOf('\n', to) + 1;
        }
        await current.copy.sink(from === 0 && to === text.length ? text : text.slice(from, to), take);
        current.rows += take;
        rows -= take;
        from = to;
        if (current.rows >= chunkRows) await close();
      }
    };
    const rowsRead = await streamRecords(opts.file, format, signalStager, sink, (n) => { bytes = n; });
    await close();
    if (!chunks) opts.onProgress?.(bytes, totalBytes);
    queue.push(null);
    wake();
    return rowsRead;
  };

  let rowsRead = 0;
  try {
    const fail = (err: unknown) => { failure ??= err; wake(); throw err; };
    const results = await Promise.allSettled([
      read().then((n) => { rowsRead = n; }, fail),
      ...runners.map((_, part) => move(part).catch(fail)),
    ]);
    if (failure) throw failure;
    const bad = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (bad) throw bad.reason;
  } catch (err) {
    await readerClient.query('ROLLBACK').catch(() => undefined);
    for (const t of created) await drop(t).catch(() => undefined);
    throw stored ? new ImportFailedError(stored, err) : err;
  } finally {
    await reader.release();
    for (const r of runners) await r.release();
  }
  return { rowsRead, stored, rejected, chunks };
}

/**
 * `<rejects>.ndjson`: `line \t problem` rows (COPY … TO STDOUT) written as {"line":…, "field":…, "reason":…},
 * appended chunk after chunk. No file when nothing was rejected (a stale default one is removed).
 */
class RejectsFile {
  private out: ReturnType<typeof createWriteStream> | null = null;
  count = 0;

  constructor(readonly path: string, private readonly kind: ImportKind) {}

  private async emit(text: string): Promise<void> {
    this.out ??= createWriteStream(this.path);
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  /** Appends the rejects `sql` returns; resolves to how many. */
  async writeFrom(client: PoolClient, sql: string): Promise<number> {
    let count = 0;
    let rest = '';
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop()!;
        let text = '';
        for (const l of lines) {
          const [line, problem, reason] = l.split('\t').map(unescapeCopy);
          const [field, why] = this.kind === 'signals' ? signalProblem(problem) : [problem === '\\N' ? null : problem, reason];
          text += `${JSON.stringify({ line: Number(line), field, reason: why })}\n`;
          count++;
        }
        this.emit(text).then(() => cb(), cb);
      },
    });
    await pipeline(client.query(copyTo(sql)), sink);
    this.count += count;
    return count;
  }

  async close(removeStale: boolean): Promise<void> {
    if (this.out) {
      const o = this.out;
      this.out = null;
      o.end();
      await once(o, 'finish');
    } else if (removeStale && !this.count) {
      await fsp.rm(this.path, { force: true });
    }
  }
}

function unescapeCopy(v: string): string {
  return v.includes('\\') && v !== '\\N' ? v.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r' } as Record<string, string>)[c] ?? c) : v;
}
