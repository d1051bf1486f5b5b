/**
 * The paged account list (Relay connection) as one composable SQL query:
 *  - `AccountQuery` collects joins, WHERE predicates and bound parameters;
 *  - `ACCOUNT_FILTERS` is a list of functions, each turning one part of the filter into predicates;
 *  - `ACCOUNT_SORTS` maps each order field to a SQL expression (and its type, to read a cursor back).
 * To add e.g. health filters or a score sort: add the input field / enum value, push one filter
 * function or add one sort entry, and join the health table with `q.joinOnce('health', …)`.
 * Pagination is keyset (no OFFSET): cursors hold the sort value and the id, so pages stay stable
 * while accounts are being added, and nulls sort last in both directions.
 */
import { QueryFailedError } from 'typeorm';
import { getCluster } from '../clusters/cluster.service';
import { decodeCursor, encodeCursor, pageOf } from '../shared/connection';
import { InputError, NotFoundError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { type AccountFilter, type AccountOrder, AccountOrderField, SortDirection } from './account.inputs';
import { ACCOUNT_PAGE_COLUMNS, accountFromPageRow } from './account.service';
import type { AccountConnection } from './account.types';
import { healthFilters, outcomeScope, scoreChangeSortExpr, scoreSortExpr } from '../health/health.list';
import { plannedColumnSql, type AccountPagePlan } from './account.plan';
import type { Account } from './account.entity';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
/** The page sizes a page statement is written for (see listAccounts). */
const LIMIT_SIZES = [10, 20, 25, 50, 100, MAX_PAGE_SIZE];
const MAX_FILTER_EXTERNAL_IDS = 1000;

/** Builder for `SELECT … FROM accounts a <joins> WHERE <predicates>`; `$1` is always the workspace. */
export class AccountQuery {
  readonly params: unknown[] = [];
  private readonly joins = new Map<string, string>();
  private readonly predicates: string[] = ['a.workspace_id = $1'];
  /** Lookups that must succeed for the list to answer, awaited together with its statement (see `check`). */
  readonly checks: Promise<unknown>[] = [];

  /** Bind a value; returns its placeholder (`$n`, with an optional cast). */
  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return `$${this.params.length + 1}${cast ? `::${cast}` : ''}`;
  }

  /** Add a join once, however many filters or sorts need it (e.g. the latest health of each account). */
  joinOnce(key: string, sql: string): this {
    if (!this.joins.has(key)) this.joins.set(key, sql);
    return this;
  }

  where(predicate: string): this {
    this.predicates.push(`(${predicate})`);
    return this;
  }

  /**
   * A lookup whose failure (e.g. NOT_FOUND) must fail the list, run alongside the page's statement rather than
   * before it: one round trip less. Handled at once too, so a list that fails earlier leaves no unhandled rejection.
   */
  check(lookup: Promise<unknown>): this {
    lookup.catch(() => undefined);
    this.checks.push(lookup);
    return this;
  }

  get fromSql(): string {
    return `FROM accounts a ${[...this.joins.values()].join(' ')} WHERE ${this.predicates.join(' AND ')}`;
  }
}

/** One part of the filter; may add joins and predicates; async so that it can check ids. */
export type AccountFilterPart = (scope: TenantScope, filter: AccountFilter, q: AccountQuery) => void | Promise<void>;

