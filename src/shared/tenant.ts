/**
 * Workspace scoping in one place, failing closed: services receive a TenantScope and reach the
 * database only through it. It injects `workspace_id` into every ORM lookup and insists that raw
 * SQL filters on `workspace_id = $1` (or reads only scratch tables: `tenantSafe`), so a query that
 * forgets the tenant throws instead of leaking.
 */
import type DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { QueryFailedError, type DataSource, type EntityMetadata, type EntityManager, type EntityTarget, type FindManyOptions, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { Role } from './auth';
import { NotFoundError } from './errors';
import { preparedQuery } from './db/prepared';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type LoaderFactory<K, V> = (scope: TenantScope) => DataLoader<K, V>;

/** findByIds statements, built once per entity. */
const byIdSql = new Map<unknown, string>();

type JsonColumn = { column: ColumnMetadata; kind: 'epoch' | 'text' | 'plain' };
const jsonColumnsOf = new Map<unknown, JsonColumn[]>();
/** An entity's stored columns and how each travels in JSON (see `TenantScope.entityJsonSql`). */
function jsonColumns(meta: EntityMetadata): JsonColumn[] {
  let cols = jsonColumnsOf.get(meta.target);
  if (!cols) {
    cols = meta.columns.filter((c) => !c.isVirtual).map((column) => {
      const type = typeof column.type === 'string' ? column.type.toLowerCase() : column.type === Date ? 'timestamp' : '';
      const kind = /^timestamp/.test(type) ? 'epoch' as const : /^(date|numeric|decimal|bigint|int8)$/.test(type) ? 'text' as const : 'plain' as const;
      return { column, kind };
    });
    jsonColumnsOf.set(meta.target, cols);
  }
  return cols;
}

export class TenantScope {
  private readonly loaderCache: Map<LoaderFactory<unknown, unknown>, DataLoader<unknown, unknown>>;

  constructor(
    readonly workspaceId: string,
    readonly manager: EntityManager,
    readonly role: Role | 'SYSTEM',
    /** Who acts (API key id) — recorded on what they change. */
    readonly actor: string | null = null,
    loaderCache?: Map<LoaderFactory<unknown, unknown>, DataLoader<unknown, unknown>>,
  ) {
    if (!workspaceId) throw new Error('TenantScope needs a workspace id'); // fail closed
    this.loaderCache = loaderCache ?? new Map();
  }

  /** A scope for background work (jobs, CLIs) acting for one workspace. */
  static system(db: DataSource, workspaceId: string): TenantScope {
    return new TenantScope(workspaceId, db.manager, 'SYSTEM');
  }

  get inTransaction(): boolean {
    return !!this.manager.queryRunner?.isTransactionActive;
  }

  /** Run `fn` in one transaction (joining the current one if any): a failed mutation leaves nothing behind. */
  async transaction<T>(fn: (tx: TenantScope) => Promise<T>): Promise<T> {
    if (this.inTransaction) return await fn(this);
    return await this.manager.transaction(async (em) => await fn(new TenantScope(this.workspaceId, em, this.role, this.actor)));
  }

  /**
   * Raw SQL; `$1` is always the caller's workspace id, the caller's params follow as $2, $3 … It must filter on
   * `workspace_id = $1`, or read no table but scratch ones (see `tenantSafe`).
   */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!tenantSafe(sql)) {
      const reads = unscopedReads(sql);
      throw new Error(`Tenant query must filter on workspace_id = $1${reads.length ? ` (it reads ${reads.join(', ')})` : ''}: ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    // Outside a transaction: a named prepared statement (one per SQL text and connection, at most a bounded number
    // per connection: src/shared/db/prepared.ts), so PostgreSQL plans a read-path statement once rather than on
    // every request — planning cost as much as running these lookups.
    if (!this.manager.queryRunner) {
      const pool = (this.manager.connection.driver as unknown as { master: Pool }).master;
      const values = [this.workspaceId, ...params];
      try {
        return await preparedQuery<T>(pool, sql, values);
      } catch (err) {
        throw new QueryFailedError(sql, values, err as Error); // what TypeORM's own query() throws, code included
      }
    }
    return await this.manager.query(sql, [this.workspaceId, ...params]);
  }

  async find<E extends ObjectLiteral>(entity: EntityTarget<E>, options: FindManyOptions<E> = {}): Promise<E[]> {
    return await this.manager.find(entity, { ...options, where: this.scopeWhere(options.where) });
  }

  async findOne<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<E | null> {
    return await this.manager.findOne(entity, { where: this.scopeWhere(where) as FindOptionsWhere<E> });
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
    const meta = this.manager.connection.getMetadata(entity);
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
    const meta = this.manager.connection.getMetadata(entity);
    return `json_build_object(${jsonColumns(meta).map(({ column: c, kind }) => {
      const col = `${alias}."${c.databaseName}"`;
      const value = kind === 'epoch' ? `floor(extract(epoch FROM ${col}) * 1000)::int8` : kind === 'text' ? `${col}::text` : col;
      return `'${c.propertyName}', ${value}`;
    }).join(', ')})`;
  }

  entityFromJson<E extends ObjectLiteral>(entity: EntityTarget<E>, value: Record<string, unknown>): E {
    const meta = this.manager.connection.getMetadata(entity);
    for (const { column, kind } of jsonColumns(meta)) {
      const v = value[column.propertyName];
      if (kind === 'epoch' && typeof v === 'number') value[column.propertyName] = new Date(v);
    }
    return Object.assign(meta.create() as E, value);
  }

  async count<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E> = {}): Promise<number> {
    return await this.manager.count(entity, { where: this.scopeWhere(where) });
  }

  /** Build (not yet saved) an entity owned by this workspace. */
  create<E extends ObjectLiteral>(entity: EntityTarget<E>, values: Partial<E>): E {
    return this.manager.create(entity, { ...values, workspaceId: this.workspaceId } as unknown as E);
  }

  async save<E extends ObjectLiteral & { workspaceId: string }>(entity: E): Promise<E> {
    if (entity.workspaceId !== this.workspaceId) throw new Error('Refusing to save a row of another workspace');
    return await this.manager.save(entity);
  }

  async delete<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<number> {
    const res = await this.manager.delete(entity, this.scopeWhere(where));
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

const FILTERS_WORKSPACE = /\bworkspace_id\s*(=|IN)\s*\$1\b/i;
/** A relation read after FROM or JOIN (a name followed by "(" is a function: jsonb_to_recordset, unnest …). */
const READ_RE = /\b(?:FROM|JOIN)\s+(?:LATERAL\s+)?([A-Za-z_][\w.]*)(\s*\()?/gi;
const CTE_RE = /\b([A-Za-z_]\w*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/gi;

/**
 * Fails closed: a statement either filters on `workspace_id = $1`, or binds the workspace only as a value
 * (`$1::uuid`, e.g. the engine writing rows of the caller's workspace from its temp tables) while reading
 * nothing but the session's scratch tables (named `_…`), its own CTEs and functions. A statement that reads
 * a shared table without the filter throws, whatever else it does with `$1`.
 */
export function tenantSafe(sql: string): boolean {
  if (FILTERS_WORKSPACE.test(sql)) return true;
  return /\$1::uuid/.test(sql) && unscopedReads(sql).length === 0;
}

/** The shared relations a statement reads (what makes it unsafe without `workspace_id = $1`). */
function unscopedReads(statement: string): string[] {
  const sql = statement.replace(/--[^\n]*/g, ''); // comments ("the join to _pv …") are not reads
  const ctes = new Set([...sql.matchAll(CTE_RE)].map((m) => m[1].toLowerCase()));
  return [...sql.matchAll(READ_RE)].filter(([, name, call]) => !call && !name.startsWith('_') && !ctes.has(name.toLowerCase())).map((m) => m[1]);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
