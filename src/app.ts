/**
 * The HTTP server: GraphQL on /graphql (Apollo Server 5 on Express 5), GET /health (liveness)
 * and GET /ready (database reachable, migrations applied). Stateless: everything lives in PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { jitGateway } from './shared/jit-executor';
import { DocumentStore, type DocumentCache } from './shared/document-store';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import type { DataSource } from 'typeorm';
import { config } from './shared/config';
import { RequestContext } from './shared/context';
import { AuthThrottle, authenticate } from './shared/auth-throttle';
import { formatError, isDatabaseUnavailable, REVOKED_KEY_MESSAGE, unavailableContextError, unavailablePlugin } from './shared/errors';
import { BODY_LIMIT_BYTES, jsonErrorHandler, refuseEmptyOperationName } from './shared/http-errors';
import { logger } from './shared/logger';
import { StartupError } from './shared/startup-error';
import { operationChecks, parseOptions, persistedQueries, protectionPlugin, protectionRules } from './shared/protection';
import { LiveHub } from './live/hub';
import { TaskHub } from './tasks/task.hub';
import { attachLiveServer } from './live/ws';
import { getSchema } from './schema';
import { mountIde, type IdeOptions } from './ide/ide.routes';
import { ApiKeyCache, type ApiKeyCacheOptions } from './workspaces/api-key.cache';
import { PgListener } from './shared/db/listener';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ownerQuery } from './shared/db/owner';

export interface RunningApp {
  url: string;
  port: number;
  httpServer: http.Server;
  /** This instance's subscription hub (PostgreSQL LISTEN). */
  live: LiveHub;
  /** This instance's API key cache (PostgreSQL LISTEN). */
  keys: ApiKeyCache;
  /** The LISTEN connection live events and the key cache share (the caller's, or one of the app's own). */
  listener: PgListener;
  stop(): Promise<void>;
}

export interface AppOptions {
  db: DataSource;
  port?: number;
  host?: string;
  introspection?: boolean;
  /** Compiled execution (src/shared/jit-executor.ts); default: config.graphqlJit. */
  jit?: boolean;
  /** Default: from config (API_KEY_CACHE_TTL_SECONDS, API_KEY_CACHE_MAX_ENTRIES). */
  apiKeyCache?: ApiKeyCacheOptions;
  /** Failed-authentication throttle; default: config.authFailuresPerMinute per client address. */
  authThrottle?: AuthThrottle;
  /** The process's notification listener (main.ts shares one with the job queue); default: the app starts and stops its own. */
  listener?: PgListener;
  /** The landing page and GraphQL IDE (src/ide), served where introspection is on. */
  ide?: IdeOptions;
  /** Parsed documents kept (src/shared/document-store.ts); default: DOCUMENT_CACHE_ENTRIES of them. */
  documentStore?: DocumentCache;
}

/**
 * One JSON log line per operation, with the request id and duration. With info filtered out (LOG_LEVEL=warn)
 * the plugin does nothing per request: no timer, no child logger, no log object built only to be dropped.
 */
const requestLogPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    if (!logger.isLevelEnabled('info')) return;
    const started = process.hrtime.bigint();
    return {
      async willSendResponse({ contextValue: ctx, operationName, response }) {
        // The codes the client got (after formatError), not those of the errors thrown (a DomainError carries none).
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        ctx.log.info({
          operation: operationName ?? undefined,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          errors: errors?.length ? errors.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : undefined,
          workspaceId: ctx.caller?.workspaceId,
        }, 'graphql request');
      },
    };
  },
};

/** The client's x-request-id (at most 100 characters), or a new one. */
export function requestIdOf(headers: http.IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return (typeof given === 'string' && given.slice(0, 100)) || randomUUID();
}

export async function buildContext(db: DataSource, keys: ApiKeyCache, headers: http.IncomingHttpHeaders, requestId = requestIdOf(headers),
  throttle?: { limiter: AuthThrottle; address: string }): Promise<RequestContext> {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  const caller = match ? await authenticate(keys, match[1], throttle) : undefined;
  // Only a refused key costs this second lookup; it tells the holder of a revoked key why, and nothing about others.
  const refusal = match && !caller && (await keys.wasRevoked(match[1])) ? REVOKED_KEY_MESSAGE : undefined;
  return new RequestContext(requestId, db, logger, caller, refusal);
}

