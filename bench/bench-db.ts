/** Shared by the benchmarks: a fresh database on DATABASE_URL's server (or an embedded PostgreSQL). */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/shared/db/embedded';

export { freePort } from '../src/shared/db/embedded';

const ROOT = path.join(__dirname, '..');

export async function benchDatabase(dbName: string, embeddedDir: string): Promise<{ url: string; embedded?: EmbeddedHandle; pgVersion: string }> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedHandle | undefined;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.join(ROOT, '.data', embeddedDir), { attach: false, database: 'postgres' });
    adminUrl = embedded.url;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const [{ server_version: pgVersion }] = (await admin.query('SHOW server_version')).rows;
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return { url: u.toString(), embedded, pgVersion };
}

/** The node arguments of `npm start` (V8 flags included), so the benchmarks measure the server as it is started. */
export function serverNodeArgs(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = scripts.start.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`npm start should run node, not ${node}`);
  return rest;
}
