/**
 * The SQL statements sent to PostgreSQL while `fn` runs, counted where every path meets: node-postgres'
 * Client.query (TypeORM's query runners and TenantScope's prepared statements both end there).
 * Transaction control, setting a connection's workspace (TenantScope, once per connection and workspace) and
 * DEALLOCATE (src/shared/db/prepared.ts) are left out: they are not queries of data.
 */
import { Client } from 'pg';

export async function statementsDuring<T>(fn: () => Promise<T>): Promise<{ statements: string[]; result: T }> {
  const seen: string[] = [];
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    if (text) seen.push(text);
    return (original as (...a: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof original;
  try {
    const result = await fn();
    return { statements: seen.filter((q) => !/^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SET LOCAL|DEALLOCATE|SELECT set_config\('oh\.workspace_id')/i.test(q)), result };
  } finally {
    Client.prototype.query = original;
  }
}

export async function countStatements(fn: () => Promise<unknown>): Promise<number> {
  return (await statementsDuring(fn)).statements.length;
}
