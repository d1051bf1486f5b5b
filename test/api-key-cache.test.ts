/**
 * The API key cache (src/workspaces/api-key.cache.ts) with several server instances on one database: revocations
 * reach every instance through PostgreSQL NOTIFY, an instance whose listener is down looks every key up, TTL 0
 * turns the cache off. A "silent" revocation (triggers off for that transaction, so no NOTIFY) stands for a
 * notification an instance missed: only the cache can still accept that key.
 */
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import type { DataSource } from 'typeorm';
import { startApp, type RunningApp } from '../src/app';
import { Role } from '../src/shared/auth';
import { createDataSource } from '../src/shared/db/data-source';
import { PgListener, type ListenerOptions } from '../src/shared/db/listener';
import type { ApiKeyCacheOptions } from '../src/workspaces/api-key.cache';
import { withDatabase } from './support/global-setup';
import { useTestServer, type TestServer, type TestWorkspace } from './support/harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a condition; the deadline only turns a hang into a clear failure (generous for a busy machine). */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('API key cache', () => {
  const t = useTestServer(); // instance A: the configured cache (60 s TTL)
  const extra: Array<{ db: DataSource; app: RunningApp; listener: PgListener }> = [];
  let sql: Client;
  let b: RunningApp;
  let ws: TestWorkspace;

  async function instance(apiKeyCache: ApiKeyCacheOptions, listenerOptions: Partial<ListenerOptions> = {}): Promise<RunningApp> {
    const url = withDatabase(process.env.TEST_ADMIN_URL!, t.dbName);
    const db = createDataSource(url, 3);
    await db.initialize();
    const listener = new PgListener({ url, ...listenerOptions });
    await listener.start();
    const app = await startApp({ db, port: 0, host: '127.0.0.1', apiKeyCache, listener });
    extra.push({ db, app, listener });
    return app;
  }

  /** `t.gql` against any instance. */
  async function viewer(app: RunningApp, key: string): Promise<string> {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    const body = (await res.json()) as { data?: { viewer: { role: string } }; errors?: Array<{ extensions?: { code?: string } }> };
    return body.data?.viewer.role ?? body.errors?.[0].extensions?.code ?? 'NO ANSWER';
  }

  async function newKey(server: TestServer, role: Role = Role.ANALYST): Promise<{ id: string; key: string }> {
    const { createApiKey } = await server.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`,
      { input: { name: 'cache test', role } }, ws.adminKey);
    return { id: createApiKey.apiKey.id, key: createApiKey.key };
  }

  /** Revoke without the NOTIFY trigger (as if every listener had missed it). */
  async function revokeSilently(id: string): Promise<void> {
    await sql.query('BEGIN');
    await sql.query(`SET LOCAL session_replication_role = replica`);
    await sql.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
    await sql.query('COMMIT');
  }

  beforeAll(async () => {
    sql = new Client({ connectionString: withDatabase(process.env.TEST_ADMIN_URL!, t.dbName) });
    sql.on('error', () => undefined); // the harness's DROP DATABASE … WITH (FORCE) may end it before our afterAll
    await sql.connect();
    // B's clock stands still: its entries never expire, so whatever B stops accepting it learnt from a notification.
    const frozen = Date.now();
    // Its listener reconnects only when a test says so (reconnectNow): "while it is down" lasts as long as the test needs.
    b = await instance({ ttlMs: 60_000, maxEntries: 100, now: () => frozen }, { minBackoffMs: 1e9, maxBackoffMs: 1e9 }); // ~12 days: below setTimeout's limit, jitter included
    ws = await t.workspace('Cache');
  });

  t.cleanup(async () => {
    for (const { app, db, listener } of extra) { await app.stop(); await listener.stop(); await db.destroy(); }
    await sql?.end();
  });

  it('answers a known key from memory, and only until the TTL', async () => {
    let clock = Date.now();
    const c = await instance({ ttlMs: 1500, maxEntries: 100, now: () => clock });
    const { id, key } = await newKey(t);
    expect(await viewer(c, key)).toBe('ANALYST');
    await revokeSilently(id);
    // The missed revocation is still accepted: proof the lookup came from memory (what the other tests rely on).
    expect(await viewer(c, key)).toBe('ANALYST');
    expect(await viewer(t.app, key)).toBe('UNAUTHENTICATED'); // never cached there
    clock += 1499;
    expect(await viewer(c, key)).toBe('ANALYST');
    clock += 2;
    expect(await viewer(c, key)).toBe('UNAUTHENTICATED');
  });

  it('refuses a key revoked through one instance at once there, and on another instance', async () => {
    const { id, key } = await newKey(t);
    expect(await viewer(t.app, key)).toBe('ANALYST');
    expect(await viewer(b, key)).toBe('ANALYST');
    expect(t.app.keys.active && b.keys.active).toBe(true);
    await t.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id }, ws.adminKey);
    expect(await viewer(t.app, key)).toBe('UNAUTHENTICATED'); // no wait: dropped when the revocation committed
    // Instance B learns it by NOTIFY, delivered at commit (its TTL cannot run out: its clock stands still).
    await waitFor(async () => (await viewer(b, key)) === 'UNAUTHENTICATED', 'B to refuse the revoked key');
    expect(await viewer(t.app, key)).toBe('UNAUTHENTICATED');
  });

  it('drops keys changed by any writer: plain SQL, a deleted workspace (cascade)', async () => {
    const { id, key } = await newKey(t);
    const other = await t.workspace('Doomed');
    const keys = [key, other.adminKey, other.keys.OPS];
    for (const app of [t.app, b]) for (const k of keys) expect(await viewer(app, k)).not.toBe('UNAUTHENTICATED');

    await sql.query(`UPDATE api_keys SET role = 'CSM' WHERE id = $1`, [id]);
    for (const app of [t.app, b]) await waitFor(async () => (await viewer(app, key)) === 'CSM', 'the new role');
    await sql.query(`DELETE FROM workspaces WHERE id = $1`, [other.id]);
    for (const app of [t.app, b]) for (const k of keys.slice(1)) {
      await waitFor(async () => (await viewer(app, k)) === 'UNAUTHENTICATED', 'keys of the deleted workspace refused');
    }
  });

  it('does not cache unknown keys, and keeps at most maxEntries', async () => {
    const c = await instance({ ttlMs: 60_000, maxEntries: 2 });
    for (let i = 0; i < 5; i++) expect(await viewer(c, `oh_unknown${i}`)).toBe('UNAUTHENTICATED');
    expect(c.keys.size).toBe(0);
    for (const role of [Role.OPS, Role.CSM, Role.INGEST]) expect(await viewer(c, ws.keys[role])).toBe(role);
    expect(c.keys.size).toBe(2);
    expect(await viewer(c, ws.keys.OPS)).toBe('OPS'); // evicted, looked up again
  });

  it('looks every key up while its listener is down, and starts empty when it is back', async () => {
    const { id, key } = await newKey(t);
    const second = await newKey(t);
    expect(await viewer(b, key)).toBe('ANALYST');
    expect(b.keys.size).toBeGreaterThan(0);
    const pid = b.listener.backendPid;
    expect(pid).toEqual(expect.any(Number));

    await sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => !b.keys.active, 'B to notice its listener is gone');
    expect(b.keys.size).toBe(0);
    await revokeSilently(id); // a notification B could not have received
    expect(await viewer(b, key)).toBe('UNAUTHENTICATED');
    expect(await viewer(b, second.key)).toBe('ANALYST');
    expect(b.keys.size).toBe(0); // bypassed, not filled

    b.listener.reconnectNow();
    await waitFor(() => b.keys.active, 'B to LISTEN again');
    expect(b.listener.backendPid).not.toBe(pid);
    expect(await viewer(b, key)).toBe('UNAUTHENTICATED');
    expect(await viewer(b, second.key)).toBe('ANALYST');
    expect(b.keys.size).toBe(1);
    // and notifications flow again
    await t.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: second.id }, ws.adminKey);
    await waitFor(async () => (await viewer(b, second.key)) === 'UNAUTHENTICATED', 'B to refuse the revoked key');
  });

  it('revoking a key closes its open subscriptions on every instance within a second; other keys keep theirs', async () => {
    const revoked = await newKey(t);
    const kept = await newKey(t);
    const closes: Array<{ app: string; key: string; code: number; at: number }> = [];
    let connected = 0;
    const clients = [[t.app, 'A'], [b, 'B']].flatMap(([app, name]) => [revoked, kept].map((k) => {
      const client = createClient({
        url: (app as RunningApp).url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => undefined,
        connectionParams: { authorization: `Bearer ${k.key}` },
        on: { connected: () => { connected++; }, closed: (e) => { closes.push({ app: name as string, key: k === revoked ? 'revoked' : 'kept', code: (e as { code: number }).code, at: Date.now() }); } },
      });
      client.subscribe({ query: 'subscription { healthChanged { kind } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      return client;
    }));
    try {
      await waitFor(() => connected === 4, 'four connections acknowledged (the server registered each key)');
      const revokedAt = Date.now();
      await t.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: revoked.id }, ws.adminKey);
      await waitFor(() => closes.filter((c) => c.key === 'revoked').length === 2, 'both subscriptions of the revoked key closed', 1000);
      expect(closes.filter((c) => c.key === 'revoked').map((c) => [c.app, c.code]).sort()).toEqual([['A', 4403], ['B', 4403]]);
      expect(Math.max(...closes.map((c) => c.at)) - revokedAt).toBeLessThan(1000);
      // the kept key's connections still answer: a query over the same instances, then still no close
      expect(await viewer(b, kept.key)).toBe('ANALYST');
      expect(closes.filter((c) => c.key === 'kept')).toEqual([]);
    } finally {
      for (const c of clients) await c.dispose();
    }
  });

  it('TTL 0 turns the cache off: every request looks its key up', async () => {
    const c = await instance({ ttlMs: 0, maxEntries: 100 });
    const { id, key } = await newKey(t);
    expect(await viewer(c, key)).toBe('ANALYST');
    expect(c.keys.active).toBe(false);
    expect(c.keys.size).toBe(0);
    await revokeSilently(id);
    expect(await viewer(c, key)).toBe('UNAUTHENTICATED');
  });
});
