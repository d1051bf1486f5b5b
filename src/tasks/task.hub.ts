/**
 * One per server instance: a PostgreSQL connection LISTENing for task changes (task.events.ts) and this instance's
 * `taskChanged` subscribers. A notification names a workspace and task ids; the tasks are loaded once (one query),
 * only when this instance has subscribers of that workspace, then handed to each subscriber whose filter matches.
 */
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { logger } from '../shared/logger';
import { TenantScope } from '../shared/tenant';
import { Task } from './task.entity';
import { TASK_CHANNEL } from './task.events';

const RECONNECT_MS = 1000;
const MAX_QUEUE = 10_000;

export interface TaskChangeFilter { owner?: string | null; accountId?: string | null }

interface Subscriber { filter: TaskChangeFilter; push(task: Task): void }

const hubs = new WeakMap<DataSource, TaskHub>();

export class TaskHub {
  private client?: Client;
  private stopping = false;
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(private readonly db: DataSource) {}

  /** The started hub of this DataSource (the server's), if any. */
  static of(db: DataSource): TaskHub | undefined {
    return hubs.get(db);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const options = this.db.options as PostgresConnectionOptions;
    const client = new Client({ connectionString: options.url, application_name: 'outcome-health-tasks' });
    client.on('notification', (msg) => { if (msg.channel === TASK_CHANNEL) void this.onNotification(msg.payload); });
    client.on('error', (err) => { logger.warn({ err }, 'tasks: listener connection lost; reconnecting'); this.reconnect(client); });
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${TASK_CHANNEL}`);
    this.client = client;
    hubs.set(this.db, this);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (hubs.get(this.db) === this) hubs.delete(this.db);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  subscriberCount(workspaceId: string): number {
    return this.subscribers.get(workspaceId)?.size ?? 0;
  }

  subscribe(workspaceId: string, filter: TaskChangeFilter): AsyncIterableIterator<Task> {
    const queue: Task[] = [];
    let wake: ((r: IteratorResult<Task>) => void) | undefined;
    let done = false;
    const set = this.subscribers.get(workspaceId) ?? new Set<Subscriber>();
    this.subscribers.set(workspaceId, set);
    const sub: Subscriber = {
      filter,
      push: (task) => {
        if (done) return;
        if (wake) { const w = wake; wake = undefined; w({ value: task, done: false }); return; }
        queue.push(task);
        if (queue.length > MAX_QUEUE) queue.shift();
      },
    };
    set.add(sub);
    const finish = (): IteratorResult<Task> => {
      if (!done) {
        done = true;
        set.delete(sub);
        if (!set.size) this.subscribers.delete(workspaceId);
        wake?.({ value: undefined, done: true });
        wake = undefined;
      }
      return { value: undefined, done: true };
    };
    return {
      next: () => {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => { wake = resolve; });
      },
      return: () => Promise.resolve(finish()),
      throw: (err?: unknown) => { finish(); return Promise.reject(err); },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  private reconnect(client: Client): void {
    if (this.stopping || this.client !== client) return;
    this.client = undefined;
    // Changes made while disconnected are not pushed; a front end re-reads `tasks` after reconnecting.
    const retry = () => { if (!this.stopping) this.start().catch(() => setTimeout(retry, RECONNECT_MS * 5).unref()); };
    setTimeout(retry, RECONNECT_MS).unref();
  }

  private async onNotification(payload: string | undefined): Promise<void> {
    let parsed: { w: string; t: string[] };
    try { parsed = JSON.parse(payload ?? '') as { w: string; t: string[] }; } catch { return; }
    const subs = this.subscribers.get(parsed.w);
    if (!subs?.size) return;
    try {
      const tasks = await TenantScope.system(this.db, parsed.w).findByIds(Task, parsed.t);
      for (const sub of subs) {
        for (const task of tasks) {
          if (sub.filter.owner && sub.filter.owner !== task.owner) continue;
          if (sub.filter.accountId && sub.filter.accountId !== task.accountId) continue;
          sub.push(task);
        }
      }
    } catch (err) {
      logger.error({ err, workspaceId: parsed.w }, 'tasks: could not load changed tasks');
    }
  }
}
