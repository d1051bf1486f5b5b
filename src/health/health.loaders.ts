/**
 * Per-request DataLoaders of the health read path: one query per relation per request, reading the
 * `current_*` tables (and snapshots for change / history), batched by account ids.
 */
import DataLoader from 'dataloader';
import { Component } from '../coins/coin.entity';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { pastSnapshotSql } from './health.change';
import {
  ACCOUNT_SELECT, HISTORY_POINT_COLUMNS, OUTCOME_SUMMARY_SELECT, selectList, type AccountHealthRow, type DriverJson, type MilestoneJson, type OutcomeHealthRow,
  type ValuesOf,
} from './health.columns';

/**
 * A current row as the list reads it: milestones and drivers are left out (see `currentMilestones` and
 * `currentDrivers`); rows scored on the fly (scoreAccount) carry both.
 */
export type StoredOutcomeRow = Omit<OutcomeHealthRow, 'milestones' | 'drivers'> & { milestones?: MilestoneJson[]; drivers?: DriverJson[] };

// Lists read rows without the milestones and drivers jsonb (OUTCOME_SUMMARY_SELECT): a list screen shows the journey
// status and next milestone (columns), rarely every milestone, and the top few drivers (8+ per row, ~2 kB of JSON:
// parsing all of them was the biggest single cost of a dashboard page), which `currentMilestones` and
// `currentDrivers` read when asked for.

