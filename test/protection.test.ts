/** Query protection over HTTP: each limit rejects with a clear message and a code; APQ; no field suggestions; introspection switch. */
import { createHash } from 'node:crypto';
import { createDataSource } from '../src/shared/db/data-source';
import { startApp } from '../src/app';
import { LIMITS } from '../src/shared/protection';
import { withDatabase } from './support/global-setup';
import { useTestServer, type TestWorkspace } from './support/harness';

describe('query protection', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  beforeAll(async () => { ws = await t.workspace(); });

  async function post(body: unknown, key = ws.keys.ANALYST): Promise<{ status: number; json: any }> {
    const res = await fetch(t.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  it('accepts an ordinary query', async () => {
    const data = await t.ok('{ viewer { role workspace { name } } }', {}, ws.keys.ANALYST);
    expect(data.viewer.role).toBe('ANALYST');
  });

  it(`rejects a query deeper than ${LIMITS.depth}`, async () => {
    // __type is not the ignored __schema root: each `ofType` is one level deeper.
    const nest = (n: number): string => (n === 0 ? 'name' : `ofType { ${nest(n - 1)} }`);
    const ok = await post({ query: `{ __type(name: "Query") { fields { type { ${nest(LIMITS.depth - 5)} } } } }` });
    expect(ok.json.errors).toBeUndefined();
    const { status, json } = await post({ query: `{ __type(name: "Query") { fields { type { ${nest(LIMITS.depth)} } } } }` });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(json.errors[0].message).toMatch(new RegExp(`^Query depth limit of ${LIMITS.depth} exceeded, found \\d+\\. Split the query`));
    expect(json.data).toBeUndefined();
  });

  it(`rejects more than ${LIMITS.aliases} aliases`, async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: role`).join(' ');
    expect((await post({ query: `{ viewer { ${fields(LIMITS.aliases)} } }` })).json.errors).toBeUndefined();
    const { status, json } = await post({ query: `{ viewer { ${fields(LIMITS.aliases + 1)} } }` });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(json.errors[0].message).toBe(`Aliases limit of ${LIMITS.aliases} exceeded, found ${LIMITS.aliases + 1}. Use fewer aliases or several requests.`);
  });

  it(`rejects more than ${LIMITS.directives} directives`, async () => {
    const fields = (n: number) => Array.from({ length: n }, () => 'role @include(if: true)').join(' ');
    expect((await post({ query: `{ viewer { ${fields(LIMITS.directives)} } }` })).json.errors).toBeUndefined();
    const { status, json } = await post({ query: `{ viewer { ${fields(LIMITS.directives + 1)} } }` });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(json.errors[0].message).toMatch(/^Directives limit of \d+ exceeded, found \d+\. Use fewer directives\.$/);
  });

  it(`rejects a document of more than ${LIMITS.tokens} tokens before validating it`, async () => {
    const many = Array.from({ length: LIMITS.tokens }, () => 'role').join(' ');
    const { status, json } = await post({ query: `{ viewer { ${many} } }` });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(json.errors[0].extensions.limit).toBe('tokens');
    expect(json.errors[0].message).toBe(`Query is too long: more than ${LIMITS.tokens} tokens. Send a shorter document (or use a persisted query).`);
  });

  it(`rejects a query whose estimated cost is over ${LIMITS.cost}`, async () => {
    // Cost (graphql-armor): object 2, scalar 1, ×1.5 per level, × a literal `first` on the field.
    // healthEvents(first: N) { edges { node { 17 scalars } } }: node 2 + 1.5 × 17 = 27.5, edges 2 + 1.5 × 27.5 = 43.25,
    // (2 + 1.5 × 43.25) × N = 66.875 N; N = 1000 (the most a page holds) → 66 875 (passes),
    // two aliased copies → 133 750 > 100 000 (rejected).
    const all = 'id kind accountId accountName accountExternalId clusterId outcomeId outcomeName milestoneId milestoneName fromBand toBand score previousScore daysOverdue asOf createdAt';
    const page = `healthEvents(since: "2020-01-01T00:00:00Z", first: 1000) { edges { node { ${all} } } }`;
    const ok = await post({ query: `{ ${page} }` });
    expect(ok.json.errors).toBeUndefined();
    const { status, json } = await post({ query: `{ e1: ${page} e2: ${page} }` });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(json.errors[0].message).toBe(`Query Cost limit of ${LIMITS.cost} exceeded, found 133750. Ask for fewer items (first) or fewer fields per item.`);
  });

  it('never suggests field, argument or enum names', async () => {
    const { status, json } = await post({ query: '{ viewer { rol workspace { nam } } }' });
    expect(status).toBe(400);
    expect(json.errors.map((e: any) => e.message)).toEqual([
      'Cannot query field "rol" on type "Viewer".',
      'Cannot query field "nam" on type "Workspace".',
    ]);
    const bad = await post({ query: 'query($k: [HealthEventKind!]) { healthEvents(since: "2020-01-01T00:00:00Z", filter: { kinds: $k }) { edges { node { id } } } }', variables: { k: ['BAND_CHANGE'] } });
    expect(JSON.stringify(bad.json)).not.toMatch(/Did you mean/);
    expect(bad.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('supports automatic persisted queries (hash first, full query on PERSISTED_QUERY_NOT_FOUND)', async () => {
    const query = '{ viewer { role } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const miss = await post({ extensions });
    expect(miss.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await post({ query, extensions });
    expect(register.json.data.viewer.role).toBe('ANALYST');
    const hit = await post({ extensions });
    expect(hit.json).toEqual({ data: { viewer: { role: 'ANALYST' } } });
    // A hash that does not match the query is refused.
    const wrong = await post({ query: '{ viewer { apiKeyId } }', extensions });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors[0].message).toMatch(/sha does not match/i);
  });

  it('introspection is on in development and can be switched off', async () => {
    const q = { query: '{ __schema { queryType { name } } }' };
    expect((await post(q)).json.data.__schema.queryType.name).toBe('Query');
    const db = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 2);
    await db.initialize();
    const closed = await startApp({ db, port: 0, host: '127.0.0.1', introspection: false });
    try {
      const res = await fetch(closed.url, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.keys.ANALYST}` }, body: JSON.stringify(q),
      });
      const json: any = await res.json();
      expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(json.errors[0].message).toMatch(/introspection is not allowed/i);
    } finally {
      await closed.stop();
      await db.destroy();
    }
  });
});
