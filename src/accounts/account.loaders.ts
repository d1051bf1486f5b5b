import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { TenantScope } from '../shared/tenant';
import { LifecycleOutcome } from './account.entity';

/** Recorded lifecycle outcomes per account, oldest first. */
export const lifecycleOutcomesByAccount = (scope: TenantScope) =>
  new DataLoader<string, LifecycleOutcome[]>(async (accountIds) => {
    const rows = await scope.find(LifecycleOutcome, { where: { accountId: In([...accountIds]) }, order: { occurredOn: 'ASC', kind: 'ASC' } });
    const byAccount = new Map<string, LifecycleOutcome[]>();
    for (const r of rows) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
    return accountIds.map((id) => byAccount.get(id) ?? []);
  });
