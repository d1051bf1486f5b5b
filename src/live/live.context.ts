import type { DataSource } from 'typeorm';
import { RequestContext, type Caller } from '../shared/context';
import type { Logger } from '../shared/logger';
import type { LiveHub } from './hub';

/** The context of a WebSocket (graphql-ws) operation: a RequestContext plus this instance's live hub. */
export class LiveRequestContext extends RequestContext {
  constructor(requestId: string, db: DataSource, log: Logger, caller: Caller | undefined, readonly live: LiveHub) {
    super(requestId, db, log, caller);
  }
}

/**
 * type-graphql insists on a PubSub when a schema has subscriptions; ours don't use topics (each
 * server instance's LiveHub, fed by PostgreSQL LISTEN, is the source), so this one is never used.
 */
export const unusedPubSub = {
  publish(): void { throw new Error('Use publishHealthEvents (src/live/publish.ts)'); },
  subscribe(): AsyncIterable<unknown> { throw new Error('Subscriptions read from the LiveHub'); },
};
