/** Reading health: current results (fast path), change, history, and unsaved scoring at any time. */
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { fieldValues, HISTORY_POINT_COLUMNS, type MilestoneJson } from './health.columns';
import {
  AccountHealth, ComponentMove, Driver, HealthChange, HealthPoint, JourneyHealth, MilestoneProgress, OutcomeHealth,
  OverdueMilestone, scoredId, toMilestoneProgress,
} from './health.types';
import { currentAccountHealth, currentDrivers, currentMilestones, currentOutcomeHealth, healthHistory, modelVersionHash, pastSnapshot } from './health.loaders';
import { checkChangeDays } from './health.change';

/** Movers smaller than this (points) are rounding noise. */
const MOVE_EPSILON = 1e-9;

export async function accountHealth(scope: TenantScope, accountId: string): Promise<AccountHealth> {
  return AccountHealth.from(await scope.loader(currentAccountHealth).load(accountId), accountId);
}

export async function accountOutcomes(scope: TenantScope, accountId: string): Promise<OutcomeHealth[]> {
  return (await scope.loader(currentOutcomeHealth).load(accountId)).map((row) => OutcomeHealth.from(row));
}

/** The hash of the model version that scored it: known for a row scored on the fly, else read by version id. */
export async function modelVersionOf(scope: TenantScope, oh: OutcomeHealth): Promise<string> {
  if (oh.modelHash) return oh.modelHash;
  const hash = oh.row.modelVersionId ? await scope.loader(modelVersionHash).load(oh.row.modelVersionId) : null;
  if (!hash) throw new Error(`Outcome health of account ${oh.row.accountId} has no model version`); // FK: cannot happen
  return hash;
}

/** The milestones of a journey: from the row when it has them (scoreAccount), else the current row's, read on demand. */
async function journeyMilestones(scope: TenantScope, j: JourneyHealth): Promise<{ journeyDay: number; milestones: MilestoneJson[] }> {
  const { row } = j;
  if (row.milestones) return { journeyDay: row.journeyDay, milestones: row.milestones };
  return (await scope.loader(currentMilestones).load({ accountId: row.accountId, outcomeId: row.outcomeId }))
    ?? { journeyDay: row.journeyDay, milestones: [] };
}

export async function milestonesOf(scope: TenantScope, j: JourneyHealth): Promise<MilestoneProgress[]> {
  return (await journeyMilestones(scope, j)).milestones.map((m) => toMilestoneProgress(m, j.id));
}

/** Overdue = due and not achieved, most overdue first. */
export async function overdueMilestonesOf(scope: TenantScope, j: JourneyHealth): Promise<OverdueMilestone[]> {
  const { milestones, journeyDay } = await journeyMilestones(scope, j);
  return milestones
    .filter((m) => m.achievedAt === null && m.expectedByDay <= journeyDay)
    .map((m) => Object.assign(new OverdueMilestone(), { id: `${j.id}/${m.milestoneId}`, milestoneId: m.milestoneId, daysOverdue: journeyDay - m.expectedByDay }))
    .sort((a, b) => b.daysOverdue - a.daysOverdue);
}

/**
 * Drivers, the ones that lost the most points first (ties keep the coin's component order); the first `top` when given.
 * The engine builds them in that order (engine.scores.ts, _outcome_health): a row scored on the fly has them all, a current row's
 * first `top` are read by `currentDrivers`.
 */
export function driversOf(scope: TenantScope, oh: OutcomeHealth, top?: number | null): Driver[] | Promise<Driver[]> {
  if (top !== undefined && top !== null && (!Number.isInteger(top) || top < 0)) throw new InputError('top', 'top must be a whole number of at least 0.');
  const { row } = oh;
  if (!row.drivers) {
    const key = { accountId: row.accountId, outcomeId: row.outcomeId, top: top ?? null };
    return scope.loader(currentDrivers).load(key).then((drivers) => drivers.map((d) => Driver.from(d, oh.id)));
  }
  return (top === undefined || top === null ? row.drivers : row.drivers.slice(0, top)).map((d) => Driver.from(d, oh.id));
}

/** Difference from the past snapshot (health.change.ts), and the components that moved it (by contribution). */
export async function changeOf(scope: TenantScope, oh: OutcomeHealth, days: number): Promise<HealthChange | null> {
  checkChangeDays(days, 'days');
  const past = await scope.loader(pastSnapshot).load({ accountId: oh.row.accountId, outcomeId: oh.outcomeId, asOf: oh.asOf, days });
  if (!past) return null;
  const before = new Map(past.drivers.map((d) => [d.componentId, d]));
  const drivers = oh.row.drivers ?? await scope.loader(currentDrivers).load({ accountId: oh.row.accountId, outcomeId: oh.outcomeId, top: null });
  const now = new Map(drivers.map((d) => [d.componentId, d]));
  const movers: ComponentMove[] = [];
  for (const id of new Set([...before.keys(), ...now.keys()])) {
    const delta = (now.get(id)?.contribution ?? 0) - (before.get(id)?.contribution ?? 0);
    if (Math.abs(delta) > MOVE_EPSILON) {
      movers.push(Object.assign(new ComponentMove(), { componentId: id, key: (now.get(id) ?? before.get(id))!.key, delta }));
    }
  }
  // Ties by key (as analytics' movers): not by the stored drivers' order, which is worst first at scoring time.
  movers.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return Object.assign(new HealthChange(), {
    delta: oh.score !== null && past.score !== null ? oh.score - past.score : null,
    fromScore: past.score, fromAsOf: past.asOf, movers,
  });
}

export async function history(scope: TenantScope, accountId: string, args: { outcomeId?: string | null; from?: Date | null; to?: Date | null }): Promise<HealthPoint[]> {
  if (args.from && args.to && args.from > args.to) throw new InputError('from', 'from must not be after to.');
  const points = await scope.loader(healthHistory).load({ accountId, outcomeId: args.outcomeId ?? null, from: args.from ?? null, to: args.to ?? null });
  return points.map((p) => Object.assign(new HealthPoint(), fieldValues(HISTORY_POINT_COLUMNS, p), {
    id: scoredId(accountId, p.outcomeId, p.asOf), asOf: p.asOf, outcomeId: p.outcomeId,
  }));
}
