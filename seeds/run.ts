/**
 * `npm run seed`: (re)load the demo workspace. Deletes every workspace named like the demo (with
 * all its data), builds it again through the GraphQL schema, prints the new ADMIN key and saves it
 * to .data/demo-admin-key. Attaches to the embedded PostgreSQL of a running `npm start`, or uses
 * DATABASE_URL.
 */
import 'reflect-metadata';
import { withDatabase } from '../src/scripts/cli';
import { deleteDemoWorkspaces, saveDemoKey, seedDemo } from './demo';

async function main(): Promise<void> {
  await withDatabase(async ({ db }) => {
    const removed = await deleteDemoWorkspaces(db);
    const seeded = await seedDemo(db);
    const file = saveDemoKey(seeded.adminKey);
    const { stats } = seeded;
    process.stdout.write([
      '',
      removed ? `  Removed the previous demo workspace${removed > 1 ? `s (${removed})` : ''}.` : '  No previous demo workspace.',
      `  Demo workspace "${seeded.workspaceName}" (${seeded.workspaceId}): ${stats.accounts} accounts, ${stats.signals} signals, ` +
        `${stats.manualCompletions} manual milestones, scored, in ${stats.ms.total} ms`,
      `    (${Object.entries(stats.ms).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v} ms`).join(', ')})`,
      `  Personas: ${Object.entries(stats.generated.personas).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `  ADMIN API key: ${seeded.adminKey}`,
      `  (saved to ${file})`,
      '',
    ].join('\n') + '\n');
  });
}

main().catch((err) => {
  process.stderr.write(`\nSeeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof Error && err.cause) process.stderr.write(`Cause: ${String((err.cause as Error).stack ?? err.cause)}\n`);
  process.exit(1);
});
