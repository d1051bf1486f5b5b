/**
 * The page prefetch: the one mechanism of the read path. A list looks ahead at what the query asks of each of its
 * accounts (`healthPrefetchOf`), reads all of it in its own statement (`healthPrefetchColumns`, `healthPrefetchRefs`:
 * the current account and outcome rows, the first `top` drivers, the outcomes and next milestones they refer to),
 * and primes the request's DataLoaders with it (`primePage`). The field resolvers then run as always, through the
 * loaders, and find the values there: one statement per page whatever its size, and the same answer as a field
 * reached any other way (a test compares a page with `account(id)` read through the loaders alone).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { intArgument, selectedAt } from '../shared/selection';
import type { TenantScope } from '../shared/tenant';
import { ACCOUNT_JSON, decodeJsonRow, OUTCOME_SUMMARY_JSON, type AccountHealthRow, type DriverJson } from './health.columns';
import {
  currentAccountHealth, currentDrivers, currentOutcomeHealth, driversKey, milestoneById, outcomeById, topDriversSql, type DriversKey, type StoredOutcomeRow,
} from './health.loaders';
import { prime } from '../shared/primed';

/** What a page of accounts reads in its own statement for its items' health fields. */
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
 * The look-ahead. `path`: from the list field to an Account (['edges', 'node'] for a connection). Drivers are read
 * with the outcomes when every `drivers` selection asks for the same `top` (the usual `drivers(top: 3)`); otherwise
 * `currentDrivers` reads them in one statement of their own. Purely an optimisation: what it misses (or over-reports,
 * e.g. under `@skip`) the loaders still answer.
 */
export function healthPrefetchOf(info: GraphQLResolveInfo, path: readonly string[]): HealthPrefetch {
  const health = selectedAt(info, [...path, 'health']).length > 0;
  const outcomes = selectedAt(info, [...path, 'outcomes']);
  if (!outcomes.length) return { health };
  const tops = new Set(selectedAt(info, [...path, 'outcomes', 'drivers']).map((d) => intArgument(info, d, 'top')));
  const [top] = tops;
  const outcome = selectedAt(info, [...path, 'outcomes', 'outcome']).length > 0;
  const nextMilestone = selectedAt(info, [...path, 'outcomes', 'journey', 'nextMilestone']).length > 0;
  return { health, outcomes: true, outcome, nextMilestone, drivers: tops.size === 1 && top !== undefined && (top === null || (Number.isInteger(top) && top >= 0)) ? { top } : undefined };
}

/**
 * The page statement's extra columns ("healthJson", "outcomesJson") over the page's accounts (alias `a`). `param`
 * binds a value in the page statement: `top` is a parameter, so one statement text serves every page size and top.
 */
export function healthPrefetchColumns(p: HealthPrefetch, param: (value: unknown, cast: string) => string): string[] {
  const cols: string[] = [];
  if (p.health) {
    cols.push(`(SELECT ${ACCOUNT_JSON('ah')}
       FROM current_account_health ah WHERE ah.workspace_id = $1 AND ah.account_id = a.id) AS "healthJson"`);
  }
  if (p.outcomes) {
    // Same rows and order as `currentOutcomeHealth`; the drivers (when asked for) as "topDrivers".
    const drivers = p.drivers ? `, 'topDrivers', ${topDriversSql('h', param(p.drivers.top, 'int'))}` : '';
    cols.push(`(SELECT json_agg(${OUTCOME_SUMMARY_JSON('h', drivers)} ORDER BY o.created_at, o.id)
       FROM current_outcome_health h
       JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.active
       WHERE h.workspace_id = $1 AND h.account_id = a.id) AS "outcomesJson"`);
  }
  return cols;
}

/**
 * With `outcome` / `nextMilestone`: an expression over the page's rows (CTE `page`) giving the rows they refer to,
 * each once: `{ outcomes: [...], milestones: [...] }`; null when not asked for.
 */
export function healthPrefetchRefs(scope: TenantScope, p: HealthPrefetch, page: string): string | null {
  if (!p.outcomes || (!p.outcome && !p.nextMilestone)) return null;
  const parts: string[] = [];
  if (p.outcome) {
    parts.push(`'outcomes', (SELECT json_agg(${scope.entityJsonSql(Outcome, 'o')}) FROM outcomes o WHERE o.workspace_id = $1 AND o.id = ANY(r.outcome_ids))`);
  }
  if (p.nextMilestone) {
    parts.push(`'milestones', (SELECT json_agg(${scope.entityJsonSql(Milestone, 'm')}) FROM milestones m WHERE m.workspace_id = $1 AND m.id = ANY(r.milestone_ids))`);
  }
  // The ids from the table rather than from "outcomesJson" (reading that json back costs PostgreSQL more than an index
  // probe per account), in one pass for both kinds of rows.
  return `(SELECT json_build_object(${parts.join(', ')})
    FROM (SELECT array_agg(DISTINCT h.outcome_id) AS outcome_ids, array_agg(DISTINCT h.next_milestone_id) AS milestone_ids
            FROM ${page} pr JOIN current_outcome_health h ON h.workspace_id = $1 AND h.account_id = pr.id) r)`;
}

type Json = Record<string, unknown>;
export type PageRefs = { outcomes?: Json[] | null; milestones?: Json[] | null } | null | undefined;
export interface PrefetchedRow { healthJson?: Json | null; outcomesJson?: Json[] | null }

/** Prime the request's loaders with what the page statement read: its rows (by account id) and refs. */
export function primePage(scope: TenantScope, p: HealthPrefetch, rows: Array<{ id: string } & PrefetchedRow>, refs: PageRefs): void {
  const accountHealth = p.health ? scope.loader(currentAccountHealth) : null;
  const outcomes = p.outcomes ? scope.loader(currentOutcomeHealth) : null;
  const drivers = p.drivers ? scope.loader(currentDrivers) : null;
  for (const row of rows) {
    if (accountHealth) prime(accountHealth, row.id, row.healthJson ? decodeJsonRow<AccountHealthRow>(row.healthJson, row.id) : null);
    if (!outcomes) continue;
    prime(outcomes, row.id, (row.outcomesJson ?? []).map((json) => {
      const { topDrivers, ...values } = json;
      const stored = decodeJsonRow<StoredOutcomeRow>(values, row.id);
      if (drivers) {
        const key = { accountId: row.id, outcomeId: stored.outcomeId, top: p.drivers!.top };
        prime<DriversKey, DriverJson[], string>(drivers, key, topDrivers as DriverJson[], driversKey(key));
      }
      return stored;
    }));
  }
  if (p.outcome) for (const o of refs?.outcomes ?? []) { const e = scope.entityFromJson(Outcome, o); prime(scope.loader(outcomeById), e.id, e); }
  if (p.nextMilestone) for (const m of refs?.milestones ?? []) { const e = scope.entityFromJson(Milestone, m); prime(scope.loader(milestoneById), e.id, e); }
}
