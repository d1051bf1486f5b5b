/**
 * TenantScope.findByIds (the read path's by-id lookups, SQL built from TypeORM's metadata) returns exactly
 * what TypeORM's own find() returns, for every entity with an id, on the seeded demo workspace; and never
 * another workspace's rows.
 */
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../src/entities';
import { TenantScope } from '../src/shared/tenant';
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
