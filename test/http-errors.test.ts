/**
 * Requests GraphQL never sees still get a GraphQL-shaped JSON answer: a body that is not JSON, a body over the limit,
 * an empty operationName; in every NODE_ENV (Express's own error page shows a stack trace outside production). And a
 * revoked key is told it was revoked.
 */
import type { DataSource } from 'typeorm';
import { startApp, type RunningApp } from '../src/app';
import { createDataSource } from '../src/shared/db/data-source';
import { withDatabase } from './support/global-setup';
import { useTestServer, type TestWorkspace } from './support/harness';

describe('HTTP-level errors', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  const apps: Record<string, RunningApp> = {};
  let db: DataSource;

  beforeAll(async () => {
    ws = await t.workspace('Errors');
    // Express reads NODE_ENV when the app is made: one instance per value.
    db = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 3);
    await db.initialize();
    const saved = process.env.NODE_ENV;
    try {
      for (const env of ['development', 'production', 'test']) {
        process.env.NODE_ENV = env;
        apps[env] = await startApp({ db, port: 0, host: '127.0.0.1', apiKeyCache: { ttlMs: 0, maxEntries: 1 } });
      }
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
  t.cleanup(async () => {
    for (const app of Object.values(apps)) await app.stop();
    await db?.destroy();
  });

  async function post(app: RunningApp, body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.adminKey}`, ...headers }, body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: JSON.parse(text) };
  }

  /** No HTML, no stack frames, no file paths. */
  function expectNoInternals(text: string): void {
    expect(text).not.toMatch(/<html|<pre|\bat \S+ \(|node_modules|\/work\/|\/src\//i);
  }

  const envs = ['development', 'production', 'test'];

  it.each(envs)('a body that is not JSON: 400 BAD_REQUEST as JSON (NODE_ENV=%s)', async (env) => {
    const res = await post(apps[env], '{"query": "{ viewer { role } }",');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/json/);
    expect(res.json).toEqual({ errors: [{ message: expect.stringMatching(/not valid JSON/), extensions: { code: 'BAD_REQUEST' } }] });
    expectNoInternals(res.text);
  });

  it.each(envs)('a body over the limit: 413 PAYLOAD_TOO_LARGE as JSON (NODE_ENV=%s)', async (env) => {
    const huge = JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(11 * 1024 * 1024) } });
    const res = await post(apps[env], huge);
    expect(res.status).toBe(413);
    expect(res.type).toMatch(/^application\/json/);
    expect(res.json).toEqual({ errors: [{ message: expect.stringMatching(/10 MB/), extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expectNoInternals(res.text);
  });

  it.each(envs)('a body in an unsupported charset: 415 BAD_REQUEST as JSON (NODE_ENV=%s)', async (env) => {
    const res = await post(apps[env], '{}', { 'content-type': 'application/json; charset=latin-9' });
    expect(res.status).toBe(415);
    expect(res.json.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expectNoInternals(res.text);
  });

  it('an empty operationName is refused (400 BAD_REQUEST) and runs nothing', async () => {
    const keys = async () => (await t.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE workspace_id = $1`, [ws.id]))[0].n;
    const before = await keys();
    for (const env of envs) {
      const res = await post(apps[env], JSON.stringify({
        query: 'mutation { createApiKey(input: { name: "sneaky", role: ANALYST }) { key } }', operationName: '' }));
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [{ message: expect.stringMatching(/operationName/), extensions: { code: 'BAD_REQUEST' } }] });
    }
    expect(await keys()).toBe(before);
    // null or left out: the document's only operation, as before
    const ok = await post(apps.test, JSON.stringify({ query: 'query Me { viewer { role } }', operationName: null }));
    expect(ok.json).toEqual({ data: { viewer: { role: 'ADMIN' } } });
  });

  it('a revoked key is told so; an unknown key is not told anything about keys', async () => {
    const { createApiKey } = await t.ok(`mutation { createApiKey(input: { name: "leaver", role: CSM }) { key apiKey { id } } }`, {}, ws.adminKey);
    await t.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: createApiKey.apiKey.id }, ws.adminKey);
    const revoked = await t.gql(`{ viewer { role } }`, {}, createApiKey.key);
    expect(revoked.errors).toEqual([expect.objectContaining({
      message: expect.stringMatching(/^This API key was revoked\./), extensions: { code: 'UNAUTHENTICATED' } })]);
    const unknown = await t.gql(`{ viewer { role } }`, {}, `${createApiKey.key.slice(0, -2)}xx`);
    expect(unknown.errors).toEqual([expect.objectContaining({
      message: 'Send a valid API key as "Authorization: Bearer <key>".', extensions: { code: 'UNAUTHENTICATED' } })]);
    // also on an instance that does not cache keys
    const uncached = await post(apps.test, JSON.stringify({ query: '{ viewer { role } }' }), { authorization: `Bearer ${createApiKey.key}` });
    expect(uncached.json.errors[0].message).toMatch(/^This API key was revoked\./);
  });
});
