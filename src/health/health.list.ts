/**
 * The account list's health filters and sorts (plugged into the `accounts` connection, src/accounts/account-list.service.ts):
 * outcome, band, journey status, stage, score range; sort by score and by score change over N days.
 * Everything reads the `current_*` tables through ONE lateral join aliased `hs` (the account health,
 * or with `filter.outcomeId` that outcome's health), so filters and sorts agree on what "score" means.
 */
import { JourneyStage } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import type { AccountQuery } from '../accounts/account-list.service';
import { checkChangeDays, pastSnapshotSql } from './health.change';

/** Filter fields this module reads (declared on AccountFilter). */
export interface HealthFilterFields {
  outcomeId?: string | null;
  bands?: string[] | null;
  journeyStatuses?: string[] | null;
  stageId?: string | null;
  scoreMin?: number | null;
  scoreMax?: number | null;
}

/** Which health a query reads: the placeholder of the outcome id, or null for the account health. */
const outcomeOf = new WeakMap<AccountQuery, string>();

const ACCOUNT_HEALTH = `LEFT JOIN LATERAL (
    SELECT h.score, h.band, h.worst_journey_status AS journey_status, NULL::uuid AS stage_id, h.as_of
      FROM current_account_health h WHERE h.workspace_id = $1 AND h.account_id = a.id) hs ON true`;
const outcomeHealth = (outcome: string) => `LEFT JOIN LATERAL (
    SELECT h.score, h.band, h.journey_status, h.stage_id, h.as_of
      FROM current_outcome_health h WHERE h.workspace_id = $1 AND h.account_id = a.id AND h.outcome_id = ${outcome}) hs ON true`;

/** The `hs` join; the first caller decides (filters run before the sort). */
function health(q: AccountQuery): void {
  q.joinOnce('health', ACCOUNT_HEALTH);
}

/** Runs first among the health filters: with an outcome, scope the list to its cluster and read its health. */
export async function outcomeScope(scope: TenantScope, f: HealthFilterFields, q: AccountQuery): Promise<void> {
  if (!f.outcomeId) return;
  const outcome = await scope.mustFind(Outcome, f.outcomeId, 'Outcome');
  const param = q.param(outcome.id, 'uuid');
  outcomeOf.set(q, param);
  q.joinOnce('health', outcomeHealth(param));
  q.where(`a.cluster_id = ${q.param(outcome.clusterId, 'uuid')}`);
}

export function healthFilters(scope: TenantScope, f: HealthFilterFields, q: AccountQuery): void | Promise<void> {
  if (f.bands?.length) {
    health(q);
    q.where(`coalesce(hs.band, 'UNKNOWN') = ANY(${q.param(f.bands, 'text[]')})`);
  }
  if (f.journeyStatuses?.length) {
    health(q);
    q.where(`hs.journey_status = ANY(${q.param(f.journeyStatuses, 'text[]')})`);
  }
  for (const [field, v] of [['scoreMin', f.scoreMin], ['scoreMax', f.scoreMax]] as const) {
    if (v !== null && v !== undefined && !(v >= 0 && v <= 100)) throw new InputError(`filter.${field}`, `${field} must be between 0 and 100.`);
  }
  if (f.scoreMin !== null && f.scoreMin !== undefined && f.scoreMax !== null && f.scoreMax !== undefined && f.scoreMin > f.scoreMax) {
    throw new InputError('filter.scoreMax', 'scoreMax must not be below scoreMin.');
  }
  if (f.scoreMin !== null && f.scoreMin !== undefined) { health(q); q.where(`hs.score >= ${q.param(f.scoreMin, 'float8')}`); }
  if (f.scoreMax !== null && f.scoreMax !== undefined) { health(q); q.where(`hs.score <= ${q.param(f.scoreMax, 'float8')}`); }
  if (f.stageId) return stageFilter(scope, f.stageId, q);
}

async function stageFilter(scope: TenantScope, stageId: string, q: AccountQuery): Promise<void> {
  const stage = await scope.mustFind(JourneyStage, stageId, 'Journey stage');
  const p = q.param(stage.id, 'uuid');
  if (outcomeOf.has(q)) q.where(`hs.stage_id = ${p}`);
  // A stage belongs to one outcome's journey: the account's row for that outcome is in it.
  else q.where(`EXISTS (SELECT 1 FROM current_outcome_health x WHERE x.workspace_id = $1 AND x.account_id = a.id AND x.stage_id = ${p})`);
}

/** Sort by the current score (account health, or the filtered outcome's); never-scored accounts last. */
export function scoreSortExpr(q: AccountQuery): string {
  health(q);
  return 'hs.score';
}

/**
 * Sort by the change over `days`: current score − the score of the past snapshot (health.change.ts), as
 * Account.outcomes.change computes it; accounts without one last.
 */
export function scoreChangeSortExpr(q: AccountQuery, days: number): string {
  checkChangeDays(days, 'orderBy.changeDays');
  health(q);
  const past = pastSnapshotSql({ columns: 'p.score', account: 'a.id', outcome: outcomeOf.get(q) ?? null, at: 'hs.as_of', days: q.param(days, 'int') });
  return `(hs.score - (${past}))`;
}
