/**
 * Incremental rescore after ingestion. Writers record the touched accounts with `requestRescore`
 * (src/jobs/rescore-requests.ts: a durable row in their transaction, and one `rescore-accounts` job per
 * workspace); a burst of batches collapses into one queued job (queue policy `short`), and that job
 * drains every request committed by then, scoring the union of their accounts in one engine call.
 */
import type { DataSource } from 'typeorm';
import { logger } from '../shared/logger';
import { TenantScope } from '../shared/tenant';
import { scoreAndPersist } from './runs.engine';
import { ownerQuery } from '../shared/db/owner';

/** Requests taken per round: bounds one engine call (union of their accounts) and one transaction. */
const REQUESTS_PER_ROUND = 500;
/** A round with more distinct accounts than this is split (engine call size). */
const MAX_ACCOUNTS_PER_ROUND = 20_000;

export interface DrainResult {
  rounds: number;
  accounts: number;
  /** Oldest request's age when its scores committed (ingestion-to-snapshot latency), ms. */
  maxLagMs: number;
}

/**
 * Score the accounts of the workspace's pending rescore requests, oldest first, until none is left.
 * Each round deletes its requests and writes the scores in ONE transaction: a crash leaves them
 * for the next attempt. Rounds of one workspace are serialised across instances by an advisory lock,
 * so two workers never upsert the same current rows at once.
 */
export async function drainRescoreRequests(db: DataSource, workspaceId: string, opts: { maxRounds?: number } = {}): Promise<DrainResult> {
  const scope = TenantScope.system(db, workspaceId);
  const result: DrainResult = { rounds: 0, accounts: 0, maxLagMs: 0 };
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const done = await scope.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('rescore:' || $1::uuid::text))`);
      const [picked] = await tx.query<{ ids: string[]; oldest: Date | null; n: number }>(
        `WITH picked AS (
           SELECT id FROM rescore_requests WHERE workspace_id = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
         ), gone AS (
           DELETE FROM rescore_requests r USING picked WHERE r.workspace_id = $1 AND r.id = picked.id
           RETURNING r.account_ids, r.requested_at
         )
         SELECT coalesce((SELECT array_agg(DISTINCT a) FROM gone, unnest(gone.account_ids) AS a), '{}') AS ids,
                (SELECT min(requested_at) FROM gone) AS oldest, (SELECT count(*)::int FROM gone) AS n`,
        [REQUESTS_PER_ROUND]);
      if (picked.n === 0) return null;
      const asOf = new Date();
      for (let i = 0; i < picked.ids.length; i += MAX_ACCOUNTS_PER_ROUND) {
        await scoreAndPersist(tx, picked.ids.slice(i, i + MAX_ACCOUNTS_PER_ROUND), asOf);
      }
      return { accounts: picked.ids.length, oldest: picked.oldest };
    });
    if (!done) break;
    result.rounds++;
    result.accounts += done.accounts;
    if (done.oldest) result.maxLagMs = Math.max(result.maxLagMs, Date.now() - new Date(done.oldest).getTime());
  }
  if (result.rounds) logger.info({ workspaceId, ...result }, 'incremental rescore');
  return result;
}

/** Workspaces with requests older than `olderThanMs` (e.g. enqueued by a process without a queue). */
export async function workspacesWithPendingRequests(db: DataSource, olderThanMs: number): Promise<string[]> {
  // System-wide maintenance query (no tenant): it only reads workspace ids.
  const rows: { workspace_id: string }[] = await ownerQuery(db,
    `SELECT DISTINCT workspace_id FROM rescore_requests WHERE requested_at < now() - $1 * interval '1 millisecond'`, [olderThanMs]);
  return rows.map((r) => r.workspace_id);
}
