/** Shared by the benchmarks: a fresh database on DATABASE_URL's server (or an embedded PostgreSQL). */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/shared/db/embedded';

export { freePort } from '../src/shared/db/embedded';

const ROOT = path.join(__dirname, '..');

/**
 * `reuse`: keep the database if it exists and carries a comment (what its seeding recorded with COMMENT ON DATABASE),
 * returned as `data`; otherwise (or without the comment: a seeding that did not finish) drop and create it.
 */
export async function benchDatabase(dbName: string, embeddedDir: string, reuse = false): Promise<{ url: string; embedded?: EmbeddedHandle; pgVersion: string; data?: string }> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedHandle | undefined;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.join(ROOT, '.data', embeddedDir), { attach: false, database: 'postgres' });
    adminUrl = embedded.url;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const [kept] = reuse
    ? (await admin.query(`SELECT shobj_description(oid, 'pg_database') AS data FROM pg_database WHERE datname = $1`, [dbName])).rows as Array<{ data: string | null }>
    : [];
  if (!kept?.data) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
  }
  const [{ server_version: pgVersion }] = (await admin.query('SHOW server_version')).rows;
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return { url: u.toString(), embedded, pgVersion, data: kept?.data ?? undefined };
}

/** The node arguments of `npm start` (V8 flags included), so the benchmarks measure the server as it is started. */
export function serverNodeArgs(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = scripts.start.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`npm start should run node, not ${node}`);
  return rest;
}
