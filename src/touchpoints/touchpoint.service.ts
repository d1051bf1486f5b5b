/**
 * CSM conveniences. Each one writes an ordinary signal (so the scoring engine sees it like any other
 * fact) and asks for a rescore of the account. Ids of other workspaces are NOT_FOUND.
 */
import { Account } from '../accounts/account.entity';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { MAX_TYPE_LENGTH, latestAllowedMs, signalFieldProblem } from '../signals/signal.rules';
import type { Signal } from '../signals/signal.entity';
import { recordSignal, type NewSignal } from '../signals/signal.service';
import type { LogTouchpointInput } from './touchpoint.types';

export const PULSE_SIGNAL_TYPE = 'csm_pulse';
export const TAG_SIGNAL_PREFIX = 'tag:';
/** A tag is a slug so that `tag:<tag>` is a valid signal type. */
const TAG_RE = /^[a-z0-9][a-z0-9_.-]*$/;
const MAX_TAG_LENGTH = MAX_TYPE_LENGTH - TAG_SIGNAL_PREFIX.length;

export async function logTouchpoint(scope: TenantScope, input: LogTouchpointInput): Promise<Signal> {
  const account = await scope.mustFind(Account, input.accountId, 'Account');
  return await record(scope, {
    accountId: account.id, type: input.kind.toLowerCase(), occurredAt: input.occurredAt ?? new Date(),
    subject: input.note?.trim() || null, value: null, idempotencyKey: null,
  }, { occurredAt: 'input.occurredAt', subject: 'input.note' });
}

/** The CSM's gut feeling about the account, 1 (very worried) to 5 (very confident). */
export async function setPulse(scope: TenantScope, accountId: string, pulse: number, note?: string | null): Promise<Signal> {
  if (!Number.isInteger(pulse) || pulse < 1 || pulse > 5) throw new InputError('pulse', 'pulse must be an integer from 1 to 5.');
  const account = await scope.mustFind(Account, accountId, 'Account');
  return await record(scope, {
    accountId: account.id, type: PULSE_SIGNAL_TYPE, occurredAt: new Date(),
    subject: note?.trim() || null, value: pulse, idempotencyKey: null,
  }, { subject: 'note' });
}

/** Tag (value 1) or untag (value 0) an account; Account.tags reads the newest signal per tag. */
export async function setTag(scope: TenantScope, accountId: string, tag: string, on: boolean): Promise<Account> {
  if (!TAG_RE.test(tag) || tag.length > MAX_TAG_LENGTH) {
    throw new InputError('tag', `A tag is a slug of 1-${MAX_TAG_LENGTH} lowercase letters, digits, _ . - (e.g. champion_left).`);
  }
  const account = await scope.mustFind(Account, accountId, 'Account');
  await record(scope, {
    accountId: account.id, type: `${TAG_SIGNAL_PREFIX}${tag}`, occurredAt: new Date(),
    subject: null, value: on ? 1 : 0, idempotencyKey: null,
  }, {});
  return account;
}

/** Validate with the ingestion rules (reported at the mutation's own field paths), then store. */
async function record(scope: TenantScope, row: NewSignal, fieldPaths: Record<string, string>): Promise<Signal> {
  const problem = signalFieldProblem(row, latestAllowedMs());
  if (problem) throw new InputError(fieldPaths[problem.field] ?? problem.field, problem.reason);
  return await recordSignal(scope, row);
}
