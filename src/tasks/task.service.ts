/** Tasks: list (filtered, paged), read, and change status and notes. */
import { cursorMessage, decodeCursor, encodeCursor, pageOf } from '../shared/connection';
import { ConflictError, InputError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { Task, TaskStatus } from './task.entity';
import { announceTaskChanges } from './task.events';
import type { TaskConnection, TaskFilter, UpdateTaskInput } from './task.gql';

// Soonest due first, no due date last: the cursor keeps the date sorted by (9999-12-31 for none) and the id.
const encode = (t: Task): string => encodeCursor([t.dueOn ?? '9999-12-31', t.id]);
const decode = (after: string): [string, string] => decodeCursor(after, (v): v is [string, string] =>
  v.length === 2 && typeof v[0] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v[0]) && typeof v[1] === 'string' && isUuid(v[1]), cursorMessage('tasks'));

const COLUMNS = `t.id, t.workspace_id AS "workspaceId", t.account_id AS "accountId", t.outcome_id AS "outcomeId", t.play_id AS "playId",
  t.firing_id AS "firingId", t.scope_key AS "scopeKey", t.title, t.owner, t.due_on::text AS "dueOn", t.priority, t.status,
  t.status_changed_by AS "statusChangedBy", t.status_changed_at AS "statusChangedAt", t.notes, t.created_at AS "createdAt", t.updated_at AS "updatedAt"`;

/** Soonest due first (no due date last), then id; one statement for the page and one for the count. */
export async function listTasks(scope: TenantScope, filter: TaskFilter = {}, first = 50, after?: string | null): Promise<TaskConnection> {
  if (!Number.isInteger(first) || first < 1 || first > 200) throw new InputError('first', 'first must be between 1 and 200.');
  const cursor = after ? decode(after) : null;
  const where = `t.workspace_id = $1
      AND ($2::text IS NULL OR t.owner = $2) AND ($3::text[] IS NULL OR t.status = ANY($3::text[]))
      AND ($4::date IS NULL OR t.due_on <= $4) AND ($5::uuid IS NULL OR t.account_id = $5)
      AND ($6::uuid IS NULL OR t.account_id IN (SELECT a.id FROM accounts a WHERE a.workspace_id = $1 AND a.cluster_id = $6))
      AND ($7::uuid IS NULL OR t.play_id = $7)`;
  const params = [filter.owner ?? null, filter.statuses?.length ? filter.statuses : null, filter.dueBefore ?? null,
    filter.accountId ?? null, filter.clusterId ?? null, filter.playId ?? null];
  const [rows, [{ n }]] = await Promise.all([
    scope.query<Task>(
      `SELECT ${COLUMNS} FROM tasks t WHERE ${where}
          AND ($8::date IS NULL OR (coalesce(t.due_on, '9999-12-31'), t.id) > ($8::date, $9::uuid))
        ORDER BY coalesce(t.due_on, '9999-12-31'), t.id LIMIT $10`,
      [...params, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1]),
    scope.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks t WHERE ${where}`, params),
  ]);
  return { ...pageOf(rows, first, (r) => { const node = Object.assign(new Task(), r); return { cursor: encode(node), node }; }), totalCount: n };
}

export async function getTask(scope: TenantScope, id: string): Promise<Task> {
  return await scope.mustFind(Task, id, 'Task');
}

/** Status changes record who (API key id) and when; reopening is refused while the play has another open task there. */
export async function updateTask(scope: TenantScope, id: string, input: UpdateTaskInput): Promise<Task> {
  if (input.status == null && input.notes == null) throw new InputError('input', 'Give a status, notes, or both.');
  return await scope.transaction(async (tx) => {
    const task = await getTask(tx, id);
    if (input.status && input.status !== task.status) {
      if (input.status === TaskStatus.OPEN && task.playId) {
        const [other] = await tx.query(`SELECT 1 FROM tasks WHERE workspace_id = $1 AND play_id = $2 AND account_id = $3 AND scope_key = $4 AND status = 'OPEN' AND id <> $5`,
          [task.playId, task.accountId, task.scopeKey, task.id]);
        if (other) throw new ConflictError('The play has opened another task for this account since; work on that one instead of reopening this one.');
      }
      task.status = input.status;
      task.statusChangedBy = tx.actor;
      task.statusChangedAt = new Date();
    }
    if (input.notes != null) task.notes = input.notes;
    const saved = await tx.save(task);
    await announceTaskChanges(tx, [saved.id]);
    return saved;
  });
}
