import path from 'node:path';
import type { Pool } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { ENTITIES } from '../../entities';
import { config } from '../config';

export const CONNECT_TIMEOUT_MS = 5_000;

export const MIGRATIONS_GLOB = path.join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}');

/**
 * The application role (migrations/1796400000000-RowLevelSecurity.ts): no BYPASSRLS, so every table with a
 * `workspace_id` shows it only the rows of the workspace its transaction or connection is set to.
 */
export const APP_ROLE = 'oh_app';

export interface DataSourceFlags {
  /**
   * false: tenant work runs as the URL's user (a superuser or the tables' owner bypasses row-level security). For
   * measuring what RLS costs (bench:api, bench:scoring), never for serving; default from TENANT_RLS.
   */
  rls?: boolean;
}

/**
 * The one DataSource factory: server, CLIs, tests and the TypeORM CLI (ormconfig.ts) share it. What it returns is the
 * *owner* DataSource (the URL's user: migrations, the CLIs that create workspaces, cross-workspace maintenance, tests'
 * fixtures); tenant work reaches the database only through `TenantScope`, which uses `tenantSource(db)`.
 */
export function createDataSource(url: string, poolSize = 20, flags: DataSourceFlags = {}): AppDataSource {
  return new AppDataSource(options(url, poolSize, 'outcome-health'), flags.rls ?? config.tenantRls);
}

function options(url: string, poolSize: number, applicationName: string, role?: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'typeorm_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false, // schema changes only through migrations
    uuidExtension: 'pgcrypto', // gen_random_uuid() is built into PostgreSQL 13+
    installExtensions: false,
    logging: false,
    // A request waits at most this long for a connection: while PostgreSQL is away it fails (SERVICE_UNAVAILABLE)
    // instead of hanging; a refused connection fails at once anyway.
    extra: {
      max: poolSize, application_name: applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // The role from the first byte: a startup option costs no round trip, and no statement on this pool ever runs
      // as the owner (which SET ROLE on checkout could not promise for a connection whose SET failed).
      ...(role ? { options: `-c role=${role}` } : {}),
    },
  };
}

/**
 * The owner DataSource, and (made on first use, after migrations created the role) a second one for tenant work,
 * whose every connection runs as the application role. Two pools rather than SET ROLE on one: a connection never
 * changes hands between the owner and a tenant, so nothing can leave one in the other's state.
 */
export class AppDataSource extends DataSource {
  private tenant?: Promise<DataSource>;
  private closing = false;

  constructor(opts: DataSourceOptions, readonly rls: boolean) {
    super(opts);
  }

  /** The tenant DataSource, initialized once; a failed start (database away) is tried again by the next caller. */
  tenantSource(): Promise<DataSource> {
    // Not before the owner is up, nor after it was destroyed (a late notification handler must not open a new pool).
    if (!this.isInitialized || this.closing) return Promise.reject(new Error('The database is not open (or was closed): no tenant connections'));
    this.tenant ??= this.startTenant().catch((err) => { this.tenant = undefined; throw err; });
    return this.tenant;
  }

  private async startTenant(): Promise<DataSource> {
    const o = this.options as DataSourceOptions & { url: string; extra: { max: number } };
    const ds = new DataSource(options(o.url, o.extra.max, 'outcome-health-tenant', this.rls ? APP_ROLE : undefined));
    await ds.initialize();
    if (this.rls) {
      // A role with BYPASSRLS (or a superuser) would make the wall a no-op: refuse to serve rather than pretend.
      const [row] = await ds.query(`SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`);
      if (!row || row.bypass) {
        await ds.destroy();
        throw new Error(`The application role ${APP_ROLE} bypasses row-level security (SUPERUSER or BYPASSRLS): ALTER ROLE ${APP_ROLE} NOSUPERUSER NOBYPASSRLS`);
      }
    }
    return ds;
  }

  override async initialize(): Promise<this> {
    this.closing = false;
    return await super.initialize();
  }

  override async destroy(): Promise<void> {
    this.closing = true;
    const tenant = this.tenant;
    this.tenant = undefined;
    const ds = await tenant?.catch(() => undefined);
    if (ds?.isInitialized) await ds.destroy();
    if (this.isInitialized) await super.destroy();
  }
}

/** The tenant DataSource of an owner DataSource made by `createDataSource`. */
export async function tenantSource(db: DataSource): Promise<DataSource> {
  if (!(db instanceof AppDataSource)) throw new Error('A TenantScope needs a DataSource made by createDataSource');
  return await db.tenantSource();
}

/** The node-postgres pool under a DataSource (named statements, COPY, per-connection state). */
export function poolOf(db: DataSource): Pool {
  return (db.driver as unknown as { master: Pool }).master;
}
