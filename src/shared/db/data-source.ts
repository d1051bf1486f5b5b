import path from 'node:path';
import { DataSource } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { ENTITIES } from '../../entities';

export const CONNECT_TIMEOUT_MS = 5_000;

export const MIGRATIONS_GLOB = path.join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}');

/** The one DataSource factory: server, CLIs, tests and the TypeORM CLI (ormconfig.ts) share it. */
export function createDataSource(url: string, poolSize = 20): DataSource {
  return new DataSource({
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
    extra: { max: poolSize, application_name: 'outcome-health', connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
  });
}
