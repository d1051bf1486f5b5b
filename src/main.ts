/**
 * `npm start`: database (embedded or DATABASE_URL), migrations, demo seed on an empty database,
 * background worker, HTTP server. SIGTERM/SIGINT drain requests and stop PostgreSQL cleanly.
 */
import 'reflect-metadata';
import { startApp } from './app';
import { config } from './shared/config';
import { openDatabase } from './shared/db/bootstrap';
import { startJobs } from './jobs/worker';
import { logger } from './shared/logger';
import { seedDemoIfEmpty } from '../seeds/demo';

async function main(): Promise<void> {
  const started = Date.now();
  const database = await openDatabase({ attach: false });
  const demo = config.seedDemo ? await seedDemoIfEmpty(database.db) : undefined;
  // The IDE opens with the demo key, so a first query just works (served only where introspection is on, which
  // production turns off, and only to a browser on this machine).
  const ideHeaders = demo ? { Authorization: `Bearer ${demo.adminKey}` } : undefined;
  const app = await startApp({ db: database.db, ide: { headers: () => ideHeaders } });
  const stopHooks: Array<() => Promise<void>> = [];
  // Job queue (pg-boss, schema pgboss): always enqueues; works jobs when WORKER=true (default).
  const jobs = await startJobs({ db: database.db, url: database.url, work: config.worker });
  stopHooks.push(async () => await jobs.stop());

  logger.info({ url: app.url, ms: Date.now() - started, embedded: !!database.embedded }, 'Outcome Health is up');
  const lines = [
    '',
    `  Outcome Health GraphQL API: ${app.url}`,
    `  GraphQL IDE: ${app.url.replace(/\/graphql$/, '/ide/')}`,
    database.embedded ? `  Embedded PostgreSQL: ${database.url} (data in ${config.dataDir})` : '  PostgreSQL: DATABASE_URL',
  ];
  if (demo) lines.push(`  Demo workspace "${demo.workspaceName}" — ADMIN API key: ${demo.adminKey}`,
    `  Try: curl -s ${app.url} -H 'content-type: application/json' -H 'authorization: Bearer ${demo.adminKey}' --data '{"query":"{ viewer { workspace { name } role } }"}'`);
  lines.push(`  Started in ${Date.now() - started} ms`, '');
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    try {
      await app.stop();
      logger.info('http drained');
      for (const hook of stopHooks) await hook();
      await database.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  logger.fatal({ err }, 'failed to start');
  process.stderr.write(`\nFailed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
