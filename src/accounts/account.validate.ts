/**
 * Per-item checks of an account batch. Pure (no database), so a bad item is reported with its
 * index and field path while the good ones are stored. Reasons never echo the value back.
 */
import { containsNul, NUL_REASON, parseDateTime, parseLocalDate, type RejectedItem, rejectItem } from '../shared/batch';
import { LifecycleOutcomeKind } from './account.entity';
import type { AccountInput } from './account.inputs';

export const MAX_ACCOUNTS_PER_BATCH = 1000;
const MAX_EXTERNAL_ID = 200;
const MAX_NAME = 500;
const MAX_CSM_OWNER = 200;
/** Attributes feed rules and filters, not documents: a bound keeps rows small and rule evaluation cheap. */
const MAX_ATTRIBUTE_KEYS = 100;
const MAX_ATTRIBUTE_KEY_LENGTH = 100;
const MAX_ATTRIBUTES_BYTES = 32 * 1024;
const MAX_LIFECYCLE_OUTCOMES = 100;
/** A day of slack for clients in time zones ahead of UTC. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;
const MIN_DATE = Date.UTC(1970, 0, 1);
const MAX_RENEWAL = Date.UTC(2200, 0, 1);
const KINDS = new Set<string>(Object.values(LifecycleOutcomeKind));

/** An item that passed: the values to store, plus which optional fields were given (omitted = keep). */
export interface CleanAccount {
  index: number;
  externalId: string;
  name: string | null;
  attributes: Record<string, unknown> | null;
  setCsmOwner: boolean;
  csmOwner: string | null;
  journeyStartedAt: string | null;
  setRenewalDate: boolean;
  renewalDate: string | null;
  lifecycleOutcomes: { kind: LifecycleOutcomeKind; date: string }[] | null;
}

class ItemProblem extends Error {
  constructor(readonly field: string, reason: string) {
    super(reason);
  }
}

export function validateAccountItems(items: AccountInput[], now = new Date()): { good: CleanAccount[]; rejected: RejectedItem[] } {
  const good: CleanAccount[] = [];
  const rejected: RejectedItem[] = [];
  const firstIndexOf = new Map<string, number>();
  items.forEach((item, index) => {
    try {
      const clean = validateItem(item, index, now);
      const earlier = firstIndexOf.get(clean.externalId);
      if (earlier !== undefined) throw new ItemProblem('externalId', `The same externalId appears earlier in this batch (index ${earlier}); send each account once.`);
      firstIndexOf.set(clean.externalId, index);
      good.push(clean);
    } catch (e) {
      if (!(e instanceof ItemProblem)) throw e;
      rejected.push(rejectItem(index, e.field, e.message));
    }
  });
  return { good, rejected };
}

