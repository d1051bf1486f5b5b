/**
 * Signals import: rows are parsed in the stream (timestamps, numbers) and staged with COPY; every
 * rule is then applied set-based in SQL (the same rules and reasons as `ingestSignals`), and the
 * valid rows of each staged chunk move into `signals` in one INSERT … SELECT (import.service.ts
 * pipelines the chunks). A row without an idempotency key gets
 * one derived from its content (md5), so importing the same file again stores nothing twice.
 */
import type { PoolClient } from 'pg';
import type { TenantScope } from '../shared/tenant';
import {
  EARLIEST_SIGNAL_MS, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_SUBJECT_LENGTH, MAX_TYPE_LENGTH, SIGNAL_REASONS, SIGNAL_TYPE_PATTERN,
} from '../signals/signal.rules';
import { copyField, isIsoTimestamp } from './copy-text';
import { LINE_PROBLEMS, asText, headerIndexes, snakeCase } from './fields';
import type { RecordStager } from './records';

export const SIGNAL_FIELDS = ['accountExternalId', 'type', 'occurredAt', 'subject', 'value', 'idempotencyKey'] as const;

/** Problem code -> [field, reason] for the rejects file. */
const PROBLEMS: Record<string, [string | null, string]> = {
  accountRequired: ['accountExternalId', SIGNAL_REASONS.accountRequired],
  accountUnknown: ['accountExternalId', SIGNAL_REASONS.accountUnknown],
  typeRequired: ['type', SIGNAL_REASONS.typeRequired],
  typeLength: ['type', SIGNAL_REASONS.typeLength],
  typeFormat: ['type', SIGNAL_REASONS.typeFormat],
  occurredAtRequired: ['occurredAt', SIGNAL_REASONS.occurredAtRequired],
  occurredAtInvalid: ['occurredAt', SIGNAL_REASONS.occurredAtInvalid],
  occurredAtTooEarly: ['occurredAt', SIGNAL_REASONS.occurredAtTooEarly],
  subjectLength: ['subject', SIGNAL_REASONS.subjectLength],
  idempotencyKeyLength: ['idempotencyKey', SIGNAL_REASONS.idempotencyKeyLength],
  valueNotFinite: ['value', SIGNAL_REASONS.valueNotFinite],
  valueNotNumber: ['value', 'value must be a number.'],
  textNotObject: [null, 'accountExternalId, type, subject and idempotencyKey must be text, not objects or lists.'],
};

export function signalProblem(code: string): [string | null, string] {
  if (code === 'occurredAtFuture') return ['occurredAt', SIGNAL_REASONS.occurredAtFuture()];
  if (LINE_PROBLEMS[code]) return [null, LINE_PROBLEMS[code]];
  return PROBLEMS[code] ?? [null, code];
}

export function signalStagingDdl(table: string): string {
  return `CREATE UNLOGGED TABLE ${table} (line bigint NOT NULL, account_external_id text, type text, occurred_at timestamptz,
    subject text, value float8, idempotency_key text, problem text)`;
}

export function signalCopySql(table: string): string {
  return `COPY ${table} (line, account_external_id, type, occurred_at, subject, value, idempotency_key, problem) FROM STDIN`;
}

/** One staged row; parse problems (bad timestamp, not a number) are staged as a code, not thrown. */
function stageRow(line: number, ext: unknown, type: unknown, occurredAt: unknown, subject: unknown, value: unknown, key: unknown): string {
  let problem: string | null = null;
  const e = asText(ext), t = asText(type), s = asText(subject), k = asText(key);
  if (e === undefined || t === undefined || s === undefined || k === undefined) problem = 'textNotObject';
  let at: string | null = null;
  if (occurredAt !== null && occurredAt !== undefined && occurredAt !== '') {
    if (typeof occurredAt === 'string' && isIsoTimestamp(occurredAt)) at = occurredAt; // PostgreSQL parses it (as UTC when no offset)
    else problem ??= 'occurredAtInvalid';
  }
  let v: number | null = null;
  if (value !== null && value !== undefined && value !== '') {
    v = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
    if (Number.isNaN(v)) { problem ??= 'valueNotNumber'; v = null; } else if (!Number.isFinite(v)) { problem ??= 'valueNotFinite'; v = null; }
  }
  return `${line}\t${copyField(e ?? null)}\t${copyField(t ?? null)}\t${copyField(at)}\t${copyField(s ?? null)}\t${copyField(v)}\t${copyField(k ?? null)}\t${copyField(problem)}\n`;
}

