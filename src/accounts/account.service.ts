/**
 * Accounts: batch upsert by externalId (set-based: one INSERT … ON CONFLICT for the whole batch,
 * with the cluster computed by the rules in the same statement) and single-account reads.
 * The paged list lives in account-list.service.ts.
 */
import { requestRescore } from '../jobs/rescore-requests';
import { clusterCaseSql, clustersInOrder, lockClusterConfig } from '../clusters/cluster.assign';
import { DomainError, InputError } from '../shared/errors';
import { type RejectedItem, rejectItem } from '../shared/batch';
import type { TenantScope } from '../shared/tenant';
import { Account } from './account.entity';
import type { AccountInput } from './account.inputs';
import { type CleanAccount, MAX_ACCOUNTS_PER_BATCH, validateAccountItems } from './account.validate';

export interface UpsertAccountsOutcome {
  created: number;
  updated: number;
  accounts: Account[];
  rejected: RejectedItem[];
  /** Stored accounts that are new or changed cluster (e.g. for a rescoring hook). */
  movedAccountIds: string[];
}

/** Columns of `accounts` as the Account entity's properties, for raw SQL that returns accounts; `at` reads a timestamp column. */
const accountColumns = (a: string, at: (column: string) => string) =>
  `${a}.workspace_id AS "workspaceId", ${a}.id, ${a}.external_id AS "externalId", ${a}.name, ${a}.attributes, ` +
  `${a}.csm_owner AS "csmOwner", ${at(`${a}.journey_started_at`)} AS "journeyStartedAt", ${a}.renewal_date::text AS "renewalDate", ` +
  `${a}.cluster_id AS "clusterId", ${at(`${a}.created_at`)} AS "createdAt", ${at(`${a}.updated_at`)} AS "updatedAt"`;
export const ACCOUNT_COLUMNS = (a: string) => accountColumns(a, (column) => column);

/**
 * The same with the timestamps as epoch milliseconds, for `accountFromPageRow`: a page of accounts has three per
 * account, and parsing them from PostgreSQL's text was a visible share of a dashboard page's CPU.
 */
export const ACCOUNT_PAGE_COLUMNS = (a: string) => accountColumns(a, (column) => `(extract(epoch FROM ${column}) * 1000)::float8`);

type PageRow = Omit<Account, 'journeyStartedAt' | 'createdAt' | 'updatedAt'> & { journeyStartedAt: number; createdAt: number; updatedAt: number };

/** The Account of a row selected with `ACCOUNT_PAGE_COLUMNS` (other columns of the row are left behind). */
export function accountFromPageRow(r: PageRow): Account {
  const a = new Account();
  a.workspaceId = r.workspaceId; a.id = r.id; a.externalId = r.externalId; a.name = r.name; a.attributes = r.attributes;
  a.csmOwner = r.csmOwner; a.journeyStartedAt = new Date(r.journeyStartedAt); a.renewalDate = r.renewalDate; a.clusterId = r.clusterId;
  a.createdAt = new Date(r.createdAt); a.updatedAt = new Date(r.updatedAt);
  return a;
}

export async function upsertAccounts(scope: TenantScope, items: AccountInput[]): Promise<UpsertAccountsOutcome> {
  if (items.length > MAX_ACCOUNTS_PER_BATCH) {
    throw new InputError('accounts', `At most ${MAX_ACCOUNTS_PER_BATCH} accounts per call; split the batch.`);
  }
  const { good, rejected } = validateAccountItems(items);
  const result = await scope.transaction(async (tx) => {
    // Shared: many upserts may run at once, but not while the cluster rules are being changed.
    await lockClusterConfig(tx, 'shared');
    const toStore = await requireNamesForNewAccounts(tx, good, rejected);
    if (!toStore.length) return { created: 0, updated: 0, accounts: [], movedAccountIds: [] };
    const stored = await storeAccounts(tx, toStore);
    // Attributes (applicability, normalizeBy), journey start or cluster may have changed: rescore them.
    await requestRescore(tx, stored.accounts.map((a) => a.id));
    return stored;
  });
  rejected.sort((x, y) => x.index - y.index);
  return { ...result, rejected };
}

/** A name is optional on update (kept) but required to create: look up which external ids exist. */
async function requireNamesForNewAccounts(scope: TenantScope, good: CleanAccount[], rejected: RejectedItem[]): Promise<CleanAccount[]> {
  const unnamed = good.filter((g) => g.name === null);
  if (!unnamed.length) return good;
  const rows = await scope.query<{ external_id: string }>(
    `SELECT external_id FROM accounts WHERE workspace_id = $1 AND external_id = ANY($2::text[])`,
    [unnamed.map((g) => g.externalId)],
  );
  const existing = new Set(rows.map((r) => r.external_id));
  return good.filter((g) => {
    if (g.name !== null || existing.has(g.externalId)) return true;
    rejected.push(rejectItem(g.index, 'name', 'name is required to create an account.'));
    return false;
  });
}

