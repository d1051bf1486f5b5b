/** loadConfig reads the environment it is given, for every value (no process.env behind its back). */
import { loadConfig } from '../src/shared/config';

describe('loadConfig(env)', () => {
  it('reads every value from its argument', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h:5/d', DATA_DIR: '/tmp/oh-config-test', PORT: '4321', HOST: '127.0.0.9', LOG_LEVEL: 'warn',
      GRAPHQL_INTROSPECTION: 'false', GRAPHQL_JIT: 'off', WORKER: 'no', SEED_DEMO: '0', SIGNAL_FUTURE_TOLERANCE_MINUTES: '7',
      DB_POOL_SIZE: '3', TENANT_RLS: 'on', SCORING_RUN_CONCURRENCY: '4', API_KEY_CACHE_TTL_SECONDS: '9', API_KEY_CACHE_MAX_ENTRIES: '11', AUTH_FAILURES_PER_MINUTE: '13',
      NODE_ENV: 'production', WEBHOOK_SECRETS_KEY: '11'.repeat(32), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes',
      WEBHOOK_TIMEOUT_MS: '150', WEBHOOK_RETRY_BASE_MS: '2', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_WINDOW_MINUTES: '4',
      WEBHOOK_DELIVERED_RETENTION_DAYS: '5', WEBHOOK_DEAD_RETENTION_DAYS: '6', PLAY_HISTORY_RETENTION_DAYS: '700',
    });
    expect(c).toEqual({
      databaseUrl: 'postgres://u@h:5/d', dataDir: '/tmp/oh-config-test', port: 4321, host: '127.0.0.9', logLevel: 'warn',
      introspection: false, graphqlJit: false, worker: false, seedDemo: false, signalFutureToleranceMinutes: 7,
      dbPoolSize: 3, tenantRls: true, scoringRunConcurrency: 4, apiKeyCacheTtlSeconds: 9, apiKeyCacheMaxEntries: 11, authFailuresPerMinute: 13,
      production: true, webhookSecretsKey: Buffer.alloc(32, 0x11), webhookAllowHttp: true, webhookAllowPrivateTargets: true,
      webhookTimeoutMs: 150, webhookRetryBaseMs: 2, webhookMaxAttempts: 3, webhookRetryWindowMinutes: 4,
      webhookDeliveredRetentionDays: 5, webhookDeadRetentionDays: 6, playHistoryRetentionDays: 700,
    });
  });

  it('falls back to the defaults for an empty environment, whatever process.env says', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { PORT: '1', DB_POOL_SIZE: '2', WORKER: 'false', GRAPHQL_INTROSPECTION: 'false' });
    try {
      const c = loadConfig({});
      expect(c).toMatchObject({ port: 4000, dbPoolSize: 20, worker: true, introspection: true, databaseUrl: undefined, tenantRls: true,
        webhookDeliveredRetentionDays: 30, webhookDeadRetentionDays: 90, playHistoryRetentionDays: 400 });
      expect(loadConfig({ TENANT_RLS: 'off' }).tenantRls).toBe(false); // measurements only
      expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false); // off in production unless enabled
      expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it.each([
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535 \(got "70000"\)/],
    [{ DB_POOL_SIZE: 'many' }, /DB_POOL_SIZE must be an integer/],
    [{ WORKER: 'maybe' }, /WORKER must be true or false/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ TENANT_RLS: 'off', NODE_ENV: 'production' }, /TENANT_RLS=off is for measurements, never with NODE_ENV=production/],
    [{ WEBHOOK_DELIVERED_RETENTION_DAYS: '0' }, /WEBHOOK_DELIVERED_RETENTION_DAYS must be an integer between 1 and 3650/],
    // dead letters are kept at least as long as the deliveries that worked (the default 90 is below 100)
    [{ WEBHOOK_DELIVERED_RETENTION_DAYS: '100' }, /WEBHOOK_DEAD_RETENTION_DAYS \(90\) must be at least WEBHOOK_DELIVERED_RETENTION_DAYS \(100\)/],
    [{ PLAY_HISTORY_RETENTION_DAYS: '365' }, /PLAY_HISTORY_RETENTION_DAYS must be an integer between 366 and 3650/],
  ])('refuses a bad value with a message naming it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