export const signalStager: RecordStager = {
  bindCsv(header) {
    const [ie, it, io, is, iv, ik] = headerIndexes(header, SIGNAL_FIELDS);
    return (line, r) => stageRow(line, r[ie], r[it], r[io], r[is], r[iv], r[ik]);
  },
  bindJson() {
    // camelCase as in the API, or snake_case
    const [se, so, sk] = ['accountExternalId', 'occurredAt', 'idempotencyKey'].map(snakeCase);
    return (line, o) => stageRow(line, o.accountExternalId ?? o[se], o.type, o.occurredAt ?? o[so], o.subject, o.value, o.idempotencyKey ?? o[sk]);
  },
  problemLine(line, code) {
    return `${line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${code}\n`;
  },
};

/**
 * The first rule a staged row breaks (NULL when valid); `s` = staging row, `a` = its account; `latestAllowed`: the
 * SQL of the latest occurredAt accepted (a parameter, or a literal in the COPY of problems, which takes none).
 */
const problemSql = (latestAllowed: string) => `CASE
    WHEN s.problem IS NOT NULL THEN s.problem
    WHEN s.account_external_id IS NULL THEN 'accountRequired'
    WHEN a.id IS NULL THEN 'accountUnknown'
    WHEN s.type IS NULL THEN 'typeRequired'
    WHEN length(s.type) > ${MAX_TYPE_LENGTH} THEN 'typeLength'
    WHEN s.type !~ '${SIGNAL_TYPE_PATTERN}' THEN 'typeFormat'
    WHEN s.occurred_at IS NULL THEN 'occurredAtRequired'
    WHEN s.occurred_at > ${latestAllowed}::timestamptz THEN 'occurredAtFuture'
    WHEN s.occurred_at < '${new Date(EARLIEST_SIGNAL_MS).toISOString()}'::timestamptz THEN 'occurredAtTooEarly'
    WHEN length(s.subject) > ${MAX_SUBJECT_LENGTH} THEN 'subjectLength'
    WHEN length(s.idempotency_key) > ${MAX_IDEMPOTENCY_KEY_LENGTH} THEN 'idempotencyKeyLength'
  END`;

/**
 * A content key for rows without one: the same line imported again gets the same key. It starts
 * with the account id's first characters so that rows inserted in account order also land next
 * to each other in the key index (random md5 order made a 1M-row import thrash the buffer cache).
 */
const DERIVED_KEY_SQL = `'import:' || left(a.id::text, 8) || md5(concat_ws(chr(31), s.account_external_id, s.type, extract(epoch FROM s.occurred_at)::text,
    coalesce(s.subject, chr(30)), coalesce(s.value::text, chr(30))))`;

export interface MoveResult {
  stored: number;
  accountIds: string[];
}

/**
 * The move as one statement. Fast form: the chunk's own repeats are dropped (first line wins) and
 * keys already stored are skipped by a probe of the key index, so the INSERT is a plain one in key order (no
 * per-row speculative insertion: 14-15 s instead of 17-21 s for 1M rows). Race-safe form: the
 * same with ON CONFLICT DO NOTHING, for when another writer stored one of the keys meanwhile.
 */
