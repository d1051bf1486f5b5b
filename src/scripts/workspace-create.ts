/** `npm run workspace:create -- --name "Acme"`: create a workspace and print its first ADMIN key. */
import 'reflect-metadata';
import { createWorkspace } from '../workspaces/workspace.service';
import { fail, flag, withDatabase } from './cli';

const name = flag(process.argv.slice(2), 'name');
if (!name) fail('Usage: npm run workspace:create -- --name "Acme"');

withDatabase(async ({ db }) => {
  const { workspace, adminKey } = await createWorkspace(db, name!);
  process.stdout.write(`Workspace "${workspace.name}" created.\n  id:        ${workspace.id}\n  ADMIN key: ${adminKey}\n  (shown once: store it safely)\n`);
}).catch((err) => fail(`Could not create the workspace: ${err?.message ?? err}`));