export const ACCOUNT_FILTERS: AccountFilterPart[] = [
  async (scope, f, q) => {
    if (!f.clusterId) return;
    // A typo or another workspace's id: NOT_FOUND, not an empty page (not a UUID: at once, before any SQL casts it).
    if (!isUuid(f.clusterId)) throw new NotFoundError('Cluster', f.clusterId);
    q.check(getCluster(scope, f.clusterId));
    q.where(`a.cluster_id = ${q.param(f.clusterId, 'uuid')}`);
  },
  (_scope, f, q) => {
    if (f.csmOwner !== undefined && f.csmOwner !== null) q.where(`a.csm_owner = ${q.param(f.csmOwner)}`);
  },
  (_scope, f, q) => {
    const s = f.search?.trim();
    if (!s) return;
    if (s.length > 200) throw new InputError('filter.search', 'search may be at most 200 characters.');
    const pattern = q.param(`%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    q.where(`a.name ILIKE ${pattern} OR a.external_id ILIKE ${pattern}`);
  },
  (_scope, f, q) => {
    if (!f.externalIds) return;
    if (f.externalIds.length > MAX_FILTER_EXTERNAL_IDS) {
      throw new InputError('filter.externalIds', `At most ${MAX_FILTER_EXTERNAL_IDS} external ids per query.`);
    }
    q.where(`a.external_id = ANY(${q.param(f.externalIds, 'text[]')})`);
  },
  // Health filters read the current_* tables (src/analytics/account-health-list.ts); outcome first.
  outcomeScope,
  healthFilters,
];

/** A sort: its SQL expression (may add joins) and the SQL type its cursor value is cast back to. */
export interface AccountSort {
  expr: (q: AccountQuery, order: AccountOrder) => string;
  type: string;
}

export const ACCOUNT_SORTS: Record<AccountOrderField, AccountSort> = {
  [AccountOrderField.NAME]: { expr: () => 'lower(a.name)', type: 'text' },
  [AccountOrderField.CREATED_AT]: { expr: () => 'a.created_at', type: 'timestamptz' },
  [AccountOrderField.RENEWAL_DATE]: { expr: () => 'a.renewal_date', type: 'date' },
  [AccountOrderField.SCORE]: { expr: (q) => scoreSortExpr(q), type: 'float8' },
  [AccountOrderField.SCORE_CHANGE]: { expr: (q, order) => scoreChangeSortExpr(q, order.changeDays ?? 30), type: 'float8' },
};

/** The cursor keeps the ordering with the sort value and the id: a page of another ordering is refused, not misread. */
interface Cursor {
  field: string;
  direction: SortDirection;
  value: string | null;
  id: string;
}

const NOT_A_CURSOR = 'This is not a cursor of this list; pass an endCursor or edge cursor you received.';

function decodeAccountCursor(s: string, order: { field: string; direction: SortDirection }): Cursor {
  const [field, direction, value, id] = decodeCursor(s, (v): v is [string, SortDirection, string | null, string] => v.length === 4
    && typeof v[0] === 'string' && typeof v[1] === 'string' && (v[2] === null || typeof v[2] === 'string') && typeof v[3] === 'string' && isUuid(v[3]), NOT_A_CURSOR);
  if (field !== order.field || direction !== order.direction) {
    throw new InputError('after', 'This cursor belongs to another ordering; start again without `after` when you change orderBy.');
  }
  return { field, direction, value, id };
}

export interface ListAccountsArgs {
  filter?: AccountFilter | null;
  orderBy?: AccountOrder | null;
  first?: number | null;
  after?: string | null;
  /**
   * What the query asks of every account of the page (a look-ahead: src/accounts/account.plan.ts): read in the
   * page's own statement and handed to each account as `planned`, instead of one statement per relation.
   */
  plan?: AccountPagePlan;
}

export async function listAccounts(scope: TenantScope, args: ListAccountsArgs): Promise<AccountConnection> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new InputError('first', `first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  const order = {
    field: args.orderBy?.field ?? AccountOrderField.NAME,
    direction: args.orderBy?.direction ?? SortDirection.ASC,
    changeDays: args.orderBy?.changeDays ?? 30,
  };
  const q = new AccountQuery();
  for (const part of ACCOUNT_FILTERS) await part(scope, args.filter ?? {}, q);
  // The filtered set before the cursor (and before the sort's own joins and params): what totalCount counts.
  const countSql = `SELECT count(*)::int AS n ${q.fromSql}`;
  const countParams = [...q.params];
  const sort = ACCOUNT_SORTS[order.field];
  const key = sort.expr(q, order);

  const cmp = order.direction === SortDirection.ASC ? '>' : '<';
  const dir = order.direction === SortDirection.ASC ? 'ASC' : 'DESC';
  if (args.after) {
    const c = decodeAccountCursor(args.after, order);
    const id = q.param(c.id, 'uuid');
    if (c.value === null) {
      q.where(`${key} IS NULL AND a.id ${cmp} ${id}`);
    } else {
      // Row comparison: index-friendly with an index on (workspace_id, <key>, id); the nulls come after every value.
      q.where(`(${key}, a.id) ${cmp} (${q.param(c.value, sort.type)}, ${id}) OR ${key} IS NULL`);
    }
  }
  // LIMIT from a fixed set of page sizes (the smallest that fits; the extra rows are not returned) and the drivers'
  // `top` a parameter: at most LIMIT_SIZES.length statement texts per query shape, whatever clients send (one per
  // size made a new named statement on every pooled connection, never freed). Not a parameter: with an unknown
  // limit PostgreSQL never settles on a generic plan and plans the statement again on every request.
  const limit = String(LIMIT_SIZES.find((size) => size >= first)! + 1);
  const planned = args.plan && plannedColumnSql(scope.db, args.plan, (v, cast) => q.param(v, cast));
  let rows: (Parameters<typeof accountFromPageRow>[0] & { sortKey: string | null; planned?: Account['planned'] | null })[];
  try {
    const statement = scope.query<(typeof rows)[number]>(`SELECT ${ACCOUNT_PAGE_COLUMNS('a')}, (${key})::text AS "sortKey"${planned ? `, ${planned} AS planned` : ''}
        ${q.fromSql} ORDER BY ${key} ${dir} NULLS LAST, a.id ${dir} LIMIT ${limit}`, q.params);
    // The filter's checks (e.g. the cluster exists) ran alongside; their errors come first.
    const [read, ...checked] = await Promise.allSettled([statement, ...q.checks]);
    const failed = checked.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (read.status === 'rejected') throw read.reason;
    rows = read.value;
  } catch (e) {
    // A tampered cursor value that PostgreSQL cannot read back as the sort type.
    if (e instanceof QueryFailedError && /^22/.test(String((e as { code?: string }).code))) {
      throw new InputError('after', NOT_A_CURSOR);
    }
    throw e;
  }
  let total: Promise<number> | undefined;
  return {
    ...pageOf(rows, first, (row) => {
      // An Account instance once, so type-graphql does not copy the row into one for every field resolver on it.
      const node = accountFromPageRow(row);
      node.planned = row.planned ?? undefined;
      const { sortKey } = row;
      // Encoded when asked for: a screen usually reads only pageInfo.endCursor.
      return { node, get cursor() { return encodeCursor([order.field, order.direction, sortKey, node.id]); } };
    }),
    countTotal: () => (total ??= scope.query<{ n: number }>(countSql, countParams).then((r) => r[0].n)),
  };
}
