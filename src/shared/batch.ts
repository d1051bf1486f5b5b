import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * One item of a batch that was not stored. Batches keep the good items and report each bad one
 * by its position in the input list, so a client can fix and resend just those.
 */
@ObjectType({ simpleResolvers: true, description: 'An item of a batch that was rejected; the other items were stored.' })
export class RejectedItem {
  @Field(() => Int, { description: 'Position of the item in the input list (0-based).' })
  index: number;

  @Field(() => String, { nullable: true, description: 'Path of the offending field inside the item, e.g. `attributes` or `lifecycleOutcomes[1].date`.' })
  field?: string | null;

  @Field({ description: 'Why it was rejected (never echoes the value back).' })
  reason: string;
}

/**
 * Scalars inside batch items are typed loosely in the schema (String, JSON) and parsed here, item by item: a value the
 * GraphQL layer refused would fail the whole call, good items included. These accept what the strict scalars did.
 */
export function parseDateTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  try {
    return DateTimeISOResolver.parseValue(value) as Date; // RFC 3339 with an offset, a real calendar day and time
  } catch {
    return null;
  }
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Milliseconds of a `YYYY-MM-DD` calendar date (UTC midnight), or null when it is not one (e.g. 2027-02-30). */
export function parseLocalDate(value: unknown): number | null {
  if (typeof value !== 'string' || !LOCAL_DATE.test(value)) return null;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(value) ? t : null;
}

/** Convenience builder: `rejectItem(3, 'attributes', 'must be a JSON object')`. */
export function rejectItem(index: number, field: string | null | undefined, reason: string): RejectedItem {
  return { index, field: field ?? null, reason };
}

/**
 * PostgreSQL text and jsonb cannot hold the NUL character (U+0000): a batch item carrying one anywhere (a field, an
 * attribute name or value) is rejected with this reason, the others are stored. Checked before any SQL runs.
 */
export const NUL_REASON = 'Text may not contain the NUL character (U+0000); remove it and resend this item.';

/** Whether a value (string, or any JSON nested in it) contains U+0000. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!value || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}
