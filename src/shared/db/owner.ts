/**
 * The owner path: the database as the URL's user (the tables' owner), whom the tenant wall does not confine. Only
 * what must see every workspace, or runs before there is one, comes here, by name (`grep -rn owner src` lists them):
 * the recovery sweeps and the daily schedule (which workspaces have work), the API-key lookup by hash and the
 * revocation check of open subscriptions (whose workspace is what they find out), creating a workspace, the import
 * CLI's staging, and readiness. Migrations run on the owner DataSource too (bootstrap.ts). Everything else goes
 * through a TenantScope.
 */
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { poolOf } from './data-source';

/** A statement as the owner (every workspace's rows). */
export async function ownerQuery<T = any>(db: DataSource, sql: string, params: unknown[] = []): Promise<T[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return await db.query(sql, params);
}

/** A transaction as the owner (creating a workspace). */
export async function ownerTransaction<T>(db: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return await db.transaction(fn);
}

/** The owner's pool, for named statements on the owner path (the API-key lookup). */
export function ownerPool(db: DataSource): Pool {
  return poolOf(db);
}
