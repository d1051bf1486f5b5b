/** Demo workspace (placeholder: replaced by the full demo model below). */
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { config } from '../src/shared/config';
import { Workspace } from '../src/workspaces/workspace.entity';
import { authenticate, createWorkspace } from '../src/workspaces/workspace.service';

export const DEMO_WORKSPACE_NAME = 'Demo: Acme Analytics';
const keyFile = () => path.join(config.dataDir, 'demo-admin-key');

export async function seedDemoIfEmpty(db: DataSource): Promise<{ workspaceName: string; adminKey: string } | undefined> {
  if ((await db.manager.count(Workspace)) === 0) return await seedDemo(db);
  // The key is only stored hashed; re-show the one we saved locally when it still works.
  const saved = fs.existsSync(keyFile()) ? fs.readFileSync(keyFile(), 'utf8').trim() : '';
  if (saved && (await authenticate(db, saved))) return { workspaceName: DEMO_WORKSPACE_NAME, adminKey: saved };
  return undefined;
}

export async function seedDemo(db: DataSource): Promise<{ workspaceName: string; adminKey: string }> {
  const { adminKey } = await createWorkspace(db, DEMO_WORKSPACE_NAME);
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(keyFile(), adminKey + '\n', { mode: 0o600 });
  return { workspaceName: DEMO_WORKSPACE_NAME, adminKey };
}
