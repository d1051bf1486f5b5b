/**
 * The HTTP server: GraphQL on /graphql (Apollo Server 5 on Express 5), GET /health (liveness)
 * and GET /ready (database reachable, migrations applied). Stateless: everything lives in PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { jitGateway } from './shared/jit-executor';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import type { DataSource } from 'typeorm';
import { config } from './shared/config';
import { RequestContext } from './shared/context';
import { formatError } from './shared/errors';
import { logger } from './shared/logger';
import { parseOptions, persistedQueries, protectionPlugin, protectionRules } from './shared/protection';
import { LiveHub } from './live/hub';
import { attachLiveServer } from './live/ws';
import { getSchema } from './schema';
import { mountIde, type IdeOptions } from './ide/ide.routes';
import { ApiKeyCache, type ApiKeyCacheOptions } from './workspaces/api-key.cache';

export interface RunningApp {
  url: string;
  port: number;
  httpServer: http.Server;
  /** This instance's subscription hub (PostgreSQL LISTEN). */
  live: LiveHub;
  /** This instance's API key cache (PostgreSQL LISTEN). */
  keys: ApiKeyCache;
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
  /** The landing page and GraphQL IDE (src/ide), served where introspection is on. */
  ide?: IdeOptions;
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
      async willSendResponse({ contextValue: ctx, operationName, errors }) {
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

export async function buildContext(db: DataSource, keys: ApiKeyCache, headers: http.IncomingHttpHeaders, requestId = requestIdOf(headers)): Promise<RequestContext> {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  const caller = match ? await keys.authenticate(match[1]) : undefined;
  return new RequestContext(requestId, db, logger, caller);
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
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), requestLogPlugin, protectionPlugin, ApolloServerPluginCacheControlDisabled()],
    validationRules: protectionRules(), // depth, aliases, directives, cost (src/shared/protection.ts)
    parseOptions, // token limit
    persistedQueries, // APQ, per-instance cache: see protection.ts for why that is enough
  });
  await apollo.start();
  const keys = new ApiKeyCache(db, opts.apiKeyCache ?? { ttlMs: config.apiKeyCacheTtlSeconds * 1000, maxEntries: config.apiKeyCacheMaxEntries });
  await keys.start();
  // Subscriptions (graphql-ws) on the same server and path; events arrive through PostgreSQL LISTEN.
  const live = new LiveHub(db);
  await live.start();
  const liveServer = attachLiveServer(httpServer, schema, db, live, keys);

  app.disable('x-powered-by');
  // No ETag: Express would hash every response body (a dashboard page is ~55 kB) for a validator that no GraphQL
  // POST client sends back (If-None-Match); responses are not cached by HTTP here.
  app.set('etag', false);
  app.get('/health', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/ready', async (_req, res) => {
    try {
      await db.query('SELECT 1');
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
    express.json({ limit: '10mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdOf(req.headers);
        res.setHeader('x-request-id', requestId); // on every response, failed ones included
        return await buildContext(db, keys, req.headers, requestId);
      },
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(opts.port ?? config.port, opts.host ?? config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = (opts.host ?? config.host) === '0.0.0.0' ? 'localhost' : (opts.host ?? config.host);
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    httpServer,
    live,
    keys,
    // Close subscriptions first; Apollo's drain plugin then stops accepting connections and waits for in-flight requests.
    stop: async () => { await liveServer.dispose(); await live.stop(); await apollo.stop(); await keys.stop(); },
  };
}
