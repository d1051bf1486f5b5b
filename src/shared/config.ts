/**
 * Typed configuration, read from environment variables in one place and validated at start-up,
 * so that a bad value fails loudly before the server takes traffic.
 */
import path from 'node:path';

export interface Config {
  /** PostgreSQL connection string; unset = run an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: string;
  /** Expose introspection (on by default for development; switch off in production). */
  introspection: boolean;
  /** Run read operations compiled by graphql-jit (default); false: graphql-js for everything. */
  graphqlJit: boolean;
  /** Run the background job worker in this process. */
  worker: boolean;
  /** Seed the demo workspace when the database has no workspace yet. */
  seedDemo: boolean;
  /** How far in the future a signal's occurredAt may be (clock skew tolerance), in minutes. */
  signalFutureToleranceMinutes: number;
  dbPoolSize: number;
  /** Chunks of one scoring run scored at the same time (each on its own connection; the pool needs one more). */
  scoringRunConcurrency: number;
  /**
   * How long an API key lookup may be served from this instance's memory, in seconds; 0 = no cache. Changes to
   * api_keys reach every instance at once through LISTEN/NOTIFY (src/workspaces/api-key.cache.ts); this caps the
   * staleness when a notification could be missed without the listener noticing (e.g. a silently dead TCP connection).
   */
  apiKeyCacheTtlSeconds: number;
  /** Cached keys per instance (least recently used ones go first). */
  apiKeyCacheMaxEntries: number;
}

/** Every value comes from `env` (never process.env directly), so a test can hand loadConfig any environment. */
function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`Configuration error: ${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`Configuration error: ${name} must be true or false (got "${raw}")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('Configuration error: DATABASE_URL must start with postgres:// or postgresql://');
  }
  const production = env.NODE_ENV === 'production';
  return {
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || path.join(__dirname, '..', '..', '.data')),
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', !production),
    graphqlJit: bool(env, 'GRAPHQL_JIT', true),
    worker: bool(env, 'WORKER', true),
    seedDemo: bool(env, 'SEED_DEMO', true),
    signalFutureToleranceMinutes: int(env, 'SIGNAL_FUTURE_TOLERANCE_MINUTES', 5, 0, 7 * 24 * 60),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 20, 1, 500),
    scoringRunConcurrency: int(env, 'SCORING_RUN_CONCURRENCY', 2, 1, 16),
    apiKeyCacheTtlSeconds: int(env, 'API_KEY_CACHE_TTL_SECONDS', 60, 0, 24 * 60 * 60),
    apiKeyCacheMaxEntries: int(env, 'API_KEY_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
  };
}

export const config: Config = loadConfig();
