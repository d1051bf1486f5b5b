/**
 * Signal ingestion. Items are checked in JS (cheap, per field), then accounts are resolved with one
 * query and the batch is stored with one set-based INSERT … SELECT FROM unnest(…) ON CONFLICT DO
 * NOTHING: the unique (workspace_id, idempotency_key) index makes concurrent duplicate batches safe
 * (a racing insert of the same key waits for the first and is then skipped).
 */
import { parseDateTime, rejectItem, type RejectedItem } from '../shared/batch';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { requestRescore } from '../jobs/rescore-requests';
import { Signal } from './signal.entity';
import type { SignalInput, IngestSignalsResult } from './signal.inputs';
import { MAX_SIGNALS_PER_BATCH, SIGNAL_REASONS, latestAllowedMs, signalFieldProblem, type SignalFields } from './signal.rules';

/** A validated signal, ready to store. */
export interface NewSignal {
  accountId: string;
  type: string;
  occurredAt: Date;
  subject: string | null;
  value: number | null;
  idempotencyKey: string | null;
}

export async function ingestSignals(scope: TenantScope, items: SignalInput[]): Promise<IngestSignalsResult> {
  if (items.length > MAX_SIGNALS_PER_BATCH) {
    throw new InputError('signals', `At most ${MAX_SIGNALS_PER_BATCH} signals per call; split the batch or use the import CLI.`);
  }
  const latest = latestAllowedMs();
  const rejected: RejectedItem[] = [];
  const fieldOk: boolean[] = new Array(items.length);
  const externalIds = new Set<string>();
  const parsed: SignalFields[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    parsed[i] = { ...s, occurredAt: parseDateTime(s.occurredAt) ?? new Date(NaN), value: s.value as number | null | undefined };
    const problem = s.accountExternalId ? signalFieldProblem(parsed[i], latest) : { field: 'accountExternalId', reason: SIGNAL_REASONS.accountRequired };
    fieldOk[i] = !problem;
    if (problem) rejected.push(rejectItem(i, problem.field, problem.reason));
    else externalIds.add(s.accountExternalId);
  }

  const accountIds = await resolveAccounts(scope, [...externalIds]);
  const rows: NewSignal[] = [];
  const seenKeys = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < items.length; i++) {
    if (!fieldOk[i]) continue;
    const s = items[i];
    const accountId = accountIds.get(s.accountExternalId);
    if (!accountId) {
      rejected.push(rejectItem(i, 'accountExternalId', SIGNAL_REASONS.accountUnknown));
      continue;
    }
    const key = s.idempotencyKey || null; // '' means "no key", as an empty CSV cell does
    if (key !== null) {
      if (seenKeys.has(key)) { duplicates++; continue; } // first valid one in the batch wins
      seenKeys.add(key);
    }
    rows.push({ accountId, type: s.type, occurredAt: parsed[i].occurredAt, subject: s.subject || null, value: parsed[i].value ?? null, idempotencyKey: key });
  }
  rejected.sort((a, b) => a.index - b.index);

  const stored = await storeSignals(scope, rows);
  return { accepted: stored.count, duplicates: duplicates + rows.length - stored.count, rejected };
}

/** externalId -> account id, for the ids that exist in this workspace (one query). */
async function resolveAccounts(scope: TenantScope, externalIds: string[]): Promise<Map<string, string>> {
  if (!externalIds.length) return new Map();
  const found = await scope.query<{ external_id: string; id: string }>(
    'SELECT external_id, id FROM accounts WHERE workspace_id = $1 AND external_id = ANY($2::text[])', [externalIds]);
  return new Map(found.map((r) => [r.external_id, r.id]));
}

/**
 * Store validated signals in one statement (column arrays through unnest), skip known idempotency
 * keys, and ask for an incremental rescore of the accounts that got new signals.
 */
export async function storeSignals(scope: TenantScope, rows: NewSignal[]): Promise<{ count: number; accountIds: string[] }> {
  if (!rows.length) return { count: 0, accountIds: [] };
  const n = rows.length;
  const accountIds = new Array<string>(n), types = new Array<string>(n), subjects = new Array<string | null>(n);
  const values = new Array<number | null>(n), occurred = new Array<string>(n), keys = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    accountIds[i] = r.accountId; types[i] = r.type; subjects[i] = r.subject;
    values[i] = r.value; occurred[i] = r.occurredAt.toISOString(); keys[i] = r.idempotencyKey;
  }
  // One transaction: stored signals always come with their rescore request.
  return await scope.transaction(async (tx) => {
    const [res] = await tx.query<{ count: number; account_ids: string[] }>(
      `WITH ins AS (
         INSERT INTO signals (workspace_id, account_id, type, subject, value, occurred_at, idempotency_key)
         SELECT $1::uuid, u.account_id, u.type, u.subject, u.value, u.occurred_at, u.idempotency_key
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::timestamptz[], $7::text[])
                AS u(account_id, type, subject, value, occurred_at, idempotency_key)
          ORDER BY u.idempotency_key -- one lock order for every batch: overlapping batches wait, never deadlock
         ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING account_id)
       SELECT count(*)::int AS count, coalesce(array_agg(DISTINCT account_id), '{}') AS account_ids FROM ins`,
      [accountIds, types, subjects, values, occurred, keys]);
    if (res.count > 0) await requestRescore(tx, res.account_ids);
    return { count: res.count, accountIds: res.account_ids };
  });
}

/** Store one signal written by a person (CSM conveniences) and return it. */
export async function recordSignal(scope: TenantScope, row: NewSignal): Promise<Signal> {
  return await scope.transaction(async (tx) => {
    const saved = await tx.save(tx.create(Signal, {
      accountId: row.accountId, type: row.type, occurredAt: row.occurredAt,
      subject: row.subject, value: row.value, idempotencyKey: row.idempotencyKey,
    }));
    await requestRescore(tx, [row.accountId]);
    return saved;
  });
}