export async function startApp(opts: AppOptions): Promise<RunningApp> {
  const { db } = opts;
  const app = express();
  const httpServer = http.createServer(app);
  const schema = await getSchema();

  const apollo = new ApolloServer<RequestContext>({
    ...((opts.jit ?? config.graphqlJit) ? { gateway: jitGateway(schema) } : { schema }),
    introspection: opts.introspection ?? config.introspection,
    formatError,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // main.ts owns shutdown order: drain HTTP, then stop the worker and PostgreSQL
    // Cache-control hints are unused (no CDN/response cache) and instrument every field resolver: off.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), requestLogPlugin, protectionPlugin, operationChecks(schema), unavailablePlugin, ApolloServerPluginCacheControlDisabled()],
    validationRules: protectionRules(), // depth, aliases, directives, cost (src/shared/protection.ts)
    parseOptions, // token limit
    persistedQueries, // APQ, per-instance cache: see protection.ts for why that is enough
    documentStore: opts.documentStore ?? new DocumentStore(), // bounded by count: see document-store.ts
  });
  await apollo.start();
  const ownListener = !opts.listener;
  const listener = opts.listener ?? new PgListener({ url: (db.options as PostgresConnectionOptions).url!, applicationName: 'outcome-health-listen' });
  const keys = new ApiKeyCache(db, opts.apiKeyCache ?? { ttlMs: config.apiKeyCacheTtlSeconds * 1000, maxEntries: config.apiKeyCacheMaxEntries }, listener);
  keys.start();
  const live = new LiveHub(db, listener);
  live.start();
  const taskHub = new TaskHub(db, listener); // taskChanged subscriptions (src/tasks)
  taskHub.start();
  if (ownListener) await listener.start();
  const throttle = opts.authThrottle ?? new AuthThrottle({ maxFailures: config.authFailuresPerMinute, windowMs: 60_000 });

  app.disable('x-powered-by');
  // No ETag: Express would hash every response body (a dashboard page is ~55 kB) for a validator that no GraphQL
  // POST client sends back (If-None-Match); responses are not cached by HTTP here.
  app.set('etag', false);
  app.get('/health', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/ready', async (_req, res) => {
    // Without LISTEN, subscribers would miss events and the key cache would be off: not ready until it is back.
    if (!listener.listening) return void res.status(503).json({ status: 'notifications not listening' });
    try {
      await ownerQuery(db, 'SELECT 1');
      const pending = await db.showMigrations();
      if (pending) return void res.status(503).json({ status: 'migrations pending' });
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  if (opts.introspection ?? config.introspection) mountIde(app, opts.ide);
  app.use(
    '/graphql',
    cors(),
    express.json({ limit: BODY_LIMIT_BYTES }),
    refuseEmptyOperationName,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdOf(req.headers);
        res.setHeader('x-request-id', requestId); // on every response, failed ones included
        try {
          return await buildContext(db, keys, req.headers, requestId, { limiter: throttle, address: req.socket.remoteAddress ?? 'unknown' });
        } catch (err) {
          if (isDatabaseUnavailable(err)) throw unavailableContextError();
          throw err;
        }
      },
    }),
  );

  app.use(jsonErrorHandler((req) => requestIdOf(req.headers)));

  const wanted = opts.port ?? config.port;
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(wanted, opts.host ?? config.host, () => { httpServer.off('error', reject); resolve(); });
    });
  } catch (err) {
    await apollo.stop(); live.stop(); taskHub.stop(); keys.stop();
    if (ownListener) await listener.stop();
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new StartupError(`port ${wanted} is in use; set PORT`);
    throw err;
  }
  // Subscriptions (graphql-ws) on the same server and path; events arrive through PostgreSQL LISTEN. Attached once
  // listening: the WebSocket server re-emits the HTTP server's errors, and would only log a taken port, not fail.
  const liveServer = attachLiveServer(httpServer, schema, db, live, keys, throttle);
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = (opts.host ?? config.host) === '0.0.0.0' ? 'localhost' : (opts.host ?? config.host);
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    httpServer,
    live,
    keys,
    listener,
    // Close subscriptions first; Apollo's drain plugin then stops accepting connections and waits for in-flight requests.
    stop: async () => {
      await liveServer.dispose();
      live.stop();
      taskHub.stop();
      await apollo.stop();
      keys.stop();
      if (ownListener) await listener.stop();
    },
  };
}
