import DataLoader from 'dataloader';
import type { TenantScope } from '../shared/tenant';

/**
 * Account id -> its current tags: those whose newest `tag:<x>` signal has value 1 (addTag writes 1,
 * removeTag 0). One query per batch of accounts; served by the (account, type, occurred_at) index.
 */
export function tagsByAccount(scope: TenantScope): DataLoader<string, string[]> {
  return new DataLoader<string, string[]>(async (accountIds) => {
    const rows = await scope.query<{ account_id: string; tags: string[] }>(
      `SELECT account_id, array_agg(substr(type, 5) ORDER BY type) AS tags
         FROM (SELECT DISTINCT ON (account_id, type) account_id, type, value
                 FROM signals
                WHERE workspace_id = $1 AND account_id = ANY($2::uuid[]) AND type LIKE 'tag:%'
                ORDER BY account_id, type, occurred_at DESC, id DESC) latest
        WHERE value = 1
        GROUP BY account_id`,
      [accountIds]);
    const byAccount = new Map(rows.map((r) => [r.account_id, r.tags]));
    return accountIds.map((id) => byAccount.get(id) ?? []);
  });
}
