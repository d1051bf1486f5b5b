/**
 * Row-level security keeps every workspace's rows from every other's, whatever a statement says; and
 * TenantScope.findByIds (the read path's by-id lookups, SQL built from TypeORM's metadata) returns exactly
 * what TypeORM's own find() returns, for every entity with an id, on the seeded demo workspace; and never
 * another workspace's rows.
 */
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../src/entities';
import { Client } from 'pg';
import { APP_ROLE } from '../src/shared/db/data-source';
import { TenantScope, unfilteredReads } from '../src/shared/tenant';
import { createWorkspace } from '../src/workspaces/workspace.service';
import { withDatabase } from './support/global-setup';
import { seedDemo } from '../seeds/demo';
import { useTestServer } from './support/harness';

describe('TenantScope.findByIds', () => {
  const t = useTestServer();
  let workspaceId: string;

  beforeAll(async () => {
    ({ workspaceId } = await seedDemo(t.db));
  }, 120_000);

  // Entities keyed by (workspace_id, id uuid), read off the decorators (the DataSource is not up yet here).
  const columnsOf = (e: unknown) => getMetadataArgsStorage().columns
    .filter((c) => c.target === e || (typeof c.target === 'function' && (e as { prototype: object }).prototype instanceof c.target))
    .map((c) => c.propertyName);
  const uuidId = (e: unknown) => getMetadataArgsStorage().columns.some((c) => c.target === e && c.propertyName === 'id' && c.options.type === 'uuid')
    || getMetadataArgsStorage().generations.some((g) => g.target === e && g.propertyName === 'id' && g.strategy === 'uuid');
  const withId = ENTITIES.filter((e) => columnsOf(e).includes('workspaceId') && uuidId(e));

  it.each(withId.map((e) => [e.name, e] as const))('%s: the same entities as find()', async (_name, entity) => {
    const scope = TenantScope.system(t.db, workspaceId);
    const expected = (await scope.find(entity as never, { take: 25, order: { id: 'ASC' } as never })) as Array<{ id: string }>;
    const found = await scope.findByIds(entity as never, [...expected.map((e) => e.id), 'not-a-uuid']) as Array<{ id: string }>;
    found.sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(found).toStrictEqual(expected);
    // Another workspace sees none of them.
    const other = TenantScope.system(t.db, '00000000-0000-4000-8000-000000000000');
    expect(await other.findByIds(entity as never, expected.map((e) => e.id))).toEqual([]);
  });

  it('covers the entities the read path loads by id, each with rows', async () => {
    expect(withId.map((e) => e.name)).toEqual(expect.arrayContaining(['Cluster', 'Outcome', 'JourneyStage', 'Milestone', 'Component', 'Account']));
    const scope = TenantScope.system(t.db, workspaceId);
    for (const name of ['Cluster', 'Outcome', 'JourneyStage', 'Milestone', 'Component', 'Account']) {
      const entity = ENTITIES.find((e) => e.name === name)!;
      expect([name, (await scope.find(entity as never, { take: 1 })).length]).toEqual([name, 1]);
    }
  });
});

/**
 * Row-level security is the wall (migrations/1796400000000-RowLevelSecurity.ts): what a statement forgets, PostgreSQL
 * does not. The statements below are the ones the old text check let through (issue 16).
 */