/** account id -> its current account health (null if never scored). */
export const currentAccountHealth = (scope: TenantScope) => new DataLoader<string, AccountHealthRow | null>(async (ids) => {
  const rows = await scope.query<AccountHealthRow>(
    `SELECT ${ACCOUNT_SELECT('h')} FROM current_account_health h WHERE h.workspace_id = $1 AND h.account_id = ANY($2::uuid[])`, [[...ids]]);
  const byId = new Map(rows.map((r) => [r.accountId, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** account id -> current health per active outcome (oldest outcome first). */
export const currentOutcomeHealth = (scope: TenantScope) => new DataLoader<string, StoredOutcomeRow[]>(async (ids) => {
  const rows = await scope.query<StoredOutcomeRow>(
    `SELECT ${OUTCOME_SUMMARY_SELECT('h')}
     FROM current_outcome_health h
     JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.active
     WHERE h.workspace_id = $1 AND h.account_id = ANY($2::uuid[])
     ORDER BY o.created_at, o.id`, [[...ids]]);
  const groups = new Map<string, StoredOutcomeRow[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(row.accountId)?.push(row);
  return ids.map((id) => groups.get(id)!);
});

export interface OutcomeKey { accountId: string; outcomeId: string }
export interface DriversKey extends OutcomeKey { top: number | null }

/**
 * A current row's drivers, the ones that lost the most points first (ties keep the coin's component order), only the
 * first `top` when given: a jsonb array expression over row alias `h`. The engine stores them in that order
 * (engine.scores.ts, _outcome_health; migrations/1795449200000-SortedDrivers.ts for older rows), so this only takes
 * the first `top`, in SQL so that node parses only what it returns. `top`: an integer SQL expression, a bound
 * parameter (NULL: all), never a literal, so that one statement text serves every `top`.
 */
export const topDriversSql = (h: string, top: string) => `CASE WHEN (${top}) IS NULL THEN ${h}.drivers
    ELSE jsonb_path_query_array(${h}.drivers, '$[0 to $last]', jsonb_build_object('last', (${top}) - 1)) END`;

/** (account, outcome, top) -> its current drivers, worst first (empty without a current row). */
export const currentDrivers = (scope: TenantScope) => new DataLoader<DriversKey, DriverJson[], string>(async (keys) => {
  const rows = await scope.query<{ i: string; drivers: DriverJson[] }>(
    `SELECT k.i, ${topDriversSql('h', 'k.top')} AS drivers
     FROM unnest($2::uuid[], $3::uuid[], $4::int[]) WITH ORDINALITY AS k(account_id, outcome_id, top, i)
     JOIN current_outcome_health h ON h.workspace_id = $1 AND h.account_id = k.account_id AND h.outcome_id = k.outcome_id`,
    [keys.map((k) => k.accountId), keys.map((k) => k.outcomeId), keys.map((k) => k.top)]);
  const byI = new Map(rows.map((r) => [Number(r.i), r.drivers]));
  return keys.map((_, i) => byI.get(i + 1) ?? []);
}, { cacheKeyFn: driversKey });

export function driversKey(k: DriversKey): string {
  return `${k.accountId}|${k.outcomeId}|${k.top ?? ''}`;
}

export interface StoredMilestones { journeyDay: number; milestones: MilestoneJson[] }

/** (account, outcome) -> the milestones of its current row (with the journey day they were scored at). */
export const currentMilestones = (scope: TenantScope) => new DataLoader<OutcomeKey, StoredMilestones | null, string>(async (keys) => {
  const rows = await scope.query<StoredMilestones & OutcomeKey>(
    `SELECT h.account_id AS "accountId", h.outcome_id AS "outcomeId", h.journey_day AS "journeyDay", h.milestones
     FROM current_outcome_health h JOIN unnest($2::uuid[], $3::uuid[]) AS k(account_id, outcome_id)
       ON k.account_id = h.account_id AND k.outcome_id = h.outcome_id
     WHERE h.workspace_id = $1`, [keys.map((k) => k.accountId), keys.map((k) => k.outcomeId)]);
  const byKey = new Map(rows.map((r) => [`${r.accountId}|${r.outcomeId}`, r]));
  return keys.map((k) => byKey.get(`${k.accountId}|${k.outcomeId}`) ?? null);
}, { cacheKeyFn: (k) => `${k.accountId}|${k.outcomeId}` });

export interface PastSnapshotKey { accountId: string; outcomeId: string; asOf: Date; days: number }
export interface PastSnapshot { asOf: Date; score: number | null; drivers: DriverJson[] }

/** (account, outcome, asOf, days) -> the past snapshot a change compares with (health.change.ts): one statement. */
export const pastSnapshot = (scope: TenantScope) => new DataLoader<PastSnapshotKey, PastSnapshot | null, string>(async (keys) => {
  const rows = await scope.query<PastSnapshot & { i: number }>(
    `SELECT k.i, s.as_of AS "asOf", s.score, s.drivers
     FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::int[]) WITH ORDINALITY AS k(account_id, outcome_id, as_of, days, i)
     CROSS JOIN LATERAL (${pastSnapshotSql({ columns: 'p.as_of, p.score, p.drivers', account: 'k.account_id', outcome: 'k.outcome_id', at: 'k.as_of', days: 'k.days' })}) s`,
    [keys.map((k) => k.accountId), keys.map((k) => k.outcomeId), keys.map((k) => k.asOf), keys.map((k) => k.days)]);
  const byI = new Map(rows.map((r) => [Number(r.i), r]));
  return keys.map((_, i) => {
    const r = byI.get(i + 1);
    return r ? { asOf: r.asOf, score: r.score, drivers: r.drivers } : null;
  });
}, { cacheKeyFn: (k) => `${k.accountId}|${k.outcomeId}|${new Date(k.asOf).toISOString()}|${k.days}` });

const byIds = <E extends { id: string }>(entity: new () => E) => (scope: TenantScope) =>
  new DataLoader<string, E | null>(async (ids) => {
    const rows = await scope.findByIds(entity, ids);
    const m = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => m.get(id) ?? null);
  });

/** model version id -> its hash (what OutcomeHealth.modelVersion shows): a page's rows share one or two. */
export const modelVersionHash = (scope: TenantScope) => new DataLoader<string, string | null>(async (ids) => {
  const rows = await scope.query<{ id: string; hash: string }>(
    'SELECT id, hash FROM model_versions WHERE workspace_id = $1 AND id = ANY($2::uuid[])', [[...ids]]);
  const byId = new Map(rows.map((r) => [r.id, r.hash]));
  return ids.map((id) => byId.get(id) ?? null);
});

// Stable factories (scope.loader memoises per factory function).
export const outcomeById = byIds(Outcome);
export const milestoneById = byIds(Milestone);
export const componentById = byIds(Component);

export interface HistoryKey { accountId: string; outcomeId: string | null; from: Date | null; to: Date | null }
/** A snapshot as healthHistory reads it: its keys and HISTORY_POINT_COLUMNS. */
export interface HistoryPoint extends ValuesOf<typeof HISTORY_POINT_COLUMNS> { accountId: string; outcomeId: string | null; asOf: Date }

/** Most points one healthHistory returns (the newest ones). */
export const HISTORY_LIMIT = 1000;

/**
 * (account, outcome?, from?, to?) -> history points, oldest first. Keys sharing the same arguments
 * (the usual case: one page of accounts) are read in one statement.
 */
export const healthHistory = (scope: TenantScope) => new DataLoader<HistoryKey, HistoryPoint[], string>(async (keys) => {
  const groups = new Map<string, HistoryKey[]>();
  for (const k of keys) {
    const g = JSON.stringify([k.outcomeId, k.from?.toISOString() ?? null, k.to?.toISOString() ?? null]);
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const out = new Map<string, HistoryPoint[]>();
  for (const ks of groups.values()) {
    const { outcomeId, from, to } = ks[0];
    const ids = ks.map((k) => k.accountId);
    const rows = outcomeId
      ? await scope.query<HistoryPoint>(
        `SELECT * FROM (SELECT account_id AS "accountId", outcome_id AS "outcomeId", as_of AS "asOf", ${selectList(HISTORY_POINT_COLUMNS)},
                row_number() OVER (PARTITION BY account_id ORDER BY as_of DESC) AS rn
           FROM health_snapshots WHERE workspace_id = $1 AND account_id = ANY($2::uuid[]) AND outcome_id = $3
            AND ($4::timestamptz IS NULL OR as_of >= $4) AND ($5::timestamptz IS NULL OR as_of <= $5)) x
         WHERE rn <= $6 ORDER BY "asOf"`, [ids, outcomeId, from, to, HISTORY_LIMIT])
      : await scope.query<HistoryPoint>(
        `SELECT * FROM (SELECT account_id AS "accountId", NULL::uuid AS "outcomeId", as_of AS "asOf", ${selectList(HISTORY_POINT_COLUMNS)},
                row_number() OVER (PARTITION BY account_id ORDER BY as_of DESC) AS rn
           FROM account_health_snapshots WHERE workspace_id = $1 AND account_id = ANY($2::uuid[])
            AND ($3::timestamptz IS NULL OR as_of >= $3) AND ($4::timestamptz IS NULL OR as_of <= $4)) x
         WHERE rn <= $5 ORDER BY "asOf"`, [ids, from, to, HISTORY_LIMIT]);
    for (const k of ks) out.set(historyKey(k), []);
    for (const r of rows) out.get(historyKey({ ...ks[0], accountId: r.accountId }))?.push(r);
  }
  return keys.map((k) => out.get(historyKey(k)) ?? []);
}, { cacheKeyFn: (k) => historyKey(k) });

function historyKey(k: HistoryKey): string {
  return JSON.stringify([k.accountId, k.outcomeId, k.from?.toISOString() ?? null, k.to?.toISOString() ?? null]);
}
