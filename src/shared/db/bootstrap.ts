import type { DataSource } from 'typeorm';
import { config } from '../config';
import { logger } from '../logger';
import { StartupError } from '../startup-error';
import { APP_ROLE, createDataSource, type AppDataSource } from './data-source';
import { startEmbeddedPostgres, type EmbeddedHandle } from './embedded';

export interface Database {
  db: AppDataSource;
  url: string;
  embedded?: EmbeddedHandle;
  close(): Promise<void>;
}

/**
 * Connect to DATABASE_URL, or start the embedded PostgreSQL under `.data/`, and apply migrations.
 * @param attach CLIs may attach to the embedded PostgreSQL a running server already owns.
 */
export async function openDatabase(opts: { attach: boolean; migrate?: boolean } = { attach: false }): Promise<Database> {
  let embedded: EmbeddedHandle | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, { attach: opts.attach });
    url = embedded.url;
  }
  const db = createDataSource(url, config.dbPoolSize);
  try {
    await db.initialize();
    if (opts.migrate !== false) await runMigrations(db);
    // Tenant work's connections, as the application role: a missing role or membership fails the start, in a sentence.
    await db.tenantSource().catch((err) => {
      throw new StartupError(`Cannot connect as the application role ${APP_ROLE} (${(err as Error).message}). A DBA creates it with: CREATE ROLE ${APP_ROLE} NOLOGIN; GRANT ${APP_ROLE} TO <the DATABASE_URL user> (docs/security-and-reliability.md).`);
    });
  } catch (err) {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    db,
    url,
    embedded,
    async close() {
      if (db.isInitialized) await db.destroy();
      await embedded?.stop();
    },
  };
}

/** Apply pending migrations under an advisory lock, so instances starting together don't race. */
export async function runMigrations(db: DataSource): Promise<void> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('outcome-health:migrations'))`);
    const applied = await db.runMigrations({ transaction: 'each' });
    if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('outcome-health:migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
