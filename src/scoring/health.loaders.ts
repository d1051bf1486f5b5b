/**
 * Per-request DataLoaders of the health read path: one query per relation per request, reading the
 * `current_*` tables (and snapshots for change / history), batched by account ids.
 */
import DataLoader from 'dataloader';
import { Component } from '../coins/coin.entity';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { attachReadAlong, readAlongKey, type ReadAlong } from '../shared/read-along';
import { AccountHealth, JourneyHealth, OutcomeHealth } from './health.types';
import type { AccountHealthRow, DriverJson, MilestoneJson, OutcomeHealthRow } from './engine';

/**
 * A current row as the list reads it: milestones and drivers are left out (see `currentMilestones` and
 * `currentDrivers`); rows scored on the fly (scoreAccount) carry both.
 */
export type StoredOutcomeRow = Omit<OutcomeHealthRow, 'milestones' | 'drivers'> & { milestones?: MilestoneJson[]; drivers?: DriverJson[] };

// Without the milestones and drivers jsonb: a list screen shows the journey status and next milestone (columns),
// rarely every milestone, and the top few drivers (8+ per row, ~2 kB of JSON: parsing all of them was the
// biggest single cost of a dashboard page), which `currentMilestones` and `currentDrivers` read when asked for.
const OUTCOME_COLS = `h.account_id AS "accountId", h.outcome_id AS "outcomeId", h.as_of AS "asOf", h.score, h.band, h.proactive,
  h.reactive, h.coverage, h.stage_id AS "stageId", h.journey_day AS "journeyDay", h.journey_status AS "journeyStatus",
  h.overdue_count AS "overdueCount", h.next_milestone_id AS "nextMilestoneId", h.days_until_due AS "daysUntilDue",
  h.model_version_id AS "modelVersionId"`;

