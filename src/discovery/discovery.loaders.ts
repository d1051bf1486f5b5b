import DataLoader from 'dataloader';
import { Account } from '../accounts/account.entity';
import type { TenantScope } from '../shared/tenant';

/** Accounts by id (the best accounts of every suggestion of a discovery in one statement); deleted ones are null. */
export const accountById = (scope: TenantScope) =>
  new DataLoader<string, Account | null>(async (ids) => {
    const found = new Map((await scope.findByIds(Account, ids)).map((a) => [a.id, a]));
    return ids.map((id) => found.get(id) ?? null);
  });
