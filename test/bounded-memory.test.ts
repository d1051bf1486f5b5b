/**
 * What the server keeps in memory per distinct request stays bounded however many distinct requests come
 * (bench:soak measures the memory itself): Apollo's parsed documents, which also carry each one's compiled query
 * (src/shared/document-store.ts), and the named prepared statements of each pooled connection
 * (src/shared/db/prepared.ts), on our side and in PostgreSQL.
 */
import type { DataSource } from 'typeorm';
import { Pool } from 'pg';
import { startApp, type RunningApp } from '../src/app';
import { AuthThrottle } from '../src/shared/auth-throttle';
import { createDataSource, poolOf, tenantSource } from '../src/shared/db/data-source';
import { MAX_PREPARED_PER_CONNECTION, preparedQuery } from '../src/shared/db/prepared';
import { DocumentStore } from '../src/shared/document-store';
import { TenantScope } from '../src/shared/tenant';
import { withDatabase } from './support/global-setup';
import { useTestServer } from './support/harness';

describe('bounded per-request caches', () => {
  const t = useTestServer();

  describe('parsed (and compiled) documents', () => {
    const documents = new DocumentStore(5);
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp({ db: t.db, port: 0, host: '127.0.0.1', documentStore: documents, authThrottle: new AuthThrottle({ maxFailures: 1_000, windowMs: 60_000 }) });
    });
    t.cleanup(async () => { await app?.stop(); });

    async function pageOf(first: number, key: string): Promise<unknown> {
      const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: `{ accounts(first: ${first}) { edges { node { externalId } } } }` }) });
      const body = await res.json() as { data?: { accounts: { edges: unknown[] } }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data!.accounts.edges.length;
    }

    it('keeps at most its cap of documents after many distinct literal variants, and answers an evicted one again', async () => {
      const ws = await t.workspace('Documents');
      await t.ok('mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { created } }',
        { a: Array.from({ length: 3 }, (_, i) => ({ externalId: `d${i}`, name: `D ${i}` })) }, ws.adminKey);
      for (let first = 1; first <= 12; first++) expect(await pageOf(first, ws.keys.ANALYST)).toBe(Math.min(first, 3));
      expect(documents.size).toBe(5);
      expect(await pageOf(1, ws.keys.ANALYST)).toBe(1); // evicted long ago: parsed, validated and compiled again
      expect(documents.size).toBe(5);
    });

    it('evicts the least recently used document', async () => {
      const store = new DocumentStore(2);
      const doc = (n: number) => ({ kind: 'Document', definitions: [], n }) as never;
      await store.set('a', doc(1));
      await store.set('b', doc(2));
      expect(await store.get('a')).toEqual(doc(1)); // a is now the most recently used
      await store.set('c', doc(3));
      expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([doc(1), undefined, doc(3)]);
    });
  });

  describe('named prepared statements', () => {
    let db: DataSource;
    beforeAll(async () => {
      db = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 1); // one connection: every statement lands on it
      await db.initialize();
    });
    t.cleanup(async () => { await db?.destroy(); });

    /**
     * Counted by PostgreSQL on the only connection of the tenant pool, where TenantScope's statements run (an unnamed
     * statement: it prepares nothing itself).
     */
    const preparedOnServer = async () => Number((await poolOf(await tenantSource(db)).query('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0].n);

    it('keeps each connection within its cap through TenantScope, deallocating the least recently used', async () => {
      const ws = await t.workspace('Statements');
      const scope = TenantScope.system(db, ws.id);
      const distinct = MAX_PREPARED_PER_CONNECTION + 40;
      for (let i = 0; i < distinct; i++) {
        const [row] = await scope.query<{ i: number }>(`SELECT ${i}::int AS i, count(*)::int AS n FROM accounts WHERE workspace_id = $1`);
        expect(row.i).toBe(i);
      }
      expect(await preparedOnServer()).toBe(MAX_PREPARED_PER_CONNECTION);
      // The first texts were deallocated; they run again (prepared anew), still within the cap.
      const [again] = await scope.query<{ i: number }>('SELECT 0::int AS i, count(*)::int AS n FROM accounts WHERE workspace_id = $1');
      expect(again.i).toBe(0);
      expect(await preparedOnServer()).toBe(MAX_PREPARED_PER_CONNECTION);
    });

    it('deallocates the least recently used, not the oldest prepared', async () => {
      const own = new Pool({ connectionString: withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), max: 1 });
      try {
        const run = async (n: number) => expect((await preparedQuery<{ n: number }>(own, `SELECT ${n}::int + $1::int AS n`, [1], { max: 3 }))[0].n).toBe(n + 1);
        for (const n of [1, 2, 3]) await run(n);
        await run(1); // 1 used again: 2 is now the least recently used
        await run(4);
        const texts = (await own.query('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement as string);
        expect(texts.map((s) => Number(/SELECT (\d+)::int/.exec(s)![1])).sort()).toEqual([1, 3, 4]);
      } finally {
        await own.end();
      }
    });
  });
});
