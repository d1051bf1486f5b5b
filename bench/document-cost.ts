/**
 * `node --expose-gc -r @swc-node/register bench/document-cost.ts --db <url> [--documents 1500] [--only default|ours]`: what a distinct query
 * document costs the server's heap, kept by Apollo's document cache with its graphql-jit compiled query. The app
 * (src/app.ts) runs in this process on a seeded database (e.g. a `bench:soak` one) twice: with Apollo's default store
 * (30 MiB of the documents' JSON) and with ours (src/shared/document-store.ts, a count). Each sends `--documents`
 * distinct dashboard-shaped documents that differ only by a literal (a search string matching no account, so the
 * database does next to nothing), and reads the heap after a full GC every 250 documents.
 */
import 'reflect-metadata';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';
import { Client } from 'pg';
import { startApp } from '../src/app';
import { AuthThrottle } from '../src/shared/auth-throttle';
import { createDataSource } from '../src/shared/db/data-source';
import { DOCUMENT_CACHE_ENTRIES, DocumentStore, type DocumentCache } from '../src/shared/document-store';
import { logger } from '../src/shared/logger';

logger.level = 'warn';
const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const URL_ = argValue('db') ?? process.env.DATABASE_URL;
const DOCUMENTS = Number(argValue('documents') ?? 1500);
/** `--only default|ours`: one of the two stores. */
const ONLY = argValue('only');
const gc = (globalThis as { gc?: () => void }).gc;
if (!URL_ || !gc) throw new Error('usage: node --expose-gc -r @swc-node/register bench/document-cost.ts --db <url of a seeded database>');

const query = (n: number) => `{ accounts(first: 50, filter: { search: "no account is called ${n}" }) { pageInfo { hasNextPage endCursor } edges { node {
  id externalId name cluster { id name } health { score band }
  outcomes { outcome { id name } score band journey { status daysUntilDue nextMilestone { id name } } drivers(top: 3) { key name score pointsLost } } } } } }`;

const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20; };

async function measure(label: string, store: DocumentCache, key: string): Promise<string> {
  const db = createDataSource(URL_!, 4);
  await db.initialize();
  const app = await startApp({ db, port: 0, host: '127.0.0.1', documentStore: store, authThrottle: new AuthThrottle({ maxFailures: 1_000, windowMs: 60_000 }) });
  const points: string[] = [];
  try {
    const send = async (n: number) => {
      const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: query(n) }) });
      const body = await res.json() as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    };
    await send(-1); // warm: schema, loaders, JIT of our own code
    const base = heapMb();
    for (let n = 1; n <= DOCUMENTS; n++) {
      await send(n);
      if (n % 250 === 0 || n === DOCUMENTS) {
        const mb = heapMb() - base;
        points.push(`${n}: +${mb.toFixed(1)} MB`);
        process.stdout.write(`${label}: ${n} documents, heap +${mb.toFixed(1)} MB (${((mb * 1024) / n).toFixed(0)} kB a document)\n`);
      }
    }
  } finally {
    await app.stop();
    await db.destroy();
  }
  return `${label}: ${points.join(', ')}`;
}

async function main(): Promise<void> {
  const pg = new Client({ connectionString: URL_ });
  await pg.connect();
  const { rows: [kept] } = await pg.query(`SELECT shobj_description(oid, 'pg_database') AS data FROM pg_database WHERE datname = current_database()`);
  await pg.end();
  const key = kept?.data && (JSON.parse(kept.data) as { key?: string; adminKey?: string });
  const apiKey = key && (key.key ?? key.adminKey);
  if (!apiKey) throw new Error('the database carries no seeded key (run bench:soak or bench:api on it first)');
  const lines: string[] = [];
  if (ONLY !== 'ours') lines.push(await measure("Apollo's default store (30 MiB of JSON)", new InMemoryLRUCache<DocumentNode>(), apiKey));
  if (ONLY !== 'default') lines.push(await measure(`ours (${DOCUMENT_CACHE_ENTRIES} documents)`, new DocumentStore(), apiKey));
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
