import { Role } from '../src/shared/auth';
import { countStatements } from './support/statements';
import { useTestServer, type TestServer, type TestWorkspace } from './support/harness';

const CLUSTER_FIELDS = 'id name description priority isDefault ruleText accountCount warnings rule { all { attribute op value } attribute op value }';
const CREATE = `mutation($input: CreateClusterInput!) { createCluster(input: $input) { ${CLUSTER_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { ${CLUSTER_FIELDS} } }`;
const DELETE = `mutation($id: ID!, $deleteOutcomes: Boolean) { deleteCluster(id: $id, deleteOutcomes: $deleteOutcomes) }`;
const UPSERT = `mutation($accounts: [AccountInput!]!) { upsertAccounts(accounts: $accounts) { created updated rejected { index field reason } } }`;

const enterpriseRule = { all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'plan', op: 'IN', value: ['enterprise'] }] };

async function clusterRows(t: TestServer, ws: TestWorkspace) {
  return await t.db.query('SELECT id, name, priority, rule, is_default FROM clusters WHERE workspace_id = $1 ORDER BY priority', [ws.id]);
}

/** externalId -> cluster name, straight from the database. */
async function membership(t: TestServer, ws: TestWorkspace): Promise<Record<string, string>> {
  const rows = await t.db.query(
    'SELECT a.external_id, c.name FROM accounts a JOIN clusters c ON c.workspace_id = a.workspace_id AND c.id = a.cluster_id WHERE a.workspace_id = $1',
    [ws.id],
  );
  return Object.fromEntries(rows.map((r: { external_id: string; name: string }) => [r.external_id, r.name]));
}

