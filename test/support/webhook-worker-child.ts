/**
 * A second server instance's job worker on the same database, for the "two instances send each event once" test:
 * works jobs (webhook deliveries included) until stdin closes. Loopback receivers allowed, retries in milliseconds.
 * Usage: node -r @swc-node/register test/support/webhook-worker-child.ts <dbUrl>
 */
import 'reflect-metadata';
import { startJobsAt } from './scoring-model';
import { config } from '../../src/shared/config';
import { createDataSource } from '../../src/shared/db/data-source';

async function main(): Promise<void> {
  config.webhookAllowPrivateTargets = true;
  const db = createDataSource(process.argv[2], 4);
  await db.initialize();
  const jobs = await startJobsAt(db, process.argv[2], { sweepIntervalMs: 100, webhooks: { policy: { retryBaseMs: 20 }, sweepGraceMs: 0 } });
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => { void jobs.stop().then(() => db.destroy()).then(() => process.exit(0)); });
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err)); process.exit(1); });
