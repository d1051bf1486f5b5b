import 'reflect-metadata';
import { validateAccountItems } from '../src/accounts/account.validate';
import { Role } from '../src/shared/auth';
import { countStatements } from './support/statements';
import { useTestServer, type TestServer, type TestWorkspace } from './support/harness';

const ACCOUNT_FIELDS = `id externalId name attributes csmOwner journeyStartedAt renewalDate createdAt updatedAt
  cluster { name } lifecycleOutcomes { kind date occurredOn }`;
const UPSERT = `mutation($accounts: [AccountInput!]!) { upsertAccounts(accounts: $accounts) {
  created updated rejected { index field reason } accounts { ${ACCOUNT_FIELDS} } } }`;
const LIST = `query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id externalId name renewalDate createdAt cluster { name } } } } }`;

async function accountRows(t: TestServer, ws: TestWorkspace) {
  return await t.db.query(
    `SELECT external_id, name, attributes, csm_owner, journey_started_at, renewal_date::text, cluster_id, updated_at
       FROM accounts WHERE workspace_id = $1 ORDER BY external_id`, [ws.id]);
}

async function lifecycleRows(t: TestServer, ws: TestWorkspace) {
  return await t.db.query(
    `SELECT a.external_id, l.kind, l.occurred_on::text AS date FROM lifecycle_outcomes l
       JOIN accounts a ON a.workspace_id = l.workspace_id AND a.id = l.account_id
      WHERE l.workspace_id = $1 ORDER BY 1, 3, 2`, [ws.id]);
}

async function allPages(t: TestServer, key: string, vars: Record<string, unknown>) {
  const nodes: { id: string; externalId: string; name: string; renewalDate: string | null; createdAt: string }[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const { accounts }: { accounts: any } = await t.ok(LIST, { ...vars, after }, key);
    nodes.push(...accounts.edges.map((e: { node: (typeof nodes)[number] }) => e.node));
    pages++;
    if (!accounts.pageInfo.hasNextPage) break;
    after = accounts.pageInfo.endCursor;
    if (pages > 50) throw new Error('pagination does not end');
  }
  return { nodes, pages };
}

describe('account item validation (service level: also what imports and CLIs get)', () => {
  it('checks what the GraphQL types cannot: kinds, calendar dates, JSON shape', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { good, rejected } = validateAccountItems([
      { externalId: 'ok', name: 'Ok', attributes: { a: 1 }, lifecycleOutcomes: [{ kind: 'CHURNED', date: '2025-12-31' }] },
      { externalId: 'k', name: 'K', lifecycleOutcomes: [{ kind: 'LOST', date: '2025-01-01' }] },
      { externalId: 'd', name: 'D', renewalDate: '2025-02-30' },
      { externalId: 'j', name: 'J', journeyStartedAt: new Date('nope') },
      { externalId: 'a', name: 'A', attributes: ['not', 'an', 'object'] },
      { externalId: 'n', name: 'N', csmOwner: 'x'.repeat(201) },
      { externalId: 'big', name: 'Big', attributes: { blob: 'x'.repeat(40_000) } },
    ] as never, now);
    expect(good.map((g) => g.externalId)).toEqual(['ok']);
    expect(rejected.map((r) => [r.index, r.field])).toEqual([
      [1, 'lifecycleOutcomes[0].kind'], [2, 'renewalDate'], [3, 'journeyStartedAt'], [4, 'attributes'], [5, 'csmOwner'], [6, 'attributes'],
    ]);
  });
});

