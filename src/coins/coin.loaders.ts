/** Per-request DataLoaders (through `scope.loader`): one query per relation per request, never one per parent. */
import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { TenantScope } from '../shared/tenant';
import { Coin, Component } from './coin.entity';

/** outcome id -> its coin, or null when none is defined yet. */
export const coinByOutcome = (scope: TenantScope) => new DataLoader<string, Coin | null>(async (outcomeIds) => {
  const rows = await scope.find(Coin, { where: { outcomeId: In([...outcomeIds]) } });
  const byId = new Map(rows.map((c) => [c.outcomeId, c]));
  return outcomeIds.map((id) => byId.get(id) ?? null);
});

/** outcome id -> its components in the order they were defined. */
export const componentsByOutcome = (scope: TenantScope) => new DataLoader<string, Component[]>(async (outcomeIds) => {
  const rows = await scope.find(Component, { where: { outcomeId: In([...outcomeIds]) }, order: { position: 'ASC' } });
  const groups = new Map<string, Component[]>(outcomeIds.map((id) => [id, []]));
  for (const c of rows) groups.get(c.outcomeId)?.push(c);
  return outcomeIds.map((id) => groups.get(id)!);
});

/** After a redefinition in this request, forget what the loaders may have cached. */
export function forgetCoinLoaders(scope: TenantScope): void {
  scope.loader(coinByOutcome).clearAll();
  scope.loader(componentsByOutcome).clearAll();
}
