/**
 * TenantScope.findByIds (the read path's by-id lookups, SQL built from TypeORM's metadata) returns exactly
 * what TypeORM's own find() returns, for every entity with an id, on the seeded demo workspace; and never
 * another workspace's rows.
 */
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../src/entities';
import { TenantScope, tenantSafe } from '../src/shared/tenant';
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

describe('TenantScope.query guard (tenantSafe)', () => {
  it.each([
    ['a filter on the workspace', 'SELECT * FROM accounts a WHERE a.workspace_id = $1', true],
    ['the workspace as a value, reading only scratch tables', 'INSERT INTO health_snapshots (workspace_id, account_id) SELECT $1::uuid, account_id FROM _oh JOIN _acc USING (account_id)', true],
    ['functions and its own CTEs', 'WITH v AS NOT MATERIALIZED (SELECT x FROM jsonb_to_recordset($2::jsonb) AS r(x int)) SELECT $1::uuid, x FROM v', true],
    ['no table at all', "SELECT pg_notify($2, json_build_object('w', $1::uuid)::text)", true],
    ['a comment mentioning a join', 'SELECT count(*) FROM _ah -- the join to accounts comes later\nWHERE $1::uuid IS NOT NULL', true],
    ['no filter', 'SELECT * FROM accounts', false],
    ['a shared table behind a dummy use of $1', 'SELECT * FROM accounts WHERE $1::uuid IS NOT NULL', false],
    ['a shared table joined to scratch ones', 'CREATE TEMP TABLE _x AS SELECT s.* FROM _acc JOIN signals s ON s.account_id = _acc.account_id WHERE $1::uuid IS NOT NULL', false],
    ['a shared table inside a CTE', 'WITH a AS (SELECT * FROM accounts) SELECT $1::uuid, * FROM a', false],
  ])('%s', (_what, sql, safe) => {
    expect(tenantSafe(sql)).toBe(safe);
  });

  it('throws, naming what the statement reads, and runs nothing', async () => {
    const scope = new TenantScope('00000000-0000-4000-8000-000000000000', { query: () => { throw new Error('ran'); } } as never, 'SYSTEM');
    await expect(scope.query('SELECT * FROM signals WHERE $1::uuid IS NOT NULL')).rejects.toThrow(/workspace_id = \$1 \(it reads signals\)/);
  });
});