describe('Row-level security', () => {
  const t = useTestServer();
  let a: string; // the demo workspace: accounts, signals, scores
  let b: string; // a second workspace with one account
  const url = () => withDatabase(process.env.TEST_ADMIN_URL!, t.dbName);

  beforeAll(async () => {
    ({ workspaceId: a } = await seedDemo(t.db));
    ({ workspace: { id: b } } = await createWorkspace(t.db, 'Other'));
    await t.db.query(`INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
      SELECT $1, 'b-1', 'B one', now(), id FROM clusters WHERE workspace_id = $1`, [b]);
  }, 120_000);

  const unscoped = [
    ['no filter at all', 'SELECT workspace_id FROM accounts'],
    ['the filter only in a join condition', 'SELECT x.workspace_id FROM accounts x LEFT JOIN clusters c ON c.workspace_id = $1 AND c.id = x.cluster_id'],
    ['the filter or anything', 'SELECT workspace_id FROM accounts WHERE workspace_id = $1 OR true'],
    ['a union with an unfiltered table', 'SELECT workspace_id FROM accounts WHERE workspace_id = $1 UNION ALL SELECT workspace_id FROM signals'],
    ['the filter inside a comment', 'SELECT workspace_id FROM health_snapshots -- WHERE workspace_id = $1'],
    ['the workspaces table', 'SELECT id AS workspace_id FROM workspaces'],
  ];

  it.each(unscoped)('%s: only the scope\'s own rows, outside and inside a transaction', async (_what, sql) => {
    const scope = TenantScope.system(t.db, b);
    const outside = await scope.query<{ workspace_id: string }>(sql);
    const inside = await scope.transaction((tx) => tx.query<{ workspace_id: string }>(sql));
    for (const rows of [outside, inside]) expect(rows.filter((r) => r.workspace_id !== b)).toEqual([]);
    // … while the owner sees workspace A's rows through the same statement (there is something to leak)
    const owner: Array<{ workspace_id: string }> = await t.db.query(sql.replace(/\$1/g, `'${b}'::uuid`));
    expect(owner.some((r) => r.workspace_id === a)).toBe(true);
  });

  it('a pooled connection switching workspaces sees each one\'s rows only', async () => {
    const count = async (ws: string) => (await TenantScope.system(t.db, ws).query<{ n: number; w: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT workspace_id)::int AS w FROM accounts'))[0];
    const [{ n: ownerA }] = await t.db.query('SELECT count(*)::int AS n FROM accounts WHERE workspace_id = $1', [a]);
    expect(ownerA).toBeGreaterThan(1);
    // one after another: the pool hands back the connection released last, so the same connection changes workspace
    for (const [ws, n] of [[a, ownerA], [b, 1], [a, ownerA], [b, 1]] as const) expect(await count(ws)).toEqual({ n, w: 1 });
    // a transaction sets its own workspace, whatever its connection was set to, and leaves the connection's as it was
    await TenantScope.system(t.db, b).transaction(async (tx) => expect((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts'))[0].n).toBe(1));
    expect(await count(a)).toEqual({ n: ownerA, w: 1 });
  });

  it('refuses to write a row of another workspace, even when the statement names it', async () => {
    const scope = TenantScope.system(t.db, b);
    await expect(scope.transaction((tx) => tx.query(`INSERT INTO rescore_requests (workspace_id, account_ids) VALUES ($2::uuid, '{}')`, [a])))
      .rejects.toMatchObject({ driverError: { code: '42501' } }); // new row violates row-level security policy
    const updated = await scope.query(`UPDATE accounts SET name = 'taken' WHERE workspace_id = $2 RETURNING id`, [a]);
    expect(updated).toEqual([]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM accounts WHERE name = 'taken'`);
    expect(n).toBe(0);
  });

  it('runs as the application role, which cannot bypass row-level security', async () => {
    const [{ who }] = await TenantScope.system(t.db, b).query<{ who: string }>('SELECT current_user AS who');
    expect(who).toBe(APP_ROLE);
    const [role] = await t.db.query('SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
  });

  it('a connection of the application role without the setting sees nothing, and nothing again after a transaction set it', async () => {
    const client = new Client({ connectionString: url(), options: `-c role=${APP_ROLE}` });
    await client.connect();
    try {
      const counts = async () => (await client.query(
        `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM signals)::int AS signals,
                (SELECT count(*) FROM workspaces)::int AS workspaces, (SELECT count(*) FROM api_keys)::int AS keys`)).rows[0];
      expect(await counts()).toEqual({ accounts: 0, signals: 0, workspaces: 0, keys: 0 });
      await client.query('BEGIN');
      await client.query(`SELECT set_config('oh.workspace_id', $1, true)`, [b]);
      expect((await counts()).accounts).toBe(1);
      await client.query('COMMIT');
      expect(await counts()).toEqual({ accounts: 0, signals: 0, workspaces: 0, keys: 0 }); // '' after the transaction: still nothing
      await expect(client.query(`INSERT INTO rescore_requests (workspace_id, account_ids) VALUES ($1, '{}')`, [a])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it('covers every table with a workspace_id (and workspaces), forced, with the tenant policy for the application role', async () => {
    const tables: Array<{ table: string; rls: boolean; forced: boolean; policy: string | null }> = await t.db.query(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
             (SELECT p.qual FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.roles @> ARRAY[$1::name]) AS policy
        FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
         AND (c.relname = 'workspaces' OR EXISTS (SELECT 1 FROM pg_attribute at WHERE at.attrelid = c.oid AND at.attname = 'workspace_id' AND NOT at.attisdropped))
       ORDER BY 1`, [APP_ROLE]);
    expect(tables.length).toBeGreaterThan(30);
    for (const r of tables) {
      const column = r.table === 'workspaces' ? 'id' : 'workspace_id';
      expect({ ...r, policy: r.policy?.replace(/\s+/g, ' ') }).toEqual({
        table: r.table, rls: true, forced: true,
        policy: `(${column} = (NULLIF(current_setting('oh.workspace_id'::text, true), ''::text))::uuid)`,
      });
    }
  });
});

describe('the development lint (nothing relies on it)', () => {
  it.each([
    ['a filter on the workspace', 'SELECT * FROM accounts a WHERE a.workspace_id = $1', true],
    ['scratch tables only', 'INSERT INTO health_snapshots (workspace_id, account_id) SELECT $1::uuid, account_id FROM _oh JOIN _acc USING (account_id)', true],
    ['no table at all', 'SELECT now() AS now', true],
    ['functions and its own CTEs', 'WITH v AS NOT MATERIALIZED (SELECT x FROM jsonb_to_recordset($2::jsonb) AS r(x int)) SELECT x FROM v', true],
    ['no filter', 'SELECT * FROM accounts', false],
    ['a shared table inside a CTE', 'WITH a AS (SELECT * FROM accounts) SELECT * FROM a', false],
  ])('%s', (_what, sql, ok) => {
    expect(unfilteredReads(sql)).toEqual(ok ? [] : ['accounts']);
  });
});
