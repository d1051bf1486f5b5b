/**
 * `npm start`: database (embedded or DATABASE_URL), migrations, demo seed on an empty database,
 * background worker, HTTP server. SIGTERM/SIGINT drain requests and stop PostgreSQL cleanly.
 */
import 'reflect-metadata';
import { startApp } from './app';
import { config } from './shared/config';
import { openDatabase, type Database } from './shared/db/bootstrap';
import { JobQueue } from './jobs/queue';
import { startWorker } from './jobs/worker';
import { jobHandlers } from './job-handlers';
import { PgListener } from './shared/db/listener';
import { logger } from './shared/logger';
import { StartupError } from './shared/startup-error';
import { seedDemoIfEmpty } from '../seeds/demo';

/** Open until the process exits: a failed start stops the embedded PostgreSQL it started. */
let database: Database | undefined;

async function main(): Promise<void> {
  const started = Date.now();
  database = await openDatabase({ attach: false });
  const demo = config.seedDemo ? await seedDemoIfEmpty(database.db) : undefined;
  // One LISTEN connection for the whole process: live events, API key changes, job wake-ups.
  const listener = new PgListener({ url: database.url });
  await listener.start();
  // The IDE opens with the demo key, so a first query just works (served only where introspection is on, which
  // production turns off, and only to a browser on this machine).
  const ideHeaders = demo ? { Authorization: `Bearer ${demo.adminKey}` } : undefined;
  const app = await startApp({ db: database.db, listener, ide: { headers: () => ideHeaders } });
  const stopHooks: Array<() => Promise<void>> = [];
  // Job queue (pg-boss, schema pgboss): always enqueues; works jobs when WORKER=true (default).
  const queue = await new JobQueue({ url: database.url, listener }).start(database.db);
  const worker = config.worker ? await startWorker({ queue, handlers: jobHandlers(database.db) }) : undefined;
  stopHooks.push(async () => { await worker?.stop(); await queue.stop(); await listener.stop(); });

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
      await database?.close();
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

/**
 * A rejected promise nobody awaited (pg-boss completes and fails jobs without awaiting; a query on a connection
 * PostgreSQL just terminated) is logged and the server carries on: every path that matters awaits its own work and
 * retries, so one lost promise is no reason to drop every request in flight. An uncaught exception keeps Node's
 * default (exit, for the supervisor to restart us): state may be half-changed.
 */
process.on('unhandledRejection', (reason) => {
  logger.error({ err: reason }, 'unhandled promise rejection (ignored: the server keeps running)');
});

main().catch(async (err) => {
  // A StartupError is the user's to fix (port taken, database cannot run): its sentence is all they need.
  if (err instanceof StartupError) process.stderr.write(`\n${err.message}\n`);
  else {
    logger.fatal({ err }, 'failed to start');
    process.stderr.write(`\nFailed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  await database?.close().catch(() => undefined);
  process.exit(1);
});
