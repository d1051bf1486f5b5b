import { columnList, OUTCOME_RESULT_COLUMNS } from '../health/health.columns';
import type { TenantScope } from '../shared/tenant';

/**
 * SQL building blocks shared by the analyst queries: "the rows of an outcome" and "the account
 * health rows", either the current ones (the read path) or, for an `asOf`, each account's newest
 * snapshot at or before it. `$1` is always the workspace (TenantScope.query).
 */

const OUTCOME_COLS = `account_id, outcome_id, ${columnList(OUTCOME_RESULT_COLUMNS)}, as_of`;

/**
 * Rows of the outcomes matched by `outcomeFilter` (a predicate on `outcome_id`, e.g. 'outcome_id = $2'),
 * with the account's journey start and cluster. `asOfParam` null = current_outcome_health, else each
 * account × outcome's newest snapshot at or before it.
 */
export function outcomeRowsSql(outcomeFilter: string, asOfParam: string | null): string {
  const source = asOfParam === null
    ? `SELECT ${OUTCOME_COLS} FROM current_outcome_health WHERE workspace_id = $1 AND ${outcomeFilter}`
    : `SELECT DISTINCT ON (account_id, outcome_id) ${OUTCOME_COLS} FROM health_snapshots
        WHERE workspace_id = $1 AND ${outcomeFilter} AND as_of <= ${asOfParam}
        ORDER BY account_id, outcome_id, as_of DESC`;
  return `SELECT h.*, acc.journey_started_at, acc.cluster_id
            FROM (${source}) h JOIN accounts acc ON acc.workspace_id = $1 AND acc.id = h.account_id`;
}

/** The active outcomes of the cluster in `clusterParam`, as an outcome_id predicate. */
export function activeOutcomesOf(clusterParam: string): string {
  return `outcome_id IN (SELECT id FROM outcomes WHERE workspace_id = $1 AND cluster_id = ${clusterParam} AND active)`;
}

/** Account health rows of the accounts currently in a cluster (`clusterParam`, may be NULL for all); never-scored accounts have NULLs. */
export function accountRowsSql(clusterParam: string, asOfParam: string | null): string {
  const join = asOfParam === null
    ? `LEFT JOIN current_account_health h ON h.workspace_id = $1 AND h.account_id = a.id`
    : `LEFT JOIN LATERAL (SELECT h.score, h.band, h.coverage, h.as_of FROM account_health_snapshots h
        WHERE h.workspace_id = $1 AND h.account_id = a.id AND h.as_of <= ${asOfParam} ORDER BY h.as_of DESC LIMIT 1) h ON true`;
  return `SELECT a.id AS account_id, a.cluster_id, h.score, coalesce(h.band, 'UNKNOWN') AS band, h.coverage, h.as_of
            FROM accounts a ${join}
           WHERE a.workspace_id = $1 AND (${clusterParam}::uuid IS NULL OR a.cluster_id = ${clusterParam}::uuid)`;
}

/** `json_build_object` of band counts over the column `band`; a NULL band (no row) counts as UNKNOWN when `nullIsUnknown`. */
export function bandCounts(band = 'band', nullIsUnknown = true): string {
  return `json_build_object(
    'red', count(*) FILTER (WHERE ${band} = 'RED'), 'yellow', count(*) FILTER (WHERE ${band} = 'YELLOW'),
    'green', count(*) FILTER (WHERE ${band} = 'GREEN'),
    'unknown', count(*) FILTER (WHERE ${band} = 'UNKNOWN'${nullIsUnknown ? ` OR ${band} IS NULL` : ''}))`;
}

/** `json_build_object` of journey status counts over the column `status`. */
export function statusCounts(status = 'journey_status'): string {
  return `json_build_object(
    'onTrack', count(*) FILTER (WHERE ${status} = 'ON_TRACK'), 'ahead', count(*) FILTER (WHERE ${status} = 'AHEAD'),
    'behind', count(*) FILTER (WHERE ${status} = 'BEHIND'), 'stuck', count(*) FILTER (WHERE ${status} = 'STUCK'))`;
}

/** Whole days from journey start to a time (floor), as PostgreSQL computes it for the journey day. */
export function wholeDays(from: string, to: string): string {
  // date_part (double precision) rather than extract (numeric since PostgreSQL 14): several times cheaper per row.
  return `floor(date_part('epoch', ${to} - ${from}) / 86400)`;
}

/**
 * Run analyst statements with JIT off: PostgreSQL estimates 100 rows per jsonb_array_elements call,
 * so over 100k accounts the estimated cost crosses jit_above_cost and it spends 50-100 ms compiling
 * expressions for a query that runs in about that long without it.
 */
export async function withoutJit<T>(scope: TenantScope, fn: (tx: TenantScope) => Promise<T>): Promise<T> {
  return await scope.transaction(async (tx) => {
    await tx.manager.query('SET LOCAL jit = off');
    return await fn(tx);
  });
}
