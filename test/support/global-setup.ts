/**
 * Once per `npm test`: reach PostgreSQL (DATABASE_URL, or an embedded one under .data/test),
 * and build a migrated template database that every test file clones (CREATE DATABASE … TEMPLATE),
 * so files run in parallel, each on its own database.
 */
import 'reflect-metadata';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/shared/db/data-source';
import { startEmbeddedPostgres, type EmbeddedHandle } from '../../src/shared/db/embedded';
import { runMigrations } from '../../src/shared/db/bootstrap';
import { StartupError } from '../../src/shared/startup-error';

declare global {
  // eslint-disable-next-line no-var
  var __OH_EMBEDDED__: EmbeddedHandle | undefined;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(path.join(__dirname, '..', '..', '.data', 'test'), { attach: false, database: 'postgres' })
      .catch((err) => {
        if (!(err instanceof StartupError)) throw err;
        process.stderr.write(`\n${err.message}\n`); // one sentence, not a stack trace
        process.exit(1);
      });
    globalThis.__OH_EMBEDDED__ = embedded;
    adminUrl = embedded.url;
  }
  const template = `oh_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const ds = createDataSource(withDatabase(adminUrl, template), 2);
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();

  process.env.TEST_ADMIN_URL = adminUrl;
  process.env.TEST_TEMPLATE_DB = template;
}
