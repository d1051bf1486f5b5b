/**
 * API key → caller, cached in this instance's memory so that a request does not cost a database lookup.
 * Safe with several instances on one database because every change to api_keys NOTIFYs `oh_api_keys` at commit (a
 * trigger: migrations/1795450000000-ApiKeysNotify.ts) and every instance LISTENs on its own connection and drops that
 * key. It fails closed: the cache answers only while the LISTEN is up; when the connection errors or ends, the cache is
 * emptied and every lookup goes to the database until LISTEN is back, and emptied again then (notifications sent
 * meanwhile are lost). What is cached: only keys that exist and are not revoked (a random key must not fill memory),
 * at most `ttlMs` after the lookup (a safety net for a dead connection nobody noticed yet), at most `maxEntries`.
 */
import type { DataSource } from 'typeorm';
import type { PgListener } from '../shared/db/listener';
import { hashApiKey, type Role } from '../shared/auth';
import type { Caller } from '../shared/context';
import { logger } from '../shared/logger';
import { ownerPool, ownerQuery } from '../shared/db/owner';

export const API_KEYS_CHANNEL = 'oh_api_keys';

export interface ApiKeyCacheOptions {
  /** 0: no cache (and no listener connection): every request looks its key up. */
  ttlMs: number;
  maxEntries: number;
  /** The clock the TTL is measured with (tests move it instead of waiting); default Date.now. */
  now?: () => number;
}

const CALLER_SQL = `SELECT id, workspace_id, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`;

/** The database lookup: a named statement, planned once per connection rather than per request. */
export async function findCaller(db: DataSource, keyHash: string): Promise<Caller | undefined> {
  const { rows: [found] } = await ownerPool(db).query<{ id: string; workspace_id: string; role: Role }>({ name: 'oh_api_key_caller', text: CALLER_SQL, values: [keyHash] });
  return found ? { workspaceId: found.workspace_id, role: found.role, apiKeyId: found.id } : undefined;
}

interface Entry { caller: Readonly<Caller>; expires: number }

/** The cache of each running app by its DataSource, so that a revocation can drop its key here at once (`forgetApiKey`). */
const caches = new WeakMap<DataSource, ApiKeyCache>();

/**
 * This instance has just committed a change to key `id`: drop it now. Its own NOTIFY arrives a moment later, and the
 * caller that revoked the key could otherwise still be answered from the cache in between.
 */
export function forgetApiKey(db: DataSource, id: string): void {
  caches.get(db)?.forget(id);
}

export class ApiKeyCache {
  /** By key hash; a Map iterates in insertion order, so re-inserting on a hit makes the first entry the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  private listening = false;
  private unlisten: Array<() => void> = [];
  private readonly changeHandlers = new Set<(id: string | '*') => void>();
  /**
   * Bumped by every invalidation and every change of the listener's state. A lookup caches its result only when
   * the epoch did not move while it ran: a revocation that committed after the lookup's snapshot (its NOTIFY
   * already handled, nothing to drop yet) must not be undone by that lookup's stale row.
   */
  private epoch = 0;

  constructor(private readonly db: DataSource, private readonly opts: ApiKeyCacheOptions, private readonly listener: PgListener) {}

  /** Whether lookups are answered from memory now (listener up and cache enabled). */
  get active(): boolean { return this.listening; }
  get size(): number { return this.entries.size; }

  /** Until the listener is up, every lookup goes to the database. */
  start(): void {
    if (this.unlisten.length) return;
    caches.set(this.db, this);
    this.unlisten = [
      this.listener.on(API_KEYS_CHANNEL, (payload) => {
        if (payload && payload !== '*') this.forget(payload);
        else this.clear();
        for (const handler of this.changeHandlers) handler(payload && payload !== '*' ? payload : '*');
      }),
      // Either way the cache starts empty: while the listener was down, notifications may have been missed.
      this.listener.onState((up) => {
        this.setListening(up && this.opts.ttlMs > 0);
        if (up) for (const handler of this.changeHandlers) handler('*');
      }),
    ];
    this.setListening(this.listener.listening && this.opts.ttlMs > 0);
  }

  stop(): void {
    if (caches.get(this.db) === this) caches.delete(this.db);
    for (const off of this.unlisten) off();
    this.unlisten = [];
    this.setListening(false);
  }

  /**
   * Told the id of each key that changed (or '*': any may have, e.g. after the listener was down), on every instance:
   * open subscriptions check their key again (src/live/ws.ts).
   */
  onChange(handler: (id: string | '*') => void): () => void {
    this.changeHandlers.add(handler);
    return () => { this.changeHandlers.delete(handler); };
  }

  /** Resolve a bearer key to its caller; undefined when unknown or revoked. */
  async authenticate(key: string): Promise<Caller | undefined> {
    const hash = hashApiKey(key);
    if (!this.listening) return await findCaller(this.db, hash);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.entries.get(hash);
    if (hit) {
      this.entries.delete(hash);
      if (hit.expires > now) {
        this.entries.set(hash, hit);
        return hit.caller;
      }
      this.hashById.delete(hit.caller.apiKeyId);
    }
    const epoch = this.epoch;
    const caller = await findCaller(this.db, hash);
    if (caller && this.listening && epoch === this.epoch) this.add(hash, Object.freeze(caller), now + this.opts.ttlMs);
    return caller;
  }

  /** Whether this key exists but was revoked (asked only for a key that was refused: never cached). */
  async wasRevoked(key: string): Promise<boolean> {
    const rows: unknown[] = await ownerQuery(this.db, `SELECT 1 FROM api_keys WHERE key_hash = $1 AND revoked_at IS NOT NULL`, [hashApiKey(key)]);
    return rows.length > 0;
  }

  /** The caller of a key this instance holds in memory now, without a database lookup; undefined otherwise. */
  peek(key: string): Caller | undefined {
    if (!this.listening) return undefined;
    const hit = this.entries.get(hashApiKey(key));
    return hit && hit.expires > Date.now() ? hit.caller : undefined;
  }

  forget(id: string): void {
    this.epoch++;
    const hash = this.hashById.get(id);
    if (hash === undefined) return;
    this.hashById.delete(id);
    this.entries.delete(hash);
  }

  private add(hash: string, caller: Readonly<Caller>, expires: number): void {
    const previous = this.hashById.get(caller.apiKeyId);
    if (previous !== undefined) this.entries.delete(previous);
    this.entries.set(hash, { caller, expires });
    this.hashById.set(caller.apiKeyId, hash);
    if (this.entries.size > this.opts.maxEntries) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.hashById.delete(entry.caller.apiKeyId);
    }
  }

  private clear(): void {
    this.epoch++;
    this.entries.clear();
    this.hashById.clear();
  }

  /** Either way the cache starts empty: while the listener was down, notifications may have been missed. */
  private setListening(listening: boolean): void {
    this.listening = listening;
    this.clear();
  }
}
