/**
 * Named prepared statements, bounded. A read-path statement is prepared once per pooled connection and SQL text, so
 * PostgreSQL plans it once rather than on every request (planning cost as much as running these lookups). But both
 * sides keep a prepared statement until the connection closes — PostgreSQL its parse tree and plans in the backend,
 * node-postgres the text in the connection's map — and the texts are many (the account list alone has one per
 * combination of filters, sort and page size), so each connection keeps at most `MAX_PREPARED_PER_CONNECTION`:
 * preparing one more first deallocates the one used least recently on that connection.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';

/** Per connection. The read path's own texts in everyday use are a few dozen; this leaves room for filter variety. */
export const MAX_PREPARED_PER_CONNECTION = 200;

/** Statement names by SQL text (hashing a text on every request would cost more than the lookup); bounded too. */
const names = new Map<string, string>();
export function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    if (names.size >= 10 * MAX_PREPARED_PER_CONNECTION) names.clear();
    names.set(sql, (name = `oh_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
  }
  return name;
}

/** The names this module prepared on each connection, least recently used first (a Map keeps insertion order). */
const preparedOn = new WeakMap<PoolClient, Map<string, true>>();

/** node-postgres' own record of what it prepared on a connection (it skips the Parse step for these names). */
function parsedStatements(client: PoolClient): Record<string, string> {
  return (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
}

/** Mark `name` as used on `client`; deallocate the least recently used beyond the bound. */
async function makeRoom(client: PoolClient, name: string, max: number): Promise<void> {
  let lru = preparedOn.get(client);
  if (!lru) preparedOn.set(client, (lru = new Map()));
  lru.delete(name);
  lru.set(name, true);
  while (lru.size > max) {
    const oldest = lru.keys().next().value as string;
    lru.delete(oldest);
    const parsed = parsedStatements(client);
    // Only what the server really holds: a statement whose Parse failed was never prepared.
    if (oldest in parsed) {
      await client.query(`DEALLOCATE ${oldest}`);
      delete parsed[oldest];
    }
  }
}

/** `pool.query` of a named statement, keeping each connection within `max` prepared statements. */
export interface PreparedQueryOptions {
  max?: number;
  /** Parameter types of the Parse message (node-postgres' `types`). */
  types?: unknown;
  /** Run on the checked-out connection before the statement (TenantScope sets its workspace there). */
  before?: (client: PoolClient) => Promise<void>;
}

export async function preparedQuery<T>(pool: Pool, text: string, values: unknown[], opts: PreparedQueryOptions = {}): Promise<T[]> {
  const max = opts.max ?? MAX_PREPARED_PER_CONNECTION;
  const client = await pool.connect();
  let failed: Error | undefined;
  // As pool.query does: a connection that errors while checked out (PostgreSQL terminated it) must not throw an
  // unhandled 'error' event; the query in flight rejects with it anyway.
  const onError = (err: Error) => { failed = err; };
  client.once('error', onError);
  try {
    const name = statementName(text);
    await opts.before?.(client);
    await makeRoom(client, name, max);
    const config = { name, text, values, ...(opts.types ? { types: opts.types } : {}) } as unknown as QueryConfig;
    return (await client.query(config)).rows as T[];
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    client.removeListener('error', onError);
    // As pool.query does: a connection whose query failed is closed, not reused (its state is unknown).
    client.release(failed);
  }
}

/** How many statements this module keeps prepared on `client` (tests). */
export function preparedCount(client: PoolClient): number {
  return preparedOn.get(client)?.size ?? 0;
}