/** account id -> its current account health (null if never scored). */
export const currentAccountHealth = (scope: TenantScope) => new DataLoader<string, AccountHealthRow | null>(async (ids) => {
  const rows = await scope.query<AccountHealthRow>(
    `SELECT account_id AS "accountId", as_of AS "asOf", score, band, coverage, worst_journey_status AS "worstJourneyStatus"
     FROM current_account_health WHERE workspace_id = $1 AND account_id = ANY($2::uuid[])`, [[...ids]]);
  const byId = new Map(rows.map((r) => [r.accountId, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** account id -> current health per active outcome (oldest outcome first). */
export const currentOutcomeHealth = (scope: TenantScope) => new DataLoader<string, StoredOutcomeRow[]>(async (ids) => {
  const rows = await scope.query<StoredOutcomeRow>(
    `SELECT ${OUTCOME_COLS}
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
 * A current row's drivers, the ones that lost the most points first (ties keep the coin's component order),
 * only the first `top` when given: a jsonb array expression over row alias `h`. The engine stores them in that
 * order (engine.scores.ts, _outcome_health; migrations/1795449200000-SortedDrivers.ts for older rows), so this only takes the
 * first `top`, in SQL so that node parses only what it returns. `top`: a whole number literal, 'ALL', or an
 * integer SQL expression (NULL: all).
 */
const topDriversSql = (h: string, top: string) => {
  const t = top.trim();
  if (/^all$/i.test(t)) return `${h}.drivers`;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n === 0) return `'[]'::jsonb`;
    // Lax mode ignores indexes past the end; n is a GraphQL Int, so n - 1 is a valid subscript.
    return `jsonb_path_query_array(${h}.drivers, '$[0 to ${n - 1}]')`;
  }
  return `CASE WHEN (${t}) IS NULL THEN ${h}.drivers
    ELSE jsonb_path_query_array(${h}.drivers, '$[0 to $last]', jsonb_build_object('last', (${t}) - 1)) END`;
};

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

function driversKey(k: DriversKey): string {
  return `${k.accountId}|${k.outcomeId}|${k.top ?? ''}`;
}

/**
 * What a page of accounts can read in its own statement for its items' health fields (see `listAccounts`):
 * SQL expressions over the page's accounts (alias `a`), and `pageHealth` to turn their values into what those
 * fields answer (read along: src/shared/read-along.ts), without a statement of their own.
 */
export interface HealthPrefetch {
  /** Account.health: current_account_health. */
  health?: boolean;
  /** Account.outcomes: current_outcome_health of the active outcomes. */
  outcomes?: boolean;
  /** With outcomes: also the drivers of each, the first `top` (null: all). */
  drivers?: { top: number | null };
  /** With outcomes: also the Outcome rows (OutcomeHealth.outcome) and next milestones (JourneyHealth.nextMilestone) they refer to, once per page. */
  outcome?: boolean;
  nextMilestone?: boolean;
}

/**
 * The page statement reads rows as positional JSON arrays (`json_build_array`), in this order: on a page of 50
 * accounts the field names of objects were most of the JSON that PostgreSQL built and node parsed. Timestamps
 * travel as json's ISO 8601 text, turned into Dates here.
 */
const HEALTH_FIELDS = [
  ['asOf', 'ah.as_of'], ['score', 'ah.score'], ['band', 'ah.band'], ['coverage', 'ah.coverage'], ['worstJourneyStatus', 'ah.worst_journey_status'],
] as const;
const OUTCOME_FIELDS = [
  ['outcomeId', 'h.outcome_id'], ['asOf', 'h.as_of'], ['score', 'h.score'], ['band', 'h.band'], ['proactive', 'h.proactive'],
  ['reactive', 'h.reactive'], ['coverage', 'h.coverage'], ['stageId', 'h.stage_id'], ['journeyDay', 'h.journey_day'],
  ['journeyStatus', 'h.journey_status'], ['overdueCount', 'h.overdue_count'], ['nextMilestoneId', 'h.next_milestone_id'],
  ['daysUntilDue', 'h.days_until_due'], ['modelVersionId', 'h.model_version_id'],
] as const;

/**
 * A decoder of rows read with `fields`: one object literal built by a function compiled once from the field list
 * (the names are this file's constants), so every row gets the same shape at once; `asOf` becomes a Date.
 */
function positionalDecoder<T>(fields: readonly (readonly [string, string])[]): (values: unknown[], accountId: string) => T {
  const props = fields.map(([name], i) => (name === 'asOf' ? `${name}: new Date(v[${i}])` : `${name}: v[${i}]`));
  return new Function('v', 'accountId', `return { accountId, ${props.join(', ')} };`) as (values: unknown[], accountId: string) => T;
}
const healthRow = positionalDecoder<AccountHealthRow>(HEALTH_FIELDS);
const outcomeRow = positionalDecoder<StoredOutcomeRow>(OUTCOME_FIELDS);

/** The page statement's extra columns ("healthJson", "outcomesJson") for this prefetch. */
export function healthPrefetchColumns(p: HealthPrefetch): string[] {
  // A literal LIMIT (a checked whole number) keeps the statement's generic plan: see listAccounts.
  const top = p.drivers && p.drivers.top !== null && Number.isInteger(p.drivers.top) && p.drivers.top >= 0 ? String(p.drivers.top) : 'ALL';
  const cols: string[] = [];
  if (p.health) {
    cols.push(`(SELECT json_build_array(${HEALTH_FIELDS.map(([, sql]) => sql).join(', ')})
       FROM current_account_health ah WHERE ah.workspace_id = $1 AND ah.account_id = a.id) AS "healthJson"`);
  }
  if (p.outcomes) {
    // Same rows and order as `currentOutcomeHealth`; the drivers (when asked for) last.
    cols.push(`(SELECT json_agg(json_build_array(${OUTCOME_FIELDS.map(([, sql]) => sql).join(', ')}${p.drivers ? `, ${topDriversSql('h', top)}` : ''})
         ORDER BY o.created_at, o.id)
       FROM current_outcome_health h
       JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.active
       WHERE h.workspace_id = $1 AND h.account_id = a.id) AS "outcomesJson"`);
  }
  return cols;
}

/**
 * With `outcome` / `nextMilestone`: an expression over the page's rows (CTE `page`, with "outcomesJson") giving the
 * rows they refer to, each once: `{ outcomes: [...], milestones: [...] }`; null when not asked for.
 */
export function healthPrefetchRefs(scope: TenantScope, p: HealthPrefetch, page: string): string | null {
  if (!p.outcomes || (!p.outcome && !p.nextMilestone)) return null;
  // From the table rather than from "outcomesJson": reading that json back costs PostgreSQL more than 2 index probes per account.
  const ids = (column: string) => `(SELECT h.${column} FROM ${page} pr JOIN current_outcome_health h ON h.workspace_id = $1 AND h.account_id = pr.id)`;
  const parts: string[] = [];
  if (p.outcome) {
    parts.push(`'outcomes', (SELECT json_agg(${scope.entityJsonSql(Outcome, 'o')}) FROM outcomes o WHERE o.workspace_id = $1 AND o.id IN ${ids('outcome_id')})`);
  }
  if (p.nextMilestone) {
    parts.push(`'milestones', (SELECT json_agg(${scope.entityJsonSql(Milestone, 'm')}) FROM milestones m WHERE m.workspace_id = $1 AND m.id IN ${ids('next_milestone_id')})`);
  }
  return `json_build_object(${parts.join(', ')})`;
}

type Refs = { outcomes?: Record<string, unknown>[] | null; milestones?: Record<string, unknown>[] | null } | null | undefined;
export interface PrefetchedRow { healthJson?: unknown[] | null; outcomesJson?: unknown[][] | null }

/**
 * The health of a page's accounts from its prefetched columns (positional arrays, see `healthPrefetchColumns`) and
 * refs, as values read along (src/shared/read-along.ts): Account.health and .outcomes, and on each OutcomeHealth
 * its outcome, journey (with its next milestone) and drivers for the page's `top`.
 */
export function pageHealth(scope: TenantScope, p: HealthPrefetch, refs: Refs): (accountId: string, row: PrefetchedRow) => ReadAlong {
  const outcomes = p.outcome ? new Map((refs?.outcomes ?? []).map((o) => { const e = scope.entityFromJson(Outcome, o); return [e.id, e]; })) : undefined;
  const milestones = p.nextMilestone ? new Map((refs?.milestones ?? []).map((m) => { const e = scope.entityFromJson(Milestone, m); return [e.id, e]; })) : undefined;
  // `drivers(top: 3)`; without a top (or null) every driver, which `drivers` without the argument also means.
  const driversKeys = !p.drivers ? [] : p.drivers.top === null ? ['drivers', readAlongKey('drivers', { top: null })] : [readAlongKey('drivers', { top: p.drivers.top })];
  return (accountId, row) => {
    const along: ReadAlong = {};
    if (p.health) along.health = AccountHealth.from(row.healthJson ? healthRow(row.healthJson, accountId) : null);
    if (p.outcomes) {
      along.outcomes = (row.outcomesJson ?? []).map((values) => {
        const stored = outcomeRow(values, accountId);
        const oh = OutcomeHealth.from(stored);
        const ohAlong: ReadAlong = {};
        if (outcomes) ohAlong.outcome = outcomes.get(stored.outcomeId) ?? null;
        if (milestones) {
          const journey = JourneyHealth.of(stored);
          ohAlong.journey = journey && attachReadAlong(journey, { nextMilestone: (stored.nextMilestoneId && milestones.get(stored.nextMilestoneId)) || null });
        }
        // The parsed driver objects as they are: Driver's fields are plain properties of the same names.
        for (const key of driversKeys) ohAlong[key] = values[OUTCOME_FIELDS.length];
        return attachReadAlong(oh, ohAlong);
      });
    }
    return along;
  };
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

export interface SnapshotKey { accountId: string; outcomeId: string; atOrBefore: Date }
export interface PastSnapshot { asOf: Date; score: number | null; drivers: DriverJson[] }

/** (account, outcome, time) -> the newest snapshot at or before that time: one backward index probe per key, one statement. */
export const snapshotAtOrBefore = (scope: TenantScope) => new DataLoader<SnapshotKey, PastSnapshot | null, string>(async (keys) => {
  const rows = await scope.query<PastSnapshot & { i: number }>(
    `SELECT k.i, s.as_of AS "asOf", s.score, s.drivers
     FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[]) WITH ORDINALITY AS k(account_id, outcome_id, t, i)
     CROSS JOIN LATERAL (
       SELECT as_of, score, drivers FROM health_snapshots
       WHERE workspace_id = $1 AND account_id = k.account_id AND outcome_id = k.outcome_id AND as_of <= k.t
       ORDER BY as_of DESC LIMIT 1) s`,
    [keys.map((k) => k.accountId), keys.map((k) => k.outcomeId), keys.map((k) => k.atOrBefore)]);
  const byI = new Map(rows.map((r) => [Number(r.i), r]));
  return keys.map((_, i) => {
    const r = byI.get(i + 1);
    return r ? { asOf: r.asOf, score: r.score, drivers: r.drivers } : null;
  });
}, { cacheKeyFn: (k) => `${k.accountId}|${k.outcomeId}|${k.atOrBefore.toISOString()}` });

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
export interface HistoryPoint { accountId: string; outcomeId: string | null; asOf: Date; score: number | null; band: string; coverage: number | null }

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
        `SELECT * FROM (SELECT account_id AS "accountId", outcome_id AS "outcomeId", as_of AS "asOf", score, band, coverage,
                row_number() OVER (PARTITION BY account_id ORDER BY as_of DESC) AS rn
           FROM health_snapshots WHERE workspace_id = $1 AND account_id = ANY($2::uuid[]) AND outcome_id = $3
            AND ($4::timestamptz IS NULL OR as_of >= $4) AND ($5::timestamptz IS NULL OR as_of <= $5)) x
         WHERE rn <= $6 ORDER BY "asOf"`, [ids, outcomeId, from, to, HISTORY_LIMIT])
      : await scope.query<HistoryPoint>(
        `SELECT * FROM (SELECT account_id AS "accountId", NULL::uuid AS "outcomeId", as_of AS "asOf", score, band, coverage,
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