/** Count the SQL statements the server sends while `fn` runs (the server runs in this process). */
describe('persona clusters', () => {
  const t = useTestServer();

  it('a new workspace has exactly one default cluster, without a rule, that cannot be deleted or given a rule', async () => {
    const ws = await t.workspace();
    const { clusters } = await t.ok(`{ clusters { ${CLUSTER_FIELDS} } }`, {}, ws.keys.ANALYST);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({ isDefault: true, rule: null, ruleText: 'everything else (default)', accountCount: 0, warnings: [] });
    const before = await clusterRows(t, ws);

    const del = await t.gql(DELETE, { id: clusters[0].id }, ws.keys.OPS);
    expect(del.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const rule = await t.gql(UPDATE, { id: clusters[0].id, input: { rule: { attribute: 'plan', op: 'EQ', value: 'x' } } }, ws.keys.OPS);
    expect(rule.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rule' });
    const prio = await t.gql(UPDATE, { id: clusters[0].id, input: { priority: 1 } }, ws.keys.OPS);
    expect(prio.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.priority' });
    expect(await clusterRows(t, ws)).toEqual(before);

    // Renaming the default cluster is fine.
    const renamed = await t.ok(UPDATE, { id: clusters[0].id, input: { name: 'Tech touch', description: 'Everyone else' } }, ws.keys.OPS);
    expect(renamed.updateCluster).toMatchObject({ name: 'Tech touch', description: 'Everyone else', isDefault: true });
  });

  it('creates a cluster with a validated rule and shows it in words', async () => {
    const ws = await t.workspace();
    const { createCluster } = await t.ok(CREATE, {
      input: { name: '  Managed enterprise ', description: 'High touch', priority: 10, rule: enterpriseRule },
    }, ws.keys.OPS);
    expect(createCluster).toMatchObject({
      name: 'Managed enterprise', description: 'High touch', priority: 10, isDefault: false, accountCount: 0,
      ruleText: 'managed = true AND plan IN ["enterprise"]',
      rule: { all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'plan', op: 'IN', value: ['enterprise'] }] },
    });
    const listed = await t.ok('{ clusters { name isDefault } }', {}, ws.keys.ANALYST);
    expect(listed.clusters.map((c: { name: string }) => c.name)).toEqual(['Managed enterprise', 'Everyone else']);
    const one = await t.ok('query($id: ID!) { cluster(id: $id) { name } }', { id: createCluster.id }, ws.keys.CSM);
    expect(one.cluster.name).toBe('Managed enterprise');
  });

  it.each([
    { label: 'no form at all', rule: { value: 1 }, field: 'input.rule' },
    { label: 'two forms at once', rule: { attribute: 'plan', op: 'EQ', value: 'x', all: [{ attribute: 'a', op: 'EXISTS' }] }, field: 'input.rule' },
    { label: 'IN with an empty list', rule: { attribute: 'plan', op: 'IN', value: [] }, field: 'input.rule.value' },
    { label: 'GT with a string', rule: { attribute: 'arr', op: 'GT', value: 'lots' }, field: 'input.rule.value' },
    { label: 'EXISTS with a value', rule: { attribute: 'arr', op: 'EXISTS', value: 3 }, field: 'input.rule.value' },
    { label: 'a bad nested condition', rule: { all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'seats', op: 'LT', value: null }] }, field: 'input.rule.all[1].value' },
    { label: 'an empty any', rule: { any: [] }, field: 'input.rule.any' },
    { label: 'a condition without op', rule: { attribute: 'plan' }, field: 'input.rule.op' },
  ])('rejects a rule with $label (BAD_USER_INPUT at $field) and stores nothing', async ({ rule, field }) => {
    const ws = await t.workspace();
    const before = await clusterRows(t, ws);
    const res = await t.gql(CREATE, { input: { name: 'Bad', priority: 5, rule } }, ws.keys.OPS);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await clusterRows(t, ws)).toEqual(before);
  });

  it('rejects a priority out of range and a blank name', async () => {
    const ws = await t.workspace();
    const before = await clusterRows(t, ws);
    const prio = await t.gql(CREATE, { input: { name: 'X', priority: 1_000_000, rule: enterpriseRule } }, ws.keys.OPS);
    expect(prio.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.priority' });
    const blank = await t.gql(CREATE, { input: { name: '   ', priority: 3, rule: enterpriseRule } }, ws.keys.OPS);
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await clusterRows(t, ws)).toEqual(before);
  });

  it('keeps names (case-insensitively) and priorities unique with CONFLICT', async () => {
    const ws = await t.workspace();
    const a = (await t.ok(CREATE, { input: { name: 'Enterprise', priority: 10, rule: enterpriseRule } }, ws.keys.OPS)).createCluster;
    const b = (await t.ok(CREATE, { input: { name: 'SMB', priority: 20, rule: { attribute: 'plan', op: 'EQ', value: 'smb' } } }, ws.keys.OPS)).createCluster;
    const before = await clusterRows(t, ws);

    const sameName = await t.gql(CREATE, { input: { name: 'enterprise', priority: 30, rule: enterpriseRule } }, ws.keys.OPS);
    expect(sameName.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name', existingId: a.id });
    expect(sameName.errors?.[0].message).toMatch(/already has this name/);
    const samePriority = await t.gql(CREATE, { input: { name: 'Other', priority: 20, rule: enterpriseRule } }, ws.keys.OPS);
    expect(samePriority.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.priority', existingId: b.id });
    const rename = await t.gql(UPDATE, { id: b.id, input: { name: 'ENTERPRISE' } }, ws.keys.OPS);
    expect(rename.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    const defaultName = await t.gql(UPDATE, { id: b.id, input: { name: 'Everyone else' } }, ws.keys.OPS);
    expect(defaultName.errors?.[0].extensions?.code).toBe('CONFLICT');
    const reprioritise = await t.gql(UPDATE, { id: b.id, input: { priority: 10 } }, ws.keys.OPS);
    expect(reprioritise.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.priority' });
    expect(await clusterRows(t, ws)).toEqual(before);

    // Its own name and priority are not a conflict.
    const same = await t.ok(UPDATE, { id: b.id, input: { name: 'SMB', priority: 20, description: 'Small' } }, ws.keys.OPS);
    expect(same.updateCluster).toMatchObject({ name: 'SMB', priority: 20, description: 'Small' });
  });

  it('assigns accounts by priority (first match wins) and re-assigns them when rules, priorities or clusters change', async () => {
    const ws = await t.workspace();
    const ent = (await t.ok(CREATE, { input: { name: 'Enterprise', priority: 10, rule: enterpriseRule } }, ws.keys.OPS)).createCluster;
    const big = (await t.ok(CREATE, { input: { name: 'Big', priority: 20, rule: { attribute: 'arr', op: 'GTE', value: 100000 } } }, ws.keys.OPS)).createCluster;
    const up = await t.ok(UPSERT, {
      accounts: [
        { externalId: 'a', name: 'A', attributes: { managed: true, plan: 'enterprise', arr: 200000 } }, // both rules match: Enterprise (10) wins
        { externalId: 'b', name: 'B', attributes: { managed: false, plan: 'enterprise', arr: 150000 } }, // Big only
        { externalId: 'c', name: 'C', attributes: { managed: true, plan: 'pro', arr: '999999' } }, // arr is a string: not numeric, no match
        { externalId: 'd', name: 'D' }, // no attributes: default
      ],
    }, ws.keys.INGEST);
    expect(up.upsertAccounts).toMatchObject({ created: 4, updated: 0, rejected: [] });
    expect(await membership(t, ws)).toEqual({ a: 'Enterprise', b: 'Big', c: 'Everyone else', d: 'Everyone else' });
    const counts = await t.ok('{ clusters { name accountCount } }', {}, ws.keys.ANALYST);
    expect(counts.clusters).toEqual([{ name: 'Enterprise', accountCount: 1 }, { name: 'Big', accountCount: 1 }, { name: 'Everyone else', accountCount: 2 }]);

    // Big before Enterprise: A now matches Big first.
    await t.ok(UPDATE, { id: big.id, input: { priority: 5 } }, ws.keys.OPS);
    expect(await membership(t, ws)).toEqual({ a: 'Big', b: 'Big', c: 'Everyone else', d: 'Everyone else' });

    // Enterprise's rule widened to any managed account: C joins it (A stays in Big, tried first).
    await t.ok(UPDATE, { id: ent.id, input: { rule: { attribute: 'managed', op: 'EQ', value: true } } }, ws.keys.OPS);
    expect(await membership(t, ws)).toEqual({ a: 'Big', b: 'Big', c: 'Enterprise', d: 'Everyone else' });

    // A new cluster in front catches D (NOT_EXISTS arr).
    await t.ok(CREATE, { input: { name: 'No ARR', priority: 1, rule: { attribute: 'arr', op: 'NOT_EXISTS' } } }, ws.keys.OPS);
    expect(await membership(t, ws)).toEqual({ a: 'Big', b: 'Big', c: 'Enterprise', d: 'No ARR' });

    // Deleting Big sends A to Enterprise (managed) and B to the default.
    expect((await t.ok(DELETE, { id: big.id }, ws.keys.OPS)).deleteCluster).toBe(true);
    expect(await membership(t, ws)).toEqual({ a: 'Enterprise', b: 'Everyone else', c: 'Enterprise', d: 'No ARR' });

    // An account's attributes change: it moves on upsert.
    await t.ok(UPSERT, { accounts: [{ externalId: 'b', attributes: { managed: true, arr: 5 } }] }, ws.keys.INGEST);
    expect((await membership(t, ws)).b).toBe('Enterprise');
    // Attributes replaced without arr: the front cluster (arr NOT_EXISTS) wins.
    await t.ok(UPSERT, { accounts: [{ externalId: 'b', attributes: { managed: true } }] }, ws.keys.INGEST);
    expect((await membership(t, ws)).b).toBe('No ARR');
  });

  it('keeps every account in the right cluster while upserts and rule changes run concurrently', async () => {
    const ws = await t.workspace();
    const c = (await t.ok(CREATE, { input: { name: 'Picked', priority: 10, rule: { attribute: 'parity', op: 'EQ', value: 0 } } }, ws.keys.OPS)).createCluster;
    const batch = (offset: number, parity: number) => ({
      accounts: Array.from({ length: 300 }, (_, i) => ({ externalId: `acc-${(offset + i) % 500}`, name: 'X', attributes: { parity: (i + parity) % 2 } })),
    });
    const results = await Promise.all([
      t.gql(UPSERT, batch(0, 0), ws.keys.INGEST),
      t.gql(UPSERT, batch(200, 1), ws.keys.INGEST),
      t.gql(UPDATE, { id: c.id, input: { rule: { attribute: 'parity', op: 'EQ', value: 1 } } }, ws.keys.OPS),
      t.gql(UPSERT, batch(100, 0), ws.keys.INGEST),
      t.gql(UPSERT, batch(300, 1), ws.keys.INGEST),
    ]);
    for (const r of results) expect(r.errors).toBeUndefined();
    // Whatever the interleaving, the final rule (parity = 1) decides every account's cluster.
    const wrong = await t.db.query(
      `SELECT count(*)::int AS n FROM accounts a JOIN clusters c ON c.workspace_id = a.workspace_id AND c.id = a.cluster_id
        WHERE a.workspace_id = $1 AND (c.name = 'Picked') <> (a.attributes->>'parity' = '1')`, [ws.id]);
    expect(wrong[0].n).toBe(0);
    expect((await t.db.query('SELECT count(*)::int AS n FROM accounts WHERE workspace_id = $1', [ws.id]))[0].n).toBe(500);
  });

  it('refuses to delete a cluster with outcomes unless deleteOutcomes is true', async () => {
    const ws = await t.workspace();
    const c = (await t.ok(CREATE, { input: { name: 'Enterprise', priority: 10, rule: enterpriseRule } }, ws.keys.OPS)).createCluster;
    await t.ok('mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { id } }', { input: { clusterId: c.id, name: 'Adoption' } }, ws.keys.OPS);
    await t.ok(UPSERT, { accounts: [{ externalId: 'a', name: 'A', attributes: { managed: true, plan: 'enterprise' } }] }, ws.keys.INGEST);

    const res = await t.gql(DELETE, { id: c.id }, ws.keys.OPS);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'deleteOutcomes' });
    expect((await clusterRows(t, ws)).map((r: { name: string }) => r.name)).toContain('Enterprise');
    expect(await membership(t, ws)).toEqual({ a: 'Enterprise' });

    await t.ok(DELETE, { id: c.id, deleteOutcomes: true }, ws.keys.OPS);
    expect(await membership(t, ws)).toEqual({ a: 'Everyone else' });
    expect(await t.db.query('SELECT 1 FROM outcomes WHERE workspace_id = $1', [ws.id])).toHaveLength(0);
  });

  it('only OPS and ADMIN configure clusters; every role reads them', async () => {
    const ws = await t.workspace();
    for (const role of [Role.CSM, Role.INGEST, Role.ANALYST]) {
      const res = await t.gql(CREATE, { input: { name: `By ${role}`, priority: 7, rule: enterpriseRule } }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await t.ok('{ clusters { id } }', {}, ws.keys[role])).clusters).toHaveLength(1);
    }
    expect(await clusterRows(t, ws)).toHaveLength(1);
    await t.ok(CREATE, { input: { name: 'By admin', priority: 7, rule: enterpriseRule } }, ws.keys.ADMIN);
    expect(await clusterRows(t, ws)).toHaveLength(2);
  });

  it('gives NOT_FOUND for clusters of another workspace and changes nothing there', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bc = (await t.ok(CREATE, { input: { name: 'B cluster', priority: 10, rule: enterpriseRule } }, b.keys.OPS)).createCluster;
    const before = await clusterRows(t, b);
    const attempts = [
      t.gql('query($id: ID!) { cluster(id: $id) { name } }', { id: bc.id }, a.keys.ADMIN),
      t.gql(UPDATE, { id: bc.id, input: { name: 'Hijacked', priority: 3 } }, a.keys.OPS),
      t.gql(DELETE, { id: bc.id, deleteOutcomes: true }, a.keys.ADMIN),
      t.gql(UPDATE, { id: 'not-a-uuid', input: { name: 'x' } }, a.keys.OPS),
    ];
    for (const res of await Promise.all(attempts)) expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await clusterRows(t, b)).toEqual(before);
  });

  it('resolves outcomes, account counts and warnings with a constant number of statements (no N+1)', async () => {
    const ws = await t.workspace();
    const q = '{ clusters { name accountCount warnings outcomes { name cluster { name } warnings } } }';
    for (let i = 0; i < 2; i++) {
      const c = (await t.ok(CREATE, { input: { name: `C${i}`, priority: i + 1, rule: { attribute: 'k', op: 'EQ', value: i } } }, ws.keys.OPS)).createCluster;
      await t.ok('mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { id } }', { input: { clusterId: c.id, name: 'O' } }, ws.keys.OPS);
    }
    await t.ok('{ viewer { role } }', {}, ws.keys.ANALYST); // its key lookup is cached from now on: both counts compare the same work
    const few = await countStatements(() => t.ok(q, {}, ws.keys.ANALYST));
    for (let i = 2; i < 8; i++) {
      const c = (await t.ok(CREATE, { input: { name: `C${i}`, priority: i + 1, rule: { attribute: 'k', op: 'EQ', value: i } } }, ws.keys.OPS)).createCluster;
      await t.ok('mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) { id } }', { input: { clusterId: c.id, name: 'O' } }, ws.keys.OPS);
    }
    const many = await countStatements(() => t.ok(q, {}, ws.keys.ANALYST));
    expect((await t.ok(q, {}, ws.keys.ANALYST)).clusters).toHaveLength(9);
    expect(many).toBe(few);
    // clusters + outcomes + account counts + clusters of outcomes (+ the key lookup, were it not cached)
    expect(many).toBeLessThanOrEqual(5);
  });
});
