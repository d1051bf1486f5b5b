/**
 * The one PostgreSQL LISTEN connection of a process: channel → handler, one reconnect policy.
 * Live events, the API key cache and job wake-ups each register a channel here instead of
 * keeping a reconnecting client of their own. While the connection is down, notifications are
 * lost (PostgreSQL does not queue them for a listener that is gone), so every user hears about
 * the connection's state (`onState`) and falls back: the key cache looks every key up, workers
 * poll, subscribers catch up with `healthEvents(since:)`.
 */
import { Client } from 'pg';
import { logger } from '../logger';

export type NotificationHandler = (payload: string) => void;
export type ListenerStateHandler = (up: boolean) => void;

export interface ListenerOptions {
  url: string;
  applicationName?: string;
  /** First retry after this long, doubling up to `maxBackoffMs` (with jitter) until connected again. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const CHANNEL_RE = /^[a-z_][a-z0-9_]*$/;

export class PgListener {
  private client?: Client;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly stateHandlers = new Set<ListenerStateHandler>();
  private stopped = true;
  private up = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly opts: ListenerOptions) {}

  /** Whether notifications are being received now. */
  get listening(): boolean { return this.up; }
  /** The listening backend's pid (a test terminates it to simulate a lost connection). */
  get backendPid(): number | undefined { return this.up ? (this.client as unknown as { processID?: number } | undefined)?.processID : undefined; }

  /** Call `handler` with each notification on `channel`; returns a function that stops it. */
  on(channel: string, handler: NotificationHandler): () => void {
    if (!CHANNEL_RE.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      const client = this.client;
      if (this.up && client) this.listenOn(client, channel);
    }
    set.add(handler);
    return () => { set.delete(handler); };
  }

  /** Told `true` each time LISTEN is (re-)established on every channel, `false` each time the connection is lost. */
  onState(handler: ListenerStateHandler): () => void {
    this.stateHandlers.add(handler);
    return () => { this.stateHandlers.delete(handler); };
  }

  /** Reconnect now rather than at the end of the backoff (a test holds the connection down with a long minBackoffMs). */
  reconnectNow(): void {
    if (this.stopped || this.client) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  /** Resolves after the first attempt; a failed first attempt keeps retrying in the background. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.setUp(false);
    await client?.end().catch(() => undefined);
  }

  /** LISTENs one after another (node-postgres deprecates queueing a query while another runs on the same client). */
  private listening$ = Promise.resolve();
  private listenOn(client: Client, channel: string): void {
    this.listening$ = this.listening$.then(() => client.query(`LISTEN ${channel}`)).then(() => undefined, (err) => this.lost(client, err));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.opts.url, application_name: this.opts.applicationName ?? 'outcome-health-listen', keepAlive: true, connectionTimeoutMillis: 5_000 });
    this.client = client;
    client.on('notification', (msg) => {
      for (const handler of this.handlers.get(msg.channel) ?? []) {
        try { handler(msg.payload ?? ''); } catch (err) { logger.error({ err, channel: msg.channel }, 'listener: a notification handler failed'); }
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return;
      this.attempt = 0;
      this.setUp(true);
    } catch (err) {
      this.lost(client, err);
    }
  }

  private lost(client: Client, err?: unknown): void {
    if (this.client !== client) return; // stopped, or already replaced
    this.client = undefined;
    client.end().catch(() => undefined);
    this.setUp(false);
    if (this.stopped) return;
    const base = this.opts.minBackoffMs ?? 100;
    const delay = Math.min(this.opts.maxBackoffMs ?? 5000, base * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
    if (this.attempt === 1) logger.warn({ err, retryInMs: Math.round(delay) }, 'listener: connection lost; reconnecting');
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (up) logger.info('listener: listening');
    for (const handler of this.stateHandlers) {
      try { handler(up); } catch (err) { logger.error({ err }, 'listener: a state handler failed'); }
    }
  }
}