function validateItem(item: AccountInput, index: number, now: Date): CleanAccount {
  if (!item || typeof item !== 'object') throw new ItemProblem('', 'Each item must be an account object.');
  for (const [field, value] of Object.entries(item)) if (containsNul(value)) throw new ItemProblem(field, NUL_REASON);
  const externalId = item.externalId;
  if (typeof externalId !== 'string' || externalId.trim().length === 0 || externalId.length > MAX_EXTERNAL_ID) {
    throw new ItemProblem('externalId', `externalId must be 1-${MAX_EXTERNAL_ID} characters.`);
  }
  if (externalId !== externalId.trim()) throw new ItemProblem('externalId', 'externalId must not start or end with whitespace.');

  let name: string | null = null;
  if (item.name !== undefined && item.name !== null) {
    if (typeof item.name !== 'string' || !item.name.trim() || item.name.trim().length > MAX_NAME) {
      throw new ItemProblem('name', `name must be 1-${MAX_NAME} characters (not blank).`);
    }
    name = item.name.trim();
  }

  let attributes: Record<string, unknown> | null = null;
  if (item.attributes !== undefined && item.attributes !== null) {
    const a = item.attributes as unknown;
    if (typeof a !== 'object' || Array.isArray(a)) throw new ItemProblem('attributes', 'attributes must be a JSON object.');
    const keys = Object.keys(a as object);
    if (keys.length > MAX_ATTRIBUTE_KEYS) throw new ItemProblem('attributes', `attributes may have at most ${MAX_ATTRIBUTE_KEYS} keys.`);
    const longKey = keys.find((k) => k.length === 0 || k.length > MAX_ATTRIBUTE_KEY_LENGTH);
    if (longKey !== undefined) throw new ItemProblem('attributes', `Attribute names must be 1-${MAX_ATTRIBUTE_KEY_LENGTH} characters.`);
    if (Buffer.byteLength(JSON.stringify(a)) > MAX_ATTRIBUTES_BYTES) {
      throw new ItemProblem('attributes', `attributes may take at most ${MAX_ATTRIBUTES_BYTES / 1024} KB as JSON.`);
    }
    attributes = a as Record<string, unknown>;
  }

  const setCsmOwner = item.csmOwner !== undefined;
  let csmOwner: string | null = null;
  if (item.csmOwner !== undefined && item.csmOwner !== null) {
    if (typeof item.csmOwner !== 'string' || item.csmOwner.length > MAX_CSM_OWNER) {
      throw new ItemProblem('csmOwner', `csmOwner must be at most ${MAX_CSM_OWNER} characters.`);
    }
    csmOwner = item.csmOwner.trim() || null;
  }

  let journeyStartedAt: string | null = null;
  if (item.journeyStartedAt !== undefined && item.journeyStartedAt !== null) {
    // A date-time with offset, or a calendar day (midnight UTC: what a CSV column of days means).
    const t = parseDateTime(item.journeyStartedAt)?.getTime() ?? parseLocalDate(item.journeyStartedAt);
    if (t === null || t < MIN_DATE) {
      throw new ItemProblem('journeyStartedAt', 'journeyStartedAt must be an ISO-8601 date-time with offset (2026-01-15T09:00:00Z) or a day (2026-01-15), after 1970.');
    }
    if (t > now.getTime() + FUTURE_SLACK_MS) throw new ItemProblem('journeyStartedAt', 'journeyStartedAt (day 0 of the journey) cannot be in the future.');
    journeyStartedAt = new Date(t).toISOString();
  }

  const setRenewalDate = item.renewalDate !== undefined;
  let renewalDate: string | null = null;
  if (item.renewalDate !== undefined && item.renewalDate !== null) {
    const t = parseLocalDate(item.renewalDate);
    if (t === null || t < MIN_DATE || t >= MAX_RENEWAL) throw new ItemProblem('renewalDate', 'renewalDate must be a calendar date YYYY-MM-DD between 1970 and 2199.');
    renewalDate = item.renewalDate as string;
  }

  let lifecycleOutcomes: CleanAccount['lifecycleOutcomes'] = null;
  if (item.lifecycleOutcomes !== undefined && item.lifecycleOutcomes !== null) {
    if (!Array.isArray(item.lifecycleOutcomes)) throw new ItemProblem('lifecycleOutcomes', 'lifecycleOutcomes must be a list.');
    if (item.lifecycleOutcomes.length > MAX_LIFECYCLE_OUTCOMES) {
      throw new ItemProblem('lifecycleOutcomes', `An account may have at most ${MAX_LIFECYCLE_OUTCOMES} lifecycle outcomes.`);
    }
    lifecycleOutcomes = item.lifecycleOutcomes.map((lo, i) => {
      if (!lo || !KINDS.has(lo.kind)) throw new ItemProblem(`lifecycleOutcomes[${i}].kind`, `kind must be one of ${[...KINDS].join(', ')}.`);
      const t = parseLocalDate(lo.date);
      if (t === null || t < MIN_DATE) throw new ItemProblem(`lifecycleOutcomes[${i}].date`, 'date must be a calendar date YYYY-MM-DD after 1970.');
      if (t > now.getTime() + FUTURE_SLACK_MS) {
        throw new ItemProblem(`lifecycleOutcomes[${i}].date`, 'A lifecycle outcome records what happened: its date cannot be in the future.');
      }
      return { kind: lo.kind, date: lo.date as string };
    });
  }

  return { index, externalId, name, attributes, setCsmOwner, csmOwner, journeyStartedAt, setRenewalDate, renewalDate, lifecycleOutcomes };
}