async function storeAccounts(scope: TenantScope, items: CleanAccount[]): Promise<Omit<UpsertAccountsOutcome, 'rejected'>> {
  const clusters = await clustersInOrder(scope);
  const rows = items.map((g) => ({
    idx: g.index, external_id: g.externalId, name: g.name, attributes: g.attributes,
    set_csm: g.setCsmOwner, csm_owner: g.csmOwner, journey_started_at: g.journeyStartedAt,
    set_renewal: g.setRenewalDate, renewal_date: g.renewalDate,
  }));
  const params: unknown[] = [JSON.stringify(rows)];
  // `merged` is what each account will look like (given fields over stored ones over defaults);
  // the cluster rules are evaluated on its attributes in the same statement.
  const clusterSql = clusterCaseSql(clusters, 'm', params, 1);
  const stored = await scope.query<Account & { idx: number; inserted: boolean; oldClusterId: string | null }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(idx int, external_id text, name text, attributes jsonb,
         set_csm boolean, csm_owner text, journey_started_at timestamptz, set_renewal boolean, renewal_date date)
     ), merged AS (
       SELECT i.idx, i.external_id,
              COALESCE(i.name, a.name) AS name,
              COALESCE(i.attributes, a.attributes, '{}'::jsonb) AS attributes,
              CASE WHEN i.set_csm THEN i.csm_owner ELSE a.csm_owner END AS csm_owner,
              COALESCE(i.journey_started_at, a.journey_started_at, now()) AS journey_started_at,
              CASE WHEN i.set_renewal THEN i.renewal_date ELSE a.renewal_date END AS renewal_date,
              a.cluster_id AS old_cluster_id
         FROM input i
         LEFT JOIN accounts a ON a.workspace_id = $1 AND a.external_id = i.external_id
     ), up AS (
       INSERT INTO accounts AS acc (workspace_id, external_id, name, attributes, csm_owner, journey_started_at, renewal_date, cluster_id)
       SELECT $1, m.external_id, m.name, m.attributes, m.csm_owner, m.journey_started_at, m.renewal_date, ${clusterSql}
         FROM merged m
        ORDER BY m.external_id -- one lock order for all batches: concurrent batches cannot deadlock on shared accounts
       ON CONFLICT (workspace_id, external_id) DO UPDATE
         SET name = EXCLUDED.name, attributes = EXCLUDED.attributes, csm_owner = EXCLUDED.csm_owner,
             journey_started_at = EXCLUDED.journey_started_at, renewal_date = EXCLUDED.renewal_date,
             cluster_id = EXCLUDED.cluster_id, updated_at = now()
       RETURNING ${ACCOUNT_COLUMNS('acc')}, (acc.xmax = 0) AS inserted
     )
     SELECT up.*, m.idx, m.old_cluster_id AS "oldClusterId"
       FROM up JOIN merged m ON m.external_id = up."externalId"
      ORDER BY m.idx`,
    params,
  );
  await replaceLifecycleOutcomes(scope, items);
  const created = stored.filter((r) => r.inserted).length;
  return {
    created,
    updated: stored.length - created,
    accounts: stored.map(({ idx: _i, inserted: _n, oldClusterId: _o, ...account }) => account as Account),
    movedAccountIds: stored.filter((r) => r.clusterId !== r.oldClusterId).map((r) => r.id),
  };
}

/** Given lifecycle outcomes replace the account's set (two statements for the whole batch). */
async function replaceLifecycleOutcomes(scope: TenantScope, items: CleanAccount[]): Promise<void> {
  const given = items.filter((g) => g.lifecycleOutcomes !== null);
  if (!given.length) return;
  await scope.query(
    `WITH gone AS (
       DELETE FROM lifecycle_outcomes l USING accounts a
        WHERE l.workspace_id = $1 AND a.workspace_id = $1 AND l.account_id = a.id AND a.external_id = ANY($2::text[])
       RETURNING 1
     ) SELECT count(*) FROM gone`,
    [given.map((g) => g.externalId)],
  );
  const rows = given.flatMap((g) => g.lifecycleOutcomes!.map((lo) => ({ external_id: g.externalId, kind: lo.kind, occurred_on: lo.date })));
  if (!rows.length) return;
  await scope.query(
    `INSERT INTO lifecycle_outcomes (workspace_id, account_id, kind, occurred_on)
     SELECT DISTINCT a.workspace_id, a.id, r.kind, r.occurred_on
       FROM jsonb_to_recordset($2::jsonb) AS r(external_id text, kind text, occurred_on date)
       JOIN accounts a ON a.workspace_id = $1 AND a.external_id = r.external_id`,
    [JSON.stringify(rows)],
  );
}

export async function getAccount(scope: TenantScope, id: string): Promise<Account> {
  return await scope.mustFind(Account, id, 'Account');
}

export async function getAccountByExternalId(scope: TenantScope, externalId: string): Promise<Account> {
  const found = await scope.findOne(Account, { externalId });
  if (!found) throw new DomainError('NOT_FOUND', 'No account with this externalId in this workspace.');
  return found;
}
