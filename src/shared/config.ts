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
  /**
   * Tenant work as the application role, under row-level security (default). TENANT_RLS=off runs it as the URL's user
   * instead, for measuring what RLS costs (bench:api, bench:scoring); refused with NODE_ENV=production.
   */
  tenantRls: boolean;
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
  /** Unknown or revoked keys one client address may present per minute before it gets 429 (src/shared/auth-throttle.ts). */
  authFailuresPerMinute: number;
  /** NODE_ENV=production. */
  production: boolean;
  /** Server key that encrypts webhook secrets at rest (32 bytes); unset = a fixed development key outside production. */
  webhookSecretsKey: Buffer | undefined;
  /** Allow http:// webhook URLs (default: only when NODE_ENV is development or test). */
  webhookAllowHttp: boolean;
  /** Allow webhook targets on loopback, link-local and private networks (server-side request forgery guard off). */
  webhookAllowPrivateTargets: boolean;
  /** Timeout of one webhook call (connect + response), ms. */
  webhookTimeoutMs: number;
  /** First retry delay of a failed webhook delivery, ms; doubles per attempt, with jitter. */
  webhookRetryBaseMs: number;
  /** Attempts per delivery before it goes to dead-letter. */
  webhookMaxAttempts: number;
  /** A delivery is retried for at most this long after it was created (or redelivered), minutes. */
  webhookRetryWindowMinutes: number;
  /** DELIVERED webhook deliveries (and their attempt log) are purged this many days after delivery (daily job). */
  webhookDeliveredRetentionDays: number;
  /** DEAD (dead-lettered) deliveries are kept this long after they died, unless redelivered first; at least the above. */
  webhookDeadRetentionDays: number;
  /** Cleared play firings and closed (DONE/DISMISSED) tasks are purged this many days after they cleared / closed. */
  playHistoryRetentionDays: number;
}

function key32(name: string, raw: string | undefined): Buffer | undefined {
  if (!raw) return undefined;
  const buf = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (buf.length !== 32) throw new Error(`Configuration error: ${name} must be 32 bytes in hex (64 digits) or base64 (e.g. openssl rand -base64 32)`);
  return buf;
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
  const tenantRls = bool(env, 'TENANT_RLS', true);
  if (!tenantRls && production) throw new Error('Configuration error: TENANT_RLS=off is for measurements, never with NODE_ENV=production');
  const webhookDeliveredRetentionDays = int(env, 'WEBHOOK_DELIVERED_RETENTION_DAYS', 30, 1, 3650);
  const webhookDeadRetentionDays = int(env, 'WEBHOOK_DEAD_RETENTION_DAYS', 90, 1, 3650);
  if (webhookDeadRetentionDays < webhookDeliveredRetentionDays) {
    // Dead letters are what someone still has to look at: never dropped before the deliveries that worked.
    throw new Error(`Configuration error: WEBHOOK_DEAD_RETENTION_DAYS (${webhookDeadRetentionDays}) must be at least WEBHOOK_DELIVERED_RETENTION_DAYS (${webhookDeliveredRetentionDays})`);
  }
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
    tenantRls,
    scoringRunConcurrency: int(env, 'SCORING_RUN_CONCURRENCY', 2, 1, 16),
    apiKeyCacheTtlSeconds: int(env, 'API_KEY_CACHE_TTL_SECONDS', 60, 0, 24 * 60 * 60),
    apiKeyCacheMaxEntries: int(env, 'API_KEY_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
    authFailuresPerMinute: int(env, 'AUTH_FAILURES_PER_MINUTE', 30, 1, 1_000_000),
    production,
    webhookSecretsKey: key32('WEBHOOK_SECRETS_KEY', env.WEBHOOK_SECRETS_KEY),
    webhookAllowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', env.NODE_ENV === 'development' || env.NODE_ENV === 'test'),
    webhookAllowPrivateTargets: bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    webhookRetryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1, 3_600_000),
    webhookMaxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    webhookRetryWindowMinutes: int(env, 'WEBHOOK_RETRY_WINDOW_MINUTES', 24 * 60, 1, 7 * 24 * 60),
    webhookDeliveredRetentionDays,
    webhookDeadRetentionDays,
    // At least a year and a day: a cleared firing decides the play's cooldown (at most 365 days) until then.
    playHistoryRetentionDays: int(env, 'PLAY_HISTORY_RETENTION_DAYS', 400, 366, 3650),
  };
}

export const config: Config = loadConfig();
