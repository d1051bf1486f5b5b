/** Per-request loaders of tasks (use through `scope.loader(...)`). */
import DataLoader from 'dataloader';
import { Account } from '../accounts/account.entity';
import type { TenantScope } from '../shared/tenant';
import { Task } from './task.entity';

/** Account id → its tasks, open first, then soonest due; one statement per batch of accounts. */
export const tasksByAccount = (scope: TenantScope) =>
  new DataLoader<string, Task[]>(async (accountIds) => {
    const rows = await scope.query<Task>(
      `SELECT t.id, t.workspace_id AS "workspaceId", t.account_id AS "accountId", t.outcome_id AS "outcomeId", t.play_id AS "playId",
              t.firing_id AS "firingId", t.scope_key AS "scopeKey", t.title, t.owner, t.due_on::text AS "dueOn", t.priority, t.status,
              t.status_changed_by AS "statusChangedBy", t.status_changed_at AS "statusChangedAt", t.notes, t.created_at AS "createdAt", t.updated_at AS "updatedAt"
         FROM tasks t WHERE t.workspace_id = $1 AND t.account_id = ANY($2::uuid[])
        ORDER BY t.status <> 'OPEN', coalesce(t.due_on, '9999-12-31'), t.id`, [[...accountIds]]);
    const byAccount = new Map<string, Task[]>();
    for (const r of rows) {
      const list = byAccount.get(r.accountId) ?? [];
      list.push(Object.assign(new Task(), r));
      byAccount.set(r.accountId, list);
    }
    return accountIds.map((id) => byAccount.get(id) ?? []);
  });

export const accountById = (scope: TenantScope) =>
  new DataLoader<string, Account | null>(async (ids) => {
    const byId = new Map((await scope.findByIds(Account, ids)).map((a) => [a.id, a]));
    return ids.map((id) => byId.get(id) ?? null);
  });
