/**
 * Manual milestones: a CSM marks one achieved (with the date it happened) or takes that back.
 * AUTOMATIC milestones are achieved by their signal rule and can't be set by hand.
 */
import { Account } from '../accounts/account.entity';
import { Milestone, MilestoneCompletion } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { requestRescore } from '../jobs/rescore-requests';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { EARLIEST_SIGNAL_MS, latestAllowedMs } from '../signals/signal.rules';
import type { ManualMilestoneCompletion } from './touchpoint.types';

const MAX_NOTE_LENGTH = 1000;

export async function completeMilestone(
  scope: TenantScope, accountId: string, milestoneId: string, achievedAt?: Date | null, note?: string | null,
): Promise<ManualMilestoneCompletion> {
  const { account, milestone } = await findPair(scope, accountId, milestoneId);
  if (milestone.completion !== MilestoneCompletion.MANUAL) {
    throw new InputError('milestoneId', 'Only MANUAL milestones can be completed by hand; AUTOMATIC ones are achieved by their signal rule.');
  }
  const outcome = await scope.findOne(Outcome, { id: milestone.outcomeId });
  if (outcome?.clusterId !== account.clusterId) {
    throw new InputError('milestoneId', "This milestone belongs to an outcome of another cluster than the account's.");
  }
  const when = achievedAt ?? new Date();
  if (when.getTime() > latestAllowedMs()) throw new InputError('achievedAt', 'achievedAt must not be in the future.');
  if (when.getTime() < EARLIEST_SIGNAL_MS) throw new InputError('achievedAt', 'achievedAt must not be before 2000-01-01.');
  const text = note?.trim() || null;
  if (text && text.length > MAX_NOTE_LENGTH) throw new InputError('note', `note must be at most ${MAX_NOTE_LENGTH} characters.`);

  const row = await scope.transaction(async (tx) => {
    // Completing again corrects the date/note: one row per (account, milestone).
    const [stored] = await tx.query<{ achieved_at: Date; note: string | null; completed_by: string | null }>(
      `INSERT INTO milestone_completions (workspace_id, account_id, milestone_id, achieved_at, note, completed_by)
       VALUES ($1::uuid, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, account_id, milestone_id)
       DO UPDATE SET achieved_at = EXCLUDED.achieved_at, note = EXCLUDED.note, completed_by = EXCLUDED.completed_by
       RETURNING achieved_at, note, completed_by`,
      [account.id, milestone.id, when.toISOString(), text, scope.actor]);
    await requestRescore(tx, [account.id]); // same transaction: no completion without its rescore
    return stored;
  });
  return { id: `${account.id}/${milestone.id}`, accountId: account.id, milestone, achievedAt: row.achieved_at, note: row.note, completedBy: row.completed_by };
}

/** Take a manual completion back; false when the milestone wasn't completed for this account. */
export async function uncompleteMilestone(scope: TenantScope, accountId: string, milestoneId: string): Promise<boolean> {
  const { account, milestone } = await findPair(scope, accountId, milestoneId);
  // (a CTE so the driver returns rows, not its [rows, count] pair for a bare DELETE)
  return await scope.transaction(async (tx) => {
    const [{ n }] = await tx.query<{ n: number }>(
      `WITH del AS (DELETE FROM milestone_completions WHERE workspace_id = $1 AND account_id = $2 AND milestone_id = $3 RETURNING 1)
       SELECT count(*)::int AS n FROM del`,
      [account.id, milestone.id]);
    if (n > 0) await requestRescore(tx, [account.id]);
    return n > 0;
  });
}

async function findPair(scope: TenantScope, accountId: string, milestoneId: string): Promise<{ account: Account; milestone: Milestone }> {
  const account = await scope.mustFind(Account, accountId, 'Account');
  const milestone = await scope.mustFind(Milestone, milestoneId, 'Milestone');
  return { account, milestone };
}
