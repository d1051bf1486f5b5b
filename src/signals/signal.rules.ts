/**
 * What a valid signal is, in one place: the GraphQL ingestion checks items in JS with these
 * constants, the bulk import applies the same rules set-based in SQL (see SIGNAL_TYPE_PATTERN).
 */
import { containsNul, NUL_REASON } from '../shared/batch';
import { config } from '../shared/config';

/** Most signals one `ingestSignals` call accepts (bigger backfills go through the import CLI). */
export const MAX_SIGNALS_PER_BATCH = 5000;
/** `login`, `feature_used`, `tag:champion_left`: lowercase name, optional `:qualifier`. */
export const SIGNAL_TYPE_PATTERN = '^[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)?$';
export const SIGNAL_TYPE_RE = new RegExp(SIGNAL_TYPE_PATTERN);
export const MAX_TYPE_LENGTH = 100;
export const MAX_SUBJECT_LENGTH = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Older timestamps are almost always a unit bug (seconds read as ms, a zero date). */
export const EARLIEST_SIGNAL_MS = Date.UTC(2000, 0, 1);

/** Latest acceptable occurredAt: now plus the configured clock-skew tolerance. */
export function latestAllowedMs(now = Date.now()): number {
  return now + config.signalFutureToleranceMinutes * 60_000;
}

/** Reasons shared by the API and the import, so the same bad signal reads the same everywhere. */
export const SIGNAL_REASONS = {
  accountRequired: 'accountExternalId is required.',
  accountUnknown: 'No account with this externalId exists in this workspace.',
  typeRequired: 'type is required.',
  typeFormat: 'type must be lowercase letters, digits, _ . - starting with a letter, optionally followed by ":qualifier" (e.g. feature_used, tag:champion_left).',
  typeLength: `type must be at most ${MAX_TYPE_LENGTH} characters.`,
  valueNotFinite: 'value must be a finite number.',
  occurredAtRequired: 'occurredAt is required.',
  occurredAtInvalid: 'occurredAt must be an ISO-8601 timestamp.',
  occurredAtFuture: () => `occurredAt may be at most ${config.signalFutureToleranceMinutes} minutes in the future.`,
  occurredAtTooEarly: 'occurredAt must not be before 2000-01-01.',
  subjectLength: `subject must be at most ${MAX_SUBJECT_LENGTH} characters.`,
  idempotencyKeyLength: `idempotencyKey must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
} as const;

export interface SignalFields {
  type: string;
  occurredAt: Date;
  subject?: string | null;
  value?: number | null;
  idempotencyKey?: string | null;
}

/** First problem of one signal's own fields (the account is checked separately), or null. */
export function signalFieldProblem(s: SignalFields, latestMs: number): { field: string; reason: string } | null {
  for (const field of ['accountExternalId', 'type', 'subject', 'idempotencyKey'] as const) {
    if (containsNul((s as SignalFields & { accountExternalId?: string })[field])) return { field, reason: NUL_REASON };
  }
  if (!s.type) return { field: 'type', reason: SIGNAL_REASONS.typeRequired };
  if (s.type.length > MAX_TYPE_LENGTH) return { field: 'type', reason: SIGNAL_REASONS.typeLength };
  if (!SIGNAL_TYPE_RE.test(s.type)) return { field: 'type', reason: SIGNAL_REASONS.typeFormat };
  const t = s.occurredAt instanceof Date ? s.occurredAt.getTime() : NaN;
  if (Number.isNaN(t)) return { field: 'occurredAt', reason: SIGNAL_REASONS.occurredAtInvalid };
  if (t > latestMs) return { field: 'occurredAt', reason: SIGNAL_REASONS.occurredAtFuture() };
  if (t < EARLIEST_SIGNAL_MS) return { field: 'occurredAt', reason: SIGNAL_REASONS.occurredAtTooEarly };
  if (s.value != null && (typeof s.value !== 'number' || !Number.isFinite(s.value))) return { field: 'value', reason: SIGNAL_REASONS.valueNotFinite };
  if (s.subject != null && s.subject.length > MAX_SUBJECT_LENGTH) return { field: 'subject', reason: SIGNAL_REASONS.subjectLength };
  if (s.idempotencyKey != null && s.idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { field: 'idempotencyKey', reason: SIGNAL_REASONS.idempotencyKeyLength };
  }
  return null;
}
