/**
 * Rescore requests: the accounts whose evidence changed (signals, touchpoints, account attributes, cluster rules), left
 * for the incremental rescore job. Every writer (accounts/, signals/, imports/, touchpoints/, clusters/) records one in
 * its own transaction; scoring/ drains them (src/scoring/rescore.ts). They live here, beside the queue, because they
 * are a message between those folders and scoring/: the writers need no import of scoring/ (which reads their tables),
 * and scoring/ none of theirs.
 */
import { isUuid, type TenantScope } from '../shared/tenant';
import { enqueue, JOBS } from './queue';

/** Enqueue an incremental rescore of these accounts (after new signals, tags, completions). */
export async function requestRescore(scope: TenantScope, accountIds: string[]): Promise<void> {
  const ids = [...new Set(accountIds)].filter(isUuid);
  if (!ids.length) return;
  await scope.query('INSERT INTO rescore_requests (workspace_id, account_ids) VALUES ($1::uuid, $2::uuid[])', [ids]);
  // Inside a transaction the job row joins it, so the worker never looks before the request is visible.
  await enqueue(scope.db, JOBS.RESCORE_ACCOUNTS, { workspaceId: scope.workspaceId }, { singletonKey: scope.workspaceId, manager: scope.inTransaction ? scope.manager : undefined });
}
