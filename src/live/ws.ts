/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the HTTP server's /graphql path.
 * Authenticated like HTTP: `connectionParams.authorization` ("Bearer <key>") or the upgrade
 * request's Authorization header; a connection without a valid key is refused (close 4403).
 * The same protection rules (depth, cost, aliases …) validate subscription documents.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DataSource } from 'typeorm';
import type { Caller } from '../shared/context';
import { logger } from '../shared/logger';
import { protectMessage, protectionRules } from '../shared/protection';
import type { ApiKeyCache } from '../workspaces/api-key.cache';
import { authenticate, type AuthThrottle } from '../shared/auth-throttle';
import type { LiveHub } from './hub';
import { LiveRequestContext } from './live.context';
import { ownerQuery } from '../shared/db/owner';

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

/** Close code for a connection whose API key was revoked or deleted (graphql-ws uses 4403 for "Forbidden"). */
export const KEY_REVOKED_CLOSE = 4403;

/**
 * Open connections by API key id, so that a revoked key loses its subscriptions at once: every instance hears of the
 * change through the key cache's LISTEN (`keys.onChange`) and checks the keys it holds connections for again.
 */
class ConnectionsByKey {
  private readonly sockets = new Map<string, Set<WebSocket>>();
  constructor(private readonly db: DataSource) {}

  add(keyId: string, socket: WebSocket): void {
    const set = this.sockets.get(keyId) ?? new Set();
    this.sockets.set(keyId, set.add(socket));
    socket.once('close', () => { set.delete(socket); if (!set.size && this.sockets.get(keyId) === set) this.sockets.delete(keyId); });
  }

  /** Close the connections of keys that are no longer valid. A failed lookup (database away) closes nothing: the next change or reconnect checks again. */
  async recheck(changed: string | '*'): Promise<void> {
    const ids = changed === '*' ? [...this.sockets.keys()] : this.sockets.has(changed) ? [changed] : [];
    if (!ids.length) return;
    try {
      // Auth lookup across workspaces by key id (like the key lookup itself): no tenant yet.
      const valid = new Set((await ownerQuery(this.db, `SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [ids]) as Array<{ id: string }>).map((r) => r.id));
      for (const id of ids) {
        if (valid.has(id)) continue;
        for (const socket of this.sockets.get(id) ?? []) socket.close(KEY_REVOKED_CLOSE, 'API key revoked');
        this.sockets.delete(id);
      }
    } catch (err) {
      logger.warn({ err }, 'live: could not check the keys of open subscriptions; will check again');
    }
  }
}

export function attachLiveServer(httpServer: http.Server, schema: GraphQLSchema, db: DataSource, hub: LiveHub, keys: ApiKeyCache, throttle: AuthThrottle): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const rules = [...specifiedRules, ...protectionRules()];
  const connections = new ConnectionsByKey(db);
  const offChange = keys.onChange((id) => void connections.recheck(id));
  const cleanup = useServer<Record<string, unknown>, ConnectionExtra>({
    schema,
    validate: (s, document) => validate(s, document, rules).map((e) => new GraphQLError(protectMessage(e.message), { nodes: e.nodes, extensions: e.extensions })),
    onConnect: async (ctx) => {
      const key = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) ?? bearer(ctx.extra.request.headers.authorization);
      const limiter = { limiter: throttle, address: ctx.extra.request.socket.remoteAddress ?? 'unknown' };
      const caller = key ? await authenticate(keys, key, limiter).catch(() => undefined) : undefined;
      if (!caller) return false; // graphql-ws closes with 4403 Forbidden (a throttled address too)
      ctx.extra.caller = caller;
      ctx.extra.connectionId = randomUUID();
      connections.add(caller.apiKeyId, ctx.extra.socket);
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
      offChange();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
