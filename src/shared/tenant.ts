/**
 * Workspace scoping in one place, failing closed: services receive a TenantScope and reach the database only through
 * it. The wall is PostgreSQL's row-level security (migrations/1796400000000-RowLevelSecurity.ts): the scope's
 * statements run on connections of the application role (`tenantSource`), set to its workspace — per transaction
 * (`set_config(…, true)`), or, for a statement outside one, per pooled connection (remembered, so that a connection
 * is set again only when it changes workspace). A statement that forgets `workspace_id = $1` sees only the
 * workspace's rows; a connection that was never set sees none. The filters stay in our SQL all the same: they say what
 * a statement means, and give the planner the value.
 */
import type DataLoader from 'dataloader';
import { types as pgTypes, type PoolClient } from 'pg';
import { QueryFailedError, type DataSource, type EntityMetadata, type EntityManager, type EntityTarget, type FindManyOptions, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { Role } from './auth';
import { config } from './config';
import { logger } from './logger';
import { APP_ROLE, poolOf, tenantSource } from './db/data-source';
import { NotFoundError } from './errors';
import { preparedQuery } from './db/prepared';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type LoaderFactory<K, V> = (scope: TenantScope) => DataLoader<K, V>;

/**
 * `$1`, the workspace id, declared a uuid in every statement's Parse message (node-postgres sends a query's `types` as
 * its parameter types, and asks the same object for result parsers): a statement that has no use for the workspace id
 * (scratch tables, `now()`) need not mention it, since row-level security scopes it all the same.
 */
const WORKSPACE_FIRST = Object.assign([2950 /* uuid */], { getTypeParser: pgTypes.getTypeParser });

/** The workspace of this transaction (reverts at its end). */
const SET_TRANSACTION_WORKSPACE = `SELECT set_config('oh.workspace_id', $1, true)`;
/** The workspace of this connection, for statements outside a transaction. */
const SET_CONNECTION_WORKSPACE = `SELECT set_config('oh.workspace_id', $1, false)`;
/** What each pooled tenant connection is set to (only successful sets are recorded; a new connection has none). */
const connectionWorkspace = new WeakMap<PoolClient, string>();

/** findByIds statements, built once per entity. */
const byIdSql = new Map<unknown, string>();

/**
 * How a stored column travels in JSON so that it reads back as node-postgres gives it: a timestamp (written as the
 * reader expects it), text (dates and big numbers, which node-postgres returns as strings), or as it is.
 */
export function jsonKindOf(column: ColumnMetadata): 'timestamp' | 'text' | 'plain' {
  const type = typeof column.type === 'string' ? column.type.toLowerCase() : column.type === Date ? 'timestamp' : '';
  return /^timestamp/.test(type) ? 'timestamp' : /^(date|numeric|decimal|bigint|int8)$/.test(type) ? 'text' : 'plain';
}

type JsonColumn = { column: ColumnMetadata; kind: ReturnType<typeof jsonKindOf> };
const jsonColumnsOf = new Map<unknown, JsonColumn[]>();
/** An entity's stored columns and how each travels in JSON (see `TenantScope.entityJsonSql`). */
function jsonColumns(meta: EntityMetadata): JsonColumn[] {
  let cols = jsonColumnsOf.get(meta.target);
  if (!cols) {
    cols = meta.columns.filter((c) => !c.isVirtual).map((column) => ({ column, kind: jsonKindOf(column) }));
    jsonColumnsOf.set(meta.target, cols);
  }
  return cols;
}

export class TenantScope {
  private readonly loaderCache: Map<LoaderFactory<unknown, unknown>, DataLoader<unknown, unknown>>;

  constructor(
    readonly workspaceId: string,
    /**
     * The owner DataSource the scope's work belongs to: a handle (the job queue serving it, the key cache, other
     * scopes of this process), never queried by the scope, which uses its tenant DataSource.
     */
    readonly db: DataSource,
    readonly role: Role | 'SYSTEM',
    /** Who acts (API key id) — recorded on what they change. */
    readonly actor: string | null = null,
    loaderCache?: Map<LoaderFactory<unknown, unknown>, DataLoader<unknown, unknown>>,
    /** The transaction this scope runs in, already set to the workspace. */
    private readonly tx?: EntityManager,
  ) {
    if (!workspaceId || !isUuid(workspaceId)) throw new Error('TenantScope needs a workspace id'); // fail closed
    this.loaderCache = loaderCache ?? new Map();
  }

  /** A scope for background work (jobs, CLIs) acting for one workspace. */
  static system(db: DataSource, workspaceId: string): TenantScope {
    return new TenantScope(workspaceId, db, 'SYSTEM');
  }

  /**
   * A scope in a transaction the caller opened on an owner connection (the import CLI, whose staging tables are its
   * own): from here to the transaction's end it runs as the application role, set to the workspace.
   */
  static async joinOwnerTransaction(db: DataSource, workspaceId: string, em: EntityManager): Promise<TenantScope> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('joinOwnerTransaction needs an open transaction');
    const scope = new TenantScope(workspaceId, db, 'SYSTEM', null, undefined, em);
    const rls = (db as { rls?: boolean }).rls !== false;
    await em.query(`SELECT ${rls ? `set_config('role', '${APP_ROLE}', true), ` : ''}set_config('oh.workspace_id', $1, true)`, [workspaceId]);
    return scope;
  }

  get inTransaction(): boolean {
    return !!this.tx;
  }

  /** The transaction's EntityManager (session settings, savepoints, ORM calls); outside a transaction see `withManager`. */
  get manager(): EntityManager {
    if (!this.tx) throw new Error('TenantScope.manager exists only inside scope.transaction(); outside one use withManager()');
    return this.tx;
  }

  /** Run `fn` in one transaction (joining the current one if any): a failed mutation leaves nothing behind. */
  async transaction<T>(fn: (tx: TenantScope) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    if (this.tx) return await fn(this);
    const tenant = await tenantSource(this.db);
    const run = async (em: EntityManager) => {
      await em.query(SET_TRANSACTION_WORKSPACE, [this.workspaceId]);
      return await fn(new TenantScope(this.workspaceId, this.db, this.role, this.actor, undefined, em));
    };
    return isolation ? await tenant.manager.transaction(isolation, run) : await tenant.manager.transaction(run);
  }

  /** TypeORM calls on a connection set to this workspace (the transaction's, if any). */
  async withManager<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.tx) return await fn(this.tx);
    const runner = (await tenantSource(this.db)).createQueryRunner();
    try {
      await this.setConnection((await runner.connect()) as PoolClient);
      return await fn(runner.manager);
    } finally {
      await runner.release();
    }
  }

  /**
   * Raw SQL; `$1` is always the caller's workspace id, the caller's params follow as $2, $3 … Row-level security
   * confines it to the workspace whether or not it says `workspace_id = $1`; our statements say it anyway where they
   * read a shared table (it is what they mean, and the planner gets the value).
   */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (LINT && !linted.has(sql)) lint(sql);
    const values = [this.workspaceId, ...params];
    if (this.tx) return await this.tx.query({ text: sql, types: WORKSPACE_FIRST } as unknown as string, values);
    // Outside a transaction: a named prepared statement (one per SQL text and connection), so PostgreSQL plans a
    // read-path statement once rather than on every request — planning cost as much as running these lookups.
    // At most a bounded number per connection (src/shared/db/prepared.ts).
    try {
      return await preparedQuery<T>(poolOf(await tenantSource(this.db)), sql, values,
        { types: WORKSPACE_FIRST, before: (client) => this.setConnection(client) });
    } catch (err) {
      throw new QueryFailedError(sql, values, err as Error); // what TypeORM's own query() throws, code included
    }
  }

  /** Set a pooled connection (idle, outside a transaction) to this workspace, unless it already is. */
  private async setConnection(client: PoolClient): Promise<void> {
    if (connectionWorkspace.get(client) === this.workspaceId) return;
    connectionWorkspace.delete(client);
    await client.query(SET_CONNECTION_WORKSPACE, [this.workspaceId]);
    connectionWorkspace.set(client, this.workspaceId);
  }

  async find<E extends ObjectLiteral>(entity: EntityTarget<E>, options: FindManyOptions<E> = {}): Promise<E[]> {
    return await this.withManager((em) => em.find(entity, { ...options, where: this.scopeWhere(options.where) }));
  }

  async findOne<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<E | null> {
    return await this.withManager((em) => em.findOne(entity, { where: this.scopeWhere(where) as FindOptionsWhere<E> }));
  }

  /** Find by id or throw NOT_FOUND (also for ids of other workspaces: existence is not leaked). */
  async mustFind<E extends ObjectLiteral & { id: string }>(entity: EntityTarget<E>, id: string, label: string): Promise<E> {
    const [found] = isUuid(id) ? await this.findByIds(entity, [id]) : [];
    if (!found) throw new NotFoundError(label, id);
    return found;
  }

  /**
   * Rows of an entity keyed by (workspace_id, id uuid), by id (ids that are not UUIDs match nothing), for by-id loaders and `mustFind` on the read path.
   * One plain statement whose SQL is built once per entity from TypeORM's metadata: `find()` rebuilds a
   * query builder on every call, which was most of the CPU of a by-id loader. Rows become entity
   * instances without TypeORM's hydration, which is the same thing for our columns (no transformers:
   * node-postgres already returns Date, number, parsed jsonb).
   */
  async findByIds<E extends ObjectLiteral & { id: string }>(entity: EntityTarget<E>, ids: readonly string[]): Promise<E[]> {
    const meta = this.db.getMetadata(entity);
    let sql = byIdSql.get(meta.target);
    if (!sql) {
      // `date` as text: node-postgres would make it a local-midnight Date, TypeORM hands out 'YYYY-MM-DD'.
      const cols = meta.columns.filter((c) => !c.isVirtual)
        .map((c) => `"${c.databaseName}"${c.type === 'date' ? '::text' : ''} AS "${c.propertyName}"`).join(', ');
      sql = `SELECT ${cols} FROM "${meta.tableName}" WHERE workspace_id = $1 AND id = ANY($2::uuid[])`;
      byIdSql.set(meta.target, sql);
    }
    const valid = ids.filter(isUuid);
    if (!valid.length) return [];
    const rows = await this.query<E>(sql, [valid]);
    return rows.map((r) => Object.assign(meta.create() as E, r));
  }

  /**
   * `json_build_object(…)` of an entity's columns for a row aliased `alias`, for a statement that reads related
   * rows along with its own (e.g. a page's outcomes and milestones); `entityFromJson` turns the value back into what
   * `findByIds` returns: timestamps travel as epoch milliseconds, dates and big numbers as text, as node-postgres gives them.
   */
  entityJsonSql<E extends ObjectLiteral>(entity: EntityTarget<E>, alias: string): string {
    const meta = this.db.getMetadata(entity);
    return `json_build_object(${jsonColumns(meta).map(({ column: c, kind }) => {
      const col = `${alias}."${c.databaseName}"`;
      const value = kind === 'timestamp' ? `floor(extract(epoch FROM ${col}) * 1000)::int8` : kind === 'text' ? `${col}::text` : col;
      return `'${c.propertyName}', ${value}`;
    }).join(', ')})`;
  }

  entityFromJson<E extends ObjectLiteral>(entity: EntityTarget<E>, value: Record<string, unknown>): E {
    const meta = this.db.getMetadata(entity);
    for (const { column, kind } of jsonColumns(meta)) {
      const v = value[column.propertyName];
      if (kind === 'timestamp' && typeof v === 'number') value[column.propertyName] = new Date(v);
    }
    return Object.assign(meta.create() as E, value);
  }

  async count<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E> = {}): Promise<number> {
    return await this.withManager((em) => em.count(entity, { where: this.scopeWhere(where) }));
  }

  /** Build (not yet saved) an entity owned by this workspace. */
  create<E extends ObjectLiteral>(entity: EntityTarget<E>, values: Partial<E>): E {
    return this.db.manager.create(entity, { ...values, workspaceId: this.workspaceId } as unknown as E); // in memory only
  }

  async save<E extends ObjectLiteral & { workspaceId: string }>(entity: E): Promise<E> {
    if (entity.workspaceId !== this.workspaceId) throw new Error('Refusing to save a row of another workspace');
    return await this.withManager((em) => em.save(entity));
  }

  async delete<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<number> {
    const res = await this.withManager((em) => em.delete(entity, this.scopeWhere(where)));
    return res.affected ?? 0;
  }

  /** Per-request DataLoader, created on first use. */
  loader<K, V>(factory: LoaderFactory<K, V>): DataLoader<K, V> {
    let l = this.loaderCache.get(factory as LoaderFactory<unknown, unknown>);
    if (!l) {
      l = factory(this) as DataLoader<unknown, unknown>;
      this.loaderCache.set(factory as LoaderFactory<unknown, unknown>, l);
    }
    return l as DataLoader<K, V>;
  }

  private scopeWhere<E>(where: FindManyOptions<E>['where']): FindOptionsWhere<E>[] | FindOptionsWhere<E> {
    const ws = { workspaceId: this.workspaceId };
    if (Array.isArray(where)) return where.map((w) => ({ ...w, ...ws }));
    return { ...(where ?? {}), ...ws } as unknown as FindOptionsWhere<E>;
  }
}


