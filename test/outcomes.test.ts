import { Role } from '../src/shared/auth';
import { useTestServer, type TestServer, type TestWorkspace } from './support/harness';

const OUTCOME_FIELDS = 'id name description weight active warnings cluster { id name }';
const CREATE = `mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { ${OUTCOME_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateOutcomeInput!) { updateOutcome(id: $id, input: $input) { ${OUTCOME_FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deleteOutcome(id: $id) }';

async function outcomeRows(t: TestServer, ws: TestWorkspace) {
  return await t.db.query('SELECT id, cluster_id, name, description, weight, active FROM outcomes WHERE workspace_id = $1 ORDER BY name', [ws.id]);
}

async function newCluster(t: TestServer, ws: TestWorkspace, name = 'Managed enterprise', priority = 10): Promise<string> {
  const res = await t.ok(
    'mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }',
    { input: { name, priority, rule: { attribute: 'managed', op: 'EQ', value: true } } }, ws.keys.OPS,
  );
  return res.createCluster.id;
}

describe('desired outcomes', () => {
  const t = useTestServer();

  it('creates, reads, updates and deletes an outcome', async () => {
    const ws = await t.workspace();
    const clusterId = await newCluster(t, ws);
    const { createOutcome: o } = await t.ok(CREATE, {
      input: { clusterId, name: ' Stakeholder intelligence +20% ', description: 'Relationship map (source 002)' },
    }, ws.keys.OPS);
    // Defaults: weight 1, active.
    expect(o).toMatchObject({
      name: 'Stakeholder intelligence +20%', description: 'Relationship map (source 002)', weight: 1, active: true, warnings: [],
      cluster: { id: clusterId, name: 'Managed enterprise' },
    });
    expect((await t.ok('query($id: ID!) { outcome(id: $id) { name } }', { id: o.id }, ws.keys.ANALYST)).outcome.name).toBe(o.name);

    const { updateOutcome } = await t.ok(UPDATE, { id: o.id, input: { weight: 2.5, active: false, description: null } }, ws.keys.ADMIN);
    expect(updateOutcome).toMatchObject({ name: o.name, weight: 2.5, active: false, description: null });
    expect(await outcomeRows(t, ws)).toEqual([{ id: o.id, cluster_id: clusterId, name: o.name, description: null, weight: 2.5, active: false }]);

    const listed = await t.ok('query($c: ID) { outcomes(clusterId: $c) { id } }', { c: clusterId }, ws.keys.CSM);
    expect(listed.outcomes).toEqual([{ id: o.id }]);
    const viaCluster = await t.ok('query($id: ID!) { cluster(id: $id) { outcomes { id } } }', { id: clusterId }, ws.keys.CSM);
    expect(viaCluster.cluster.outcomes).toEqual([{ id: o.id }]);

    expect((await t.ok(DELETE, { id: o.id }, ws.keys.OPS)).deleteOutcome).toBe(true);
    expect(await outcomeRows(t, ws)).toEqual([]);
    expect((await t.gql('query($id: ID!) { outcome(id: $id) { name } }', { id: o.id }, ws.keys.ANALYST)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it.each([
    { label: 'zero weight', input: { weight: 0 }, field: 'input.weight' },
    { label: 'negative weight', input: { weight: -1 }, field: 'input.weight' },
    { label: 'an empty name', input: { name: '' }, field: 'input.name' },
    { label: 'a blank name', input: { name: '   ' }, field: 'input.name' },
  ])('rejects $label (BAD_USER_INPUT at $field) on create and on update, changing nothing', async ({ input, field }) => {
    const ws = await t.workspace();
    const clusterId = await newCluster(t, ws);
    const existing = (await t.ok(CREATE, { input: { clusterId, name: 'Adoption', weight: 3 } }, ws.keys.OPS)).createOutcome;
    const before = await outcomeRows(t, ws);
    const created = await t.gql(CREATE, { input: { clusterId, name: 'New', ...input } }, ws.keys.OPS);
    expect(created.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const updated = await t.gql(UPDATE, { id: existing.id, input }, ws.keys.OPS);
    expect(updated.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await outcomeRows(t, ws)).toEqual(before);
  });

  it('keeps names unique within a cluster (CONFLICT), but allows the same name in another cluster', async () => {
    const ws = await t.workspace();
    const c1 = await newCluster(t, ws, 'Enterprise', 10);
    const c2 = await newCluster(t, ws, 'SMB', 20);
    const first = (await t.ok(CREATE, { input: { clusterId: c1, name: 'Adoption' } }, ws.keys.OPS)).createOutcome;
    const other = (await t.ok(CREATE, { input: { clusterId: c1, name: 'Expansion' } }, ws.keys.OPS)).createOutcome;
    const before = await outcomeRows(t, ws);

    const dup = await t.gql(CREATE, { input: { clusterId: c1, name: 'ADOPTION' } }, ws.keys.OPS);
    expect(dup.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name', existingId: first.id });
    const rename = await t.gql(UPDATE, { id: other.id, input: { name: 'adoption' } }, ws.keys.OPS);
    expect(rename.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    expect(await outcomeRows(t, ws)).toEqual(before);

    await t.ok(CREATE, { input: { clusterId: c2, name: 'Adoption' } }, ws.keys.OPS);
    expect(await outcomeRows(t, ws)).toHaveLength(3);
  });

  it('warns on the cluster and on each of its outcomes when more than four outcomes are active', async () => {
    const ws = await t.workspace();
    const clusterId = await newCluster(t, ws);
    const other = await newCluster(t, ws, 'Other', 20);
    await t.ok(CREATE, { input: { clusterId: other, name: 'Unrelated' } }, ws.keys.OPS);
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C', 'D']) ids.push((await t.ok(CREATE, { input: { clusterId, name } }, ws.keys.OPS)).createOutcome.id);
    // Five outcomes, but one inactive: four active, no warning.
    const inactive = (await t.ok(CREATE, { input: { clusterId, name: 'E', active: false } }, ws.keys.OPS)).createOutcome;
    expect(inactive.warnings).toEqual([]);
    const q = 'query($id: ID!) { cluster(id: $id) { warnings outcomes { name warnings } } }';
    expect((await t.ok(q, { id: clusterId }, ws.keys.ANALYST)).cluster.warnings).toEqual([]);

    // Activating the fifth: the warning appears where the outcome is edited and on the cluster.
    const { updateOutcome } = await t.ok(UPDATE, { id: inactive.id, input: { active: true } }, ws.keys.OPS);
    expect(updateOutcome.warnings).toHaveLength(1);
    expect(updateOutcome.warnings[0]).toMatch(/5 active desired outcomes.*not customer-success focused/);
    const { cluster } = await t.ok(q, { id: clusterId }, ws.keys.ANALYST);
    expect(cluster.warnings).toEqual(updateOutcome.warnings);
    expect(cluster.outcomes.every((o: { warnings: string[] }) => o.warnings.length === 1)).toBe(true);
    // The other cluster is not affected.
    const unrelated = await t.ok('query($c: ID) { outcomes(clusterId: $c) { warnings } }', { c: other }, ws.keys.ANALYST);
    expect(unrelated.outcomes).toEqual([{ warnings: [] }]);
  });

  it('gives NOT_FOUND for clusters and outcomes of another workspace, changing nothing', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bCluster = await newCluster(t, b);
    const bOutcome = (await t.ok(CREATE, { input: { clusterId: bCluster, name: 'B outcome' } }, b.keys.OPS)).createOutcome;
    const before = await outcomeRows(t, b);
    const results = [
      await t.gql(CREATE, { input: { clusterId: bCluster, name: 'Sneaky' } }, a.keys.OPS),
      await t.gql(UPDATE, { id: bOutcome.id, input: { weight: 9 } }, a.keys.OPS),
      await t.gql(DELETE, { id: bOutcome.id }, a.keys.ADMIN),
      await t.gql('query($id: ID!) { outcome(id: $id) { name } }', { id: bOutcome.id }, a.keys.ANALYST),
      await t.gql('query($c: ID) { outcomes(clusterId: $c) { name } }', { c: bCluster }, a.keys.ANALYST),
    ];
    for (const res of results) expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await outcomeRows(t, b)).toEqual(before);
    expect(await outcomeRows(t, a)).toEqual([]);
  });

  it('only OPS and ADMIN configure outcomes', async () => {
    const ws = await t.workspace();
    const clusterId = await newCluster(t, ws);
    for (const role of [Role.CSM, Role.INGEST, Role.ANALYST]) {
      const res = await t.gql(CREATE, { input: { clusterId, name: `By ${role}` } }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await outcomeRows(t, ws)).toEqual([]);
  });
});