describe('accounts', () => {
  const t = useTestServer();

  it('creates accounts, then updates them by externalId, keeping what is not given', async () => {
    const ws = await t.workspace();
    const beforeCreate = Date.now();
    const first = await t.ok(UPSERT, {
      accounts: [
        { externalId: 'acme', name: 'Acme Corp', attributes: { plan: 'enterprise', managed: true, arr: 120000 }, csmOwner: 'dana@cs.io',
          renewalDate: '2027-03-31', lifecycleOutcomes: [{ kind: 'RENEWED', date: '2025-03-31' }] },
        { externalId: 'globex', name: 'Globex', journeyStartedAt: '2025-01-15T09:00:00.000Z' },
      ],
    }, ws.keys.INGEST);
    const r1 = first.upsertAccounts;
    expect(r1).toMatchObject({ created: 2, updated: 0, rejected: [] });
    expect(r1.accounts.map((a: { externalId: string }) => a.externalId)).toEqual(['acme', 'globex']);
    const [acme, globex] = r1.accounts;
    expect(acme).toMatchObject({
      name: 'Acme Corp', attributes: { plan: 'enterprise', managed: true, arr: 120000 }, csmOwner: 'dana@cs.io', renewalDate: '2027-03-31',
      cluster: { name: 'Everyone else' }, lifecycleOutcomes: [{ kind: 'RENEWED', date: '2025-03-31', occurredOn: '2025-03-31' }],
    });
    // journeyStartedAt defaults to now on create.
    expect(Date.parse(acme.journeyStartedAt)).toBeGreaterThanOrEqual(beforeCreate - 1000);
    expect(Date.parse(acme.journeyStartedAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(globex).toMatchObject({ journeyStartedAt: '2025-01-15T09:00:00.000Z', attributes: {}, csmOwner: null, renewalDate: null, lifecycleOutcomes: [] });

    // Update: acme gets new attributes and loses its CSM (explicit null); name, renewal date, journey start and lifecycle kept.
    const second = await t.ok(UPSERT, {
      accounts: [
        { externalId: 'acme', attributes: { plan: 'pro' }, csmOwner: null },
        { externalId: 'globex', name: 'Globex Inc', lifecycleOutcomes: [{ kind: 'EXPANDED', date: '2025-06-01' }, { kind: 'RENEWED', date: '2025-01-10' }] },
        { externalId: 'initech', name: 'Initech' },
      ],
    }, ws.keys.ADMIN);
    const r2 = second.upsertAccounts;
    expect(r2).toMatchObject({ created: 1, updated: 2, rejected: [] });
    expect(r2.accounts[0]).toMatchObject({
      id: acme.id, name: 'Acme Corp', attributes: { plan: 'pro' }, csmOwner: null, renewalDate: '2027-03-31',
      journeyStartedAt: acme.journeyStartedAt, createdAt: acme.createdAt,
    });
    expect(Date.parse(r2.accounts[0].updatedAt)).toBeGreaterThan(Date.parse(acme.updatedAt));
    expect(r2.accounts[1]).toMatchObject({ id: globex.id, name: 'Globex Inc', journeyStartedAt: '2025-01-15T09:00:00.000Z' });
    expect(await lifecycleRows(t, ws)).toEqual([
      { external_id: 'acme', kind: 'RENEWED', date: '2025-03-31' },
      { external_id: 'globex', kind: 'RENEWED', date: '2025-01-10' },
      { external_id: 'globex', kind: 'EXPANDED', date: '2025-06-01' },
    ]);

    // An empty list clears lifecycle outcomes; reads by id and by externalId agree.
    await t.ok(UPSERT, { accounts: [{ externalId: 'globex', lifecycleOutcomes: [] }] }, ws.keys.INGEST);
    expect((await lifecycleRows(t, ws)).map((r: { external_id: string }) => r.external_id)).toEqual(['acme']);
    const byId = await t.ok(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FIELDS} } }`, { id: acme.id }, ws.keys.ANALYST);
    const byExt = await t.ok(`query($e: String!) { accountByExternalId(externalId: $e) { ${ACCOUNT_FIELDS} } }`, { e: 'acme' }, ws.keys.CSM);
    expect(byId.account).toEqual(byExt.accountByExternalId);
    expect(byId.account).toMatchObject({ attributes: { plan: 'pro' }, renewalDate: '2027-03-31' });
  });

  it('stores the good items of a batch and reports each bad one with its index, field and reason', async () => {
    const ws = await t.workspace();
    await t.ok(UPSERT, { accounts: [{ externalId: 'existing', name: 'Existing', csmOwner: 'kim' }] }, ws.keys.INGEST);
    const before = await accountRows(t, ws);
    const tooManyKeys = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    const items = [
      { externalId: 'good-1', name: 'Good one', attributes: { plan: 'pro' } }, // 0
      { externalId: '', name: 'Empty id' }, // 1
      { externalId: 'x'.repeat(201), name: 'Long id' }, // 2
      { externalId: ' padded ', name: 'Padded id' }, // 3
      { externalId: 'nameless' }, // 4: new account without a name
      { externalId: 'keys', name: 'Too many keys', attributes: tooManyKeys }, // 5
      { externalId: 'future', name: 'Future start', journeyStartedAt: new Date(Date.now() + 7 * 86400000).toISOString() }, // 6
      { externalId: 'renewal', name: 'Far renewal', renewalDate: '2300-01-01' }, // 7
      { externalId: 'lifecycle', name: 'Future churn', lifecycleOutcomes: [{ kind: 'RENEWED', date: '2024-01-01' }, { kind: 'CHURNED', date: '2999-01-01' }] }, // 8
      { externalId: 'good-1', name: 'Duplicate' }, // 9
      { externalId: 'existing', csmOwner: 'lee' }, // 10: update without a name is fine
      { externalId: 'blank-name', name: '   ' }, // 11
      { externalId: 'good-2', name: 'Good two', renewalDate: '2026-12-31' }, // 12
    ];
    const { upsertAccounts: r } = await t.ok(UPSERT, { accounts: items }, ws.keys.INGEST);
    expect(r.created).toBe(2);
    expect(r.updated).toBe(1);
    expect(r.accounts.map((a: { externalId: string }) => a.externalId)).toEqual(['good-1', 'existing', 'good-2']);
    expect(r.rejected.map(({ index, field }: { index: number; field: string }) => [index, field])).toEqual([
      [1, 'externalId'], [2, 'externalId'], [3, 'externalId'], [4, 'name'], [5, 'attributes'], [6, 'journeyStartedAt'],
      [7, 'renewalDate'], [8, 'lifecycleOutcomes[1].date'], [9, 'externalId'], [11, 'name'],
    ]);
    for (const rej of r.rejected) expect(rej.reason.length).toBeGreaterThan(10);
    expect(r.rejected.find((x: { index: number }) => x.index === 9).reason).toMatch(/earlier in this batch \(index 0\)/);
    // Reasons never echo values back.
    expect(JSON.stringify(r.rejected)).not.toContain('xxxxxxxx');
    expect(JSON.stringify(r.rejected)).not.toContain('2999');

    const after = await accountRows(t, ws);
    expect(after.map((a: { external_id: string }) => a.external_id)).toEqual(['existing', 'good-1', 'good-2']);
    expect(after.find((a: { external_id: string }) => a.external_id === 'existing')).toMatchObject({ name: 'Existing', csm_owner: 'lee' });
    expect(after.find((a: { external_id: string }) => a.external_id === 'good-1')).toMatchObject({ name: 'Good one', attributes: { plan: 'pro' } });
    expect(before).toHaveLength(1);
    expect(await lifecycleRows(t, ws)).toEqual([]);
  });

  it('a malformed value in any field rejects only its item, with index and field; the good items are stored', async () => {
    const ws = await t.workspace();
    // field -> malformed values of the JSON type the schema accepts there (a wrong JSON type is a schema error)
    const bad: Array<[string, unknown, string?]> = [
      ['externalId', ''], ['externalId', ' x '], ['name', '  '], ['csmOwner', 'c'.repeat(201)],
      ['attributes', [1, 2]], ['attributes', 'plan=pro'], ['attributes', 42], ['attributes', true],
      ['journeyStartedAt', '2027-02-30T00:00:00Z'], ['journeyStartedAt', 'last spring'], ['journeyStartedAt', ''],
      ['journeyStartedAt', '2026-01-05 10:00:00Z'], ['journeyStartedAt', '2999-01-01'],
      ['renewalDate', '2027-02-30'], ['renewalDate', '31/12/2026'], ['renewalDate', '2026-12-31T00:00:00Z'], ['renewalDate', ''],
      ['lifecycleOutcomes', [{ kind: 'RENEWED', date: '2025-13-01' }], 'lifecycleOutcomes[0].date'],
      ['lifecycleOutcomes', [{ kind: 'RENEWED', date: '2025-01-01' }, { kind: 'CHURNED', date: 'soon' }], 'lifecycleOutcomes[1].date'],
    ];
    const items = bad.flatMap(([field, v], i) => [
      { externalId: `ok-${i}`, name: `Good ${i}` },
      { externalId: `bad-${i}`, name: `Bad ${i}`, [field]: v },
    ]);
    const { upsertAccounts: r } = await t.ok(UPSERT, { accounts: items }, ws.keys.INGEST);
    expect(r.created).toBe(bad.length);
    expect(r.rejected.map((x: any) => [x.index, x.field])).toEqual(bad.map(([field, , path], i) => [2 * i + 1, path ?? field]));
    for (const x of r.rejected) expect(x.reason).toMatch(/\w{3,}.*\./);
    expect((await accountRows(t, ws)).map((a: any) => a.external_id)).toEqual(bad.map((_, i) => `ok-${i}`).sort());
    // the same fields well-formed (a day for journeyStartedAt means midnight UTC)
    const fine = await t.ok(UPSERT, { accounts: [{ externalId: 'fine', name: 'Fine', attributes: { plan: 'pro' }, journeyStartedAt: '2026-01-05',
      renewalDate: '2028-02-29', lifecycleOutcomes: [{ kind: 'RENEWED', date: '2025-02-28' }] }] }, ws.keys.INGEST);
    expect(fine.upsertAccounts.rejected).toEqual([]);
    expect(fine.upsertAccounts.accounts[0]).toMatchObject({ journeyStartedAt: '2026-01-05T00:00:00.000Z', renewalDate: '2028-02-29', attributes: { plan: 'pro' } });
  });

  it('rejects 1,001 accounts as a whole (BAD_USER_INPUT on accounts) and stores none; 1,000 are fine', async () => {
    const ws = await t.workspace();
    const make = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `Account ${i}`, attributes: { i } }));
    const res = await t.gql(UPSERT, { accounts: make(1001, 'big') }, ws.keys.INGEST);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accounts' });
    expect(await accountRows(t, ws)).toEqual([]);
    const ok = await t.ok('mutation($accounts: [AccountInput!]!) { upsertAccounts(accounts: $accounts) { created updated rejected { index } } }',
      { accounts: make(1000, 'ok') }, ws.keys.INGEST);
    expect(ok.upsertAccounts).toEqual({ created: 1000, updated: 0, rejected: [] });
    const again = await t.ok('mutation($accounts: [AccountInput!]!) { upsertAccounts(accounts: $accounts) { created updated } }',
      { accounts: make(1000, 'ok') }, ws.keys.INGEST);
    expect(again.upsertAccounts).toEqual({ created: 0, updated: 1000 });
  });

  it('puts upserted accounts in the cluster their attributes match, by priority', async () => {
    const ws = await t.workspace();
    const createCluster = 'mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }';
    await t.ok(createCluster, { input: { name: 'Managed enterprise', priority: 10, rule: {
      all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'plan', op: 'IN', value: ['enterprise'] }] } } }, ws.keys.OPS);
    await t.ok(createCluster, { input: { name: 'Large', priority: 20, rule: { attribute: 'seats', op: 'GT', value: 100 } } }, ws.keys.OPS);
    const { upsertAccounts: r } = await t.ok(UPSERT, { accounts: [
      { externalId: 'e', name: 'E', attributes: { managed: true, plan: 'enterprise', seats: 500 } },
      { externalId: 'l', name: 'L', attributes: { managed: false, plan: 'enterprise', seats: 101 } },
      { externalId: 's', name: 'S', attributes: { managed: true, plan: 'starter', seats: 100 } },
    ] }, ws.keys.INGEST);
    expect(r.accounts.map((a: { cluster: { name: string } }) => a.cluster.name)).toEqual(['Managed enterprise', 'Large', 'Everyone else']);
    // S grows: it moves on the next upsert; E's attributes are kept (not given) so it stays.
    const { upsertAccounts: r2 } = await t.ok(UPSERT, { accounts: [
      { externalId: 's', attributes: { managed: true, plan: 'starter', seats: 150 } }, { externalId: 'e', name: 'E2' },
    ] }, ws.keys.INGEST);
    expect(r2.accounts.map((a: { cluster: { name: string } }) => a.cluster.name)).toEqual(['Large', 'Managed enterprise']);
  });

  it('lets only INGEST and ADMIN upsert; everyone reads', async () => {
    const ws = await t.workspace();
    for (const role of [Role.OPS, Role.CSM, Role.ANALYST]) {
      const res = await t.gql(UPSERT, { accounts: [{ externalId: `by-${role}`, name: 'X' }] }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await t.ok(LIST, {}, ws.keys[role])).accounts.totalCount).toBe(0);
    }
    expect(await accountRows(t, ws)).toEqual([]);
  });

  it('gives NOT_FOUND for accounts and clusters of another workspace, and upserts never touch it', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bAcc = (await t.ok(UPSERT, { accounts: [{ externalId: 'shared-id', name: 'B account', attributes: { plan: 'b' } }] }, b.keys.INGEST))
      .upsertAccounts.accounts[0];
    const bCluster = (await t.ok('{ clusters { id } }', {}, b.keys.ANALYST)).clusters[0].id;
    const before = await accountRows(t, b);
    for (const res of [
      await t.gql(`query($id: ID!) { account(id: $id) { name } }`, { id: bAcc.id }, a.keys.ADMIN),
      await t.gql(`query($e: String!) { accountByExternalId(externalId: $e) { name } }`, { e: 'shared-id' }, a.keys.ADMIN),
      await t.gql(LIST, { filter: { clusterId: bCluster } }, a.keys.ADMIN),
      await t.gql(LIST, { filter: { clusterId: 'not-a-uuid' } }, a.keys.ADMIN),
      await t.gql(`query { account(id: "nope") { name } }`, {}, a.keys.ADMIN),
    ]) expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // The same externalId in A creates A's own account.
    const mine = await t.ok(UPSERT, { accounts: [{ externalId: 'shared-id', name: 'A account' }] }, a.keys.INGEST);
    expect(mine.upsertAccounts).toMatchObject({ created: 1, updated: 0 });
    expect(mine.upsertAccounts.accounts[0].id).not.toBe(bAcc.id);
    expect(await accountRows(t, b)).toEqual(before);
  });

  describe('the accounts connection', () => {
    let ws: TestWorkspace;
    let enterpriseId: string;
    const N = 23;
    beforeAll(async () => {
      ws = await t.workspace();
      enterpriseId = (await t.ok('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }',
        { input: { name: 'Enterprise', priority: 1, rule: { attribute: 'plan', op: 'EQ', value: 'enterprise' } } }, ws.keys.OPS)).createCluster.id;
      // Names repeat (ties broken by id), a third without a renewal date, some special characters for search.
      const accounts = Array.from({ length: N }, (_, i) => ({
        externalId: `ext-${String(i).padStart(2, '0')}`,
        name: i === 5 ? '100% Fitness' : i === 6 ? 'under_score Ltd' : `Company ${String.fromCharCode(65 + (i % 7))}`,
        attributes: { plan: i % 3 === 0 ? 'enterprise' : 'pro' },
        csmOwner: i % 2 === 0 ? 'dana' : 'lee',
        renewalDate: i % 3 === 1 ? null : `2027-0${1 + (i % 4)}-1${i % 9}`,
      }));
      await t.ok(UPSERT, { accounts: accounts.slice(0, 12) }, ws.keys.INGEST);
      await t.ok(UPSERT, { accounts: accounts.slice(12) }, ws.keys.INGEST);
    });

    it.each([
      { orderBy: undefined },
      { orderBy: { field: 'NAME', direction: 'DESC' } },
      { orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
      { orderBy: { field: 'RENEWAL_DATE', direction: 'ASC' } },
      { orderBy: { field: 'RENEWAL_DATE', direction: 'DESC' } },
    ])('pages through all accounts without duplicates or gaps, ordered by $orderBy', async ({ orderBy }) => {
      const { nodes, pages } = await allPages(t, ws.keys.ANALYST, { orderBy, first: 5 });
      expect(pages).toBe(5); // 23 accounts, 5 per page
      expect(new Set(nodes.map((n) => n.id)).size).toBe(N);
      const field = orderBy?.field ?? 'NAME';
      const desc = orderBy?.direction === 'DESC';
      const keyOf = (n: (typeof nodes)[number]) => (field === 'NAME' ? n.name.toLowerCase() : field === 'CREATED_AT' ? n.createdAt : n.renewalDate);
      for (let i = 1; i < nodes.length; i++) {
        const [prev, cur] = [keyOf(nodes[i - 1]), keyOf(nodes[i])];
        if (prev === null) expect(cur).toBeNull(); // nulls last in both directions
        else if (cur !== null) expect(desc ? prev >= cur : prev <= cur).toBe(true);
      }
      if (field === 'RENEWAL_DATE') expect(nodes.slice(-8).every((n) => n.renewalDate === null)).toBe(true); // i % 3 === 1: 8 of 23
    });

    it('filters by cluster, CSM owner, search text and external ids, with the total count', async () => {
      const byCluster = await allPages(t, ws.keys.ANALYST, { filter: { clusterId: enterpriseId }, first: 3 });
      expect(byCluster.nodes.map((n) => n.externalId).sort()).toEqual(['ext-00', 'ext-03', 'ext-06', 'ext-09', 'ext-12', 'ext-15', 'ext-18', 'ext-21']);
      const owned = await t.ok(LIST, { filter: { csmOwner: 'lee', clusterId: enterpriseId } }, ws.keys.ANALYST);
      expect(owned.accounts.totalCount).toBe(4); // 3, 9, 15, 21
      // `%` and `_` are literal in search, not wildcards ('y_A' would match "Company A" as a LIKE pattern).
      const pct = await t.ok(LIST, { filter: { search: '100%' } }, ws.keys.ANALYST);
      expect(pct.accounts.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['100% Fitness']);
      const underscore = await t.ok(LIST, { filter: { search: 'y_A' } }, ws.keys.ANALYST);
      expect(underscore.accounts.totalCount).toBe(0);
      const ci = await t.ok(LIST, { filter: { search: 'UNDER_score' } }, ws.keys.ANALYST);
      expect(ci.accounts.totalCount).toBe(1);
      const byExt = await t.ok(LIST, { filter: { search: 'EXT-1' } }, ws.keys.ANALYST);
      expect(byExt.accounts.totalCount).toBe(10); // ext-10 … ext-19
      const ids = await t.ok(LIST, { filter: { externalIds: ['ext-01', 'ext-02', 'nope'] }, first: 1 }, ws.keys.ANALYST);
      expect(ids.accounts.totalCount).toBe(2);
      expect(ids.accounts.edges).toHaveLength(1);
      expect(ids.accounts.pageInfo.hasNextPage).toBe(true);
    });

    it('rejects a page size over 200, a foreign cursor and a cursor of another ordering', async () => {
      const big = await t.gql(LIST, { first: 201 }, ws.keys.ANALYST);
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      const bad = await t.gql(LIST, { after: 'garbage' }, ws.keys.ANALYST);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      const page = await t.ok(LIST, { first: 2 }, ws.keys.ANALYST);
      const other = await t.gql(LIST, { after: page.accounts.pageInfo.endCursor, orderBy: { field: 'CREATED_AT', direction: 'ASC' } }, ws.keys.ANALYST);
      expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      const forged = Buffer.from(JSON.stringify(['CREATED_AT', 'ASC', 'not a time', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
      const tampered = await t.gql(LIST, { after: forged, orderBy: { field: 'CREATED_AT', direction: 'ASC' } }, ws.keys.ANALYST);
      expect(tampered.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it('loads clusters and lifecycle outcomes of a page with a constant number of statements', async () => {
      const q = `query($first: Int) { accounts(first: $first) { edges { node { id cluster { name } lifecycleOutcomes { kind } } } } }`;
      const small = await countStatements(() => t.ok(q, { first: 2 }, ws.keys.ANALYST));
      const large = await countStatements(() => t.ok(q, { first: 20 }, ws.keys.ANALYST));
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(4); // key lookup, page, clusters, lifecycle outcomes
    });
  });
});