/**
 * Development lint (off with NODE_ENV=production; nothing relies on it: row-level security is the wall). A statement
 * that reads a shared table says `workspace_id = $1`: it gives the planner the value, and keeps the statement on one
 * node when the data is distributed by workspace (docs/architecture.md "Scaling out"). A text check, so it can be
 * fooled (`LEFT JOIN … ON a.workspace_id = $1` passes); it only points at a forgotten filter early, with a warning
 * (once per statement), never failing the statement.
 */
const LINT = !config.production;
const linted = new Set<string>();
const FILTERS_WORKSPACE = /\bworkspace_id\s*(=|IN)\s*\$1\b/i;
/** A relation read after FROM or JOIN (a name followed by "(" is a function: jsonb_to_recordset, unnest …). */
const READ_RE = /\b(?:FROM|JOIN)\s+(?:LATERAL\s+)?([A-Za-z_][\w.]*)(\s*\()?/gi;
const CTE_RE = /\b([A-Za-z_]\w*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/gi;

/** What the lint says about a statement: the shared tables it reads without `workspace_id = $1`, or nothing. */
export function unfilteredReads(statement: string): string[] {
  if (FILTERS_WORKSPACE.test(statement)) return [];
  const sql = statement.replace(/--[^\n]*/g, ''); // comments ("the join to _pv …") are not reads
  const ctes = new Set([...sql.matchAll(CTE_RE)].map((m) => m[1].toLowerCase()));
  // not the session's scratch tables (`_…`), the statement's CTEs or functions
  return [...sql.matchAll(READ_RE)].filter(([, name, call]) => !call && !name.startsWith('_') && !ctes.has(name.toLowerCase())).map((m) => m[1]);
}

function lint(sql: string): void {
  linted.add(sql);
  const reads = unfilteredReads(sql);
  if (reads.length) logger.warn({ reads, sql: sql.replace(/\s+/g, ' ').slice(0, 200) }, 'tenant SQL without workspace_id = $1 (development lint; row-level security scopes it anyway)');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
