/** Per-request DataLoaders (through `scope.loader`): one query per relation per request, never one per parent. */
import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { TenantScope } from '../shared/tenant';
import { Journey, JourneyStage, Milestone } from './journey.entity';

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k)!);
}

/** outcome id -> its journey, or null when none is defined yet. */
export const journeyByOutcome = (scope: TenantScope) => new DataLoader<string, Journey | null>(async (outcomeIds) => {
  const rows = await scope.find(Journey, { where: { outcomeId: In([...outcomeIds]) } });
  const byId = new Map(rows.map((j) => [j.outcomeId, j]));
  return outcomeIds.map((id) => byId.get(id) ?? null);
});

/** outcome id -> its stages in journey order. */
export const stagesByOutcome = (scope: TenantScope) => new DataLoader<string, JourneyStage[]>(async (outcomeIds) => {
  const rows = await scope.find(JourneyStage, { where: { outcomeId: In([...outcomeIds]) }, order: { startDay: 'ASC' } });
  return groupBy(outcomeIds, rows, (s) => s.outcomeId);
});

/** stage id -> the stage (for Milestone.stage). */
export const stageById = (scope: TenantScope) => new DataLoader<string, JourneyStage | null>(async (ids) => {
  const rows = await scope.findByIds(JourneyStage, ids);
  const byId = new Map(rows.map((s) => [s.id, s]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** stage id -> its milestones in the order they were defined. */
export const milestonesByStage = (scope: TenantScope) => new DataLoader<string, Milestone[]>(async (stageIds) => {
  const rows = await scope.find(Milestone, { where: { stageId: In([...stageIds]) }, order: { position: 'ASC' } });
  return groupBy(stageIds, rows, (m) => m.stageId);
});

/** After a redefinition in this request, forget what the loaders may have cached. */
export function forgetJourneyLoaders(scope: TenantScope): void {
  for (const factory of [journeyByOutcome, stagesByOutcome, stageById, milestonesByStage]) {
    (scope.loader(factory as (s: TenantScope) => DataLoader<string, unknown>)).clearAll();
  }
}
