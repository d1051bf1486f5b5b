/**
 * One per server instance: the process's notification listener's handler for task changes (task.events.ts) and this instance's
 * `taskChanged` subscribers. A notification names a workspace and task ids; the tasks are loaded once (one query),
 * only when this instance has subscribers of that workspace, then handed to each subscriber whose filter matches.
 */
import type { DataSource } from 'typeorm';
import type { PgListener } from '../shared/db/listener';
import { logger } from '../shared/logger';
import { subscriberQueue } from '../shared/subscriber-queue';
import { TenantScope } from '../shared/tenant';
import { Task } from './task.entity';
import { TASK_CHANNEL } from './task.events';

const MAX_QUEUE = 10_000;

export interface TaskChangeFilter { owner?: string | null; accountId?: string | null }

interface Subscriber { filter: TaskChangeFilter; push(task: Task): void }

const hubs = new WeakMap<DataSource, TaskHub>();

export class TaskHub {
  private unlisten?: () => void;
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /** Changes made while the listener is down are not pushed; a front end re-reads `tasks` after reconnecting. */
  constructor(private readonly db: DataSource, private readonly listener: PgListener) {}

  /** The started hub of this DataSource (the server's), if any. */
  static of(db: DataSource): TaskHub | undefined {
    return hubs.get(db);
  }

  start(): void {
    this.unlisten ??= this.listener.on(TASK_CHANNEL, (payload) => void this.onNotification(payload));
    hubs.set(this.db, this);
  }

  stop(): void {
    if (hubs.get(this.db) === this) hubs.delete(this.db);
    this.unlisten?.();
    this.unlisten = undefined;
  }

  subscriberCount(workspaceId: string): number {
    return this.subscribers.get(workspaceId)?.size ?? 0;
  }

  subscribe(workspaceId: string, filter: TaskChangeFilter): AsyncIterableIterator<Task> {
    const set = this.subscribers.get(workspaceId) ?? new Set<Subscriber>();
    this.subscribers.set(workspaceId, set);
    const q = subscriberQueue<Task>({ maxQueue: MAX_QUEUE, onEnd: () => {
      set.delete(sub);
      if (!set.size) this.subscribers.delete(workspaceId);
    } });
    const sub: Subscriber = { filter, push: q.push };
    set.add(sub);
    return q.iterator;
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