function moveSql(table: string, onConflict: boolean, part?: MovePart): string {
  return `WITH valid AS (
       SELECT DISTINCT ON (key) s.line, a.id AS account_id, s.type, s.subject, s.value, s.occurred_at,
              coalesce(s.idempotency_key, ${DERIVED_KEY_SQL}) AS key
         FROM ${table} s JOIN accounts a ON a.workspace_id = $1 AND a.external_id = s.account_external_id
        WHERE (${problemSql('$2')}) IS NULL${part ? `
          AND (hashtext(coalesce(s.idempotency_key, ${DERIVED_KEY_SQL})) & ${part.of - 1}) = ${part.part}` : ''}
        ORDER BY key, s.line
     ), ins AS (
       INSERT INTO signals (workspace_id, account_id, type, subject, value, occurred_at, idempotency_key)
       SELECT $1::uuid, v.account_id, v.type, v.subject, v.value, v.occurred_at, v.key FROM valid v
        -- one probe of the key index per row (OFFSET 0 keeps it a subplan): an anti-join would read
        -- every stored key of the workspace for each chunk
        WHERE NOT EXISTS (SELECT 1 FROM signals x WHERE x.workspace_id = $1 AND x.idempotency_key = v.key AND x.idempotency_key IS NOT NULL OFFSET 0)
        -- key order: the key index is walked once, not at random (measured faster than account order)
        ORDER BY v.key
       ${onConflict ? 'ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING' : ''}
       RETURNING account_id
     ), per_account AS (SELECT account_id, count(*) AS n FROM ins GROUP BY account_id)
     SELECT (SELECT coalesce(sum(n), 0) FROM per_account)::int AS stored,
            (SELECT coalesce(array_agg(account_id), '{}') FROM per_account) AS account_ids`;
}

const UNIQUE_VIOLATION = '23505';

/** One of `of` (a power of two) disjoint shares of the keys, for movers working side by side. */
export interface MovePart {
  part: number;
  of: number;
}

/**
 * Move the valid staged rows (or those whose key falls in `part`) into `signals`, inside the caller's transaction. A key stored by
 * another writer between the key probe and the insert fails the fast form with a unique
 * violation; it is then undone (savepoint) and redone race-safely, so the result is the same.
 */
export async function moveSignals(scope: TenantScope, table: string, latestAllowed: Date, part?: MovePart): Promise<MoveResult> {
  const params = [latestAllowed.toISOString()];
  // The row estimate after the rule checks and the key-share filter is ~1, and with it the planner
  // picks a nested-loop anti-join that reads the workspace's whole key index per row (minutes for
  // 200k rows). Hash/merge joins are right for any chunk size.
  await scope.manager.query('SET LOCAL enable_nestloop = off');
  await scope.manager.query('SAVEPOINT move_signals');
  let row: { stored: number; account_ids: string[] };
  try {
    [row] = await scope.query<typeof row>(moveSql(table, false, part), params);
    await scope.manager.query('RELEASE SAVEPOINT move_signals');
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await scope.manager.query('ROLLBACK TO SAVEPOINT move_signals');
    [row] = await scope.query<typeof row>(moveSql(table, true, part), params);
  }
  await scope.manager.query('SET LOCAL enable_nestloop = on');
  return { stored: row.stored, accountIds: row.account_ids };
}

/** `COPY … TO STDOUT` of the rejected rows: `line \t code`, in line order. */
export function signalRejectsCopySql(table: string, workspaceId: string, latestAllowed: Date, client: PoolClient): string {
  const lit = (v: string) => client.escapeLiteral(v);
  return `COPY (SELECT line, problem FROM (
      SELECT s.line, ${problemSql(lit(latestAllowed.toISOString()))} AS problem
        FROM ${table} s LEFT JOIN accounts a ON a.workspace_id = ${lit(workspaceId)}::uuid AND a.external_id = s.account_external_id
    ) x WHERE problem IS NOT NULL ORDER BY line) TO STDOUT`;
}
