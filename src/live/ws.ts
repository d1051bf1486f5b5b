/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the HTTP server's /graphql path.
 * Authenticated like HTTP: `connectionParams.authorization` ("Bearer <key>") or the upgrade
 * request's Authorization header; a connection without a valid key is refused (close 4403).
 * The same protection rules (depth, cost, aliases …) validate subscription documents.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import type { DataSource } from 'typeorm';
import type { Caller } from '../shared/context';
import { logger } from '../shared/logger';
import { protectMessage, protectionRules } from '../shared/protection';
import type { ApiKeyCache } from '../workspaces/api-key.cache';
import type { LiveHub } from './hub';
import { LiveRequestContext } from './live.context';

// graphql-ws ships its ws adapter as a package export (`graphql-ws/use/ws`) that our
// moduleResolution can't see; the types come from the file itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as typeof import('graphql-ws/dist/use/ws');

type ConnectionExtra = { caller?: Caller; connectionId?: string } & Record<PropertyKey, unknown>;

function bearer(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^Bearer\s+(\S+)$/i.exec(value)?.[1];
}

const wsLogger = logger.child({ ws: true });

export function attachLiveServer(httpServer: http.Server, schema: GraphQLSchema, db: DataSource, hub: LiveHub, keys: ApiKeyCache): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const rules = [...specifiedRules, ...protectionRules()];
  const cleanup = useServer<Record<string, unknown>, ConnectionExtra>({
    schema,
    validate: (s, document) => validate(s, document, rules).map((e) => new GraphQLError(protectMessage(e.message), { nodes: e.nodes, extensions: e.extensions })),
    onConnect: async (ctx) => {
      const key = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) ?? bearer(ctx.extra.request.headers.authorization);
      const caller = key ? await keys.authenticate(key) : undefined;
      if (!caller) return false; // graphql-ws closes with 4403 Forbidden
      ctx.extra.caller = caller;
      ctx.extra.connectionId = randomUUID();
      return true;
    },
    context: (ctx) => {
      const requestId = ctx.extra.connectionId ?? randomUUID();
      return new LiveRequestContext(requestId, db, wsLogger, ctx.extra.caller, hub);
    },
    onError: (_ctx, _id, _payload, errors) => {
      for (const e of errors) (e as { message: string }).message = protectMessage(e.message);
    },
  }, wss);
  return {
    async dispose() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
